#include "storage/encodings/quicklist.hpp"

#include <malloc.h>
#include <cstdlib>
#include <new>

namespace troupe {
namespace {

constexpr size_t safety_limit = 8192;
constexpr size_t entry_overhead = 11;  // estimate of an entry's header and backlen

size_t byte_limit(int fill) {
  static const size_t levels[] = {4096, 8192, 16384, 32768, 65536};
  int i = -fill - 1;
  if (i > 4) i = 4;
  return levels[i];
}

}  // namespace

quicklist::~quicklist() {
  ql_node* n = head_;
  while (n != nullptr) {
    ql_node* nx = n->next;
    lp::destroy(n->lp);
    free(n);
    n = nx;
  }
}

quicklist* quicklist::clone() const {
  auto* c = new quicklist(fill_);
  for (ql_node* n = head_; n != nullptr; n = n->next) {
    ql_node* m = c->new_node(c->tail_, false);
    lp::destroy(m->lp);
    m->lp = lp::copy(n->lp);
    m->count = n->count;
  }
  c->count_ = count_;
  return c;
}

size_t quicklist::memory() const {
  size_t total = sizeof(quicklist);
  for (ql_node* n = head_; n != nullptr; n = n->next)
    total += sizeof(ql_node) + malloc_usable_size(n->lp);
  return total;
}

ql_node* quicklist::new_node(ql_node* at, bool before) {
  auto* n = static_cast<ql_node*>(malloc(sizeof(ql_node)));
  if (n == nullptr) throw std::bad_alloc();
  n->lp = lp::create();
  n->count = 0;
  if (at == nullptr) {
    // Empty list, or at the very end.
    n->prev = tail_;
    n->next = nullptr;
    if (tail_)
      tail_->next = n;
    else
      head_ = n;
    tail_ = n;
  } else if (before) {
    n->next = at;
    n->prev = at->prev;
    if (at->prev)
      at->prev->next = n;
    else
      head_ = n;
    at->prev = n;
  } else {
    n->prev = at;
    n->next = at->next;
    if (at->next)
      at->next->prev = n;
    else
      tail_ = n;
    at->next = n;
  }
  ++nodes_;
  return n;
}

void quicklist::unlink_node(ql_node* n) {
  if (n->prev)
    n->prev->next = n->next;
  else
    head_ = n->next;
  if (n->next)
    n->next->prev = n->prev;
  else
    tail_ = n->prev;
  lp::destroy(n->lp);
  free(n);
  --nodes_;
}

bool quicklist::node_has_room(const ql_node* n, size_t add) const {
  size_t sz = lp::bytes(n->lp) + add + entry_overhead;
  if (fill_ < 0) return sz <= byte_limit(fill_);
  if (sz > safety_limit) return false;
  return int64_t(n->count) < fill_;
}

bool quicklist::node_too_big(const ql_node* n) const {
  if (n->count <= 1) return false;
  size_t sz = lp::bytes(n->lp);
  if (fill_ < 0) return sz > byte_limit(fill_);
  return sz > safety_limit || int64_t(n->count) > fill_;
}

void quicklist::push_front(std::string_view s) {
  if (head_ == nullptr || !node_has_room(head_, s.size())) new_node(head_, true);
  lp::prepend(head_->lp, s);
  ++head_->count;
  ++count_;
}

void quicklist::push_back(std::string_view s) {
  if (tail_ == nullptr || !node_has_room(tail_, s.size())) new_node(nullptr, false);
  lp::append(tail_->lp, s);
  ++tail_->count;
  ++count_;
}

bool quicklist::pop_front(std::string& out) {
  if (head_ == nullptr) return false;
  unsigned char* p = lp::first(head_->lp);
  char buf[24];
  out.assign(lp::get(p).view(buf));
  iter it{head_, p};
  erase(it, true);
  return true;
}

bool quicklist::pop_back(std::string& out) {
  if (tail_ == nullptr) return false;
  unsigned char* p = lp::last(tail_->lp);
  char buf[24];
  out.assign(lp::get(p).view(buf));
  iter it{tail_, p};
  erase(it, false);
  return true;
}

quicklist::iter quicklist::at(long i) const {
  long n = long(count_);
  if (i < 0) i += n;
  if (i < 0 || i >= n) return {};
  if (i < n / 2) {
    ql_node* node = head_;
    while (i >= long(node->count)) {
      i -= node->count;
      node = node->next;
    }
    return {node, lp::seek(node->lp, i)};
  }
  long back = n - 1 - i;  // distance from the tail
  ql_node* node = tail_;
  while (back >= long(node->count)) {
    back -= node->count;
    node = node->prev;
  }
  return {node, lp::seek(node->lp, long(node->count) - 1 - back)};
}

void quicklist::next(iter& it) const {
  unsigned char* p = lp::next(it.node->lp, it.p);
  if (p != nullptr) {
    it.p = p;
    return;
  }
  it.node = it.node->next;
  it.p = it.node ? lp::first(it.node->lp) : nullptr;
}

void quicklist::prev(iter& it) const {
  unsigned char* p = lp::prev(it.node->lp, it.p);
  if (p != nullptr) {
    it.p = p;
    return;
  }
  it.node = it.node->prev;
  it.p = it.node ? lp::last(it.node->lp) : nullptr;
}

void quicklist::split(ql_node* n) {
  // Moves the second half of n into a new node after it.
  uint32_t keep = n->count / 2;
  ql_node* m = new_node(n, false);
  unsigned char* p = lp::seek(n->lp, keep);
  size_t off = size_t(p - n->lp);
  size_t tail_bytes = lp::bytes(n->lp) - off - 1;
  // Build m from the raw tail entries: they are already encoded.
  lp::destroy(m->lp);
  m->lp = static_cast<unsigned char*>(malloc(lp::header_size + tail_bytes + 1));
  if (m->lp == nullptr) throw std::bad_alloc();
  uint32_t total = uint32_t(lp::header_size + tail_bytes + 1);
  memcpy(m->lp, &total, 4);
  uint16_t cnt = m->count = n->count - keep;
  if (m->count >= 65535) cnt = 65535;
  memcpy(m->lp + 4, &cnt, 2);
  memcpy(m->lp + lp::header_size, p, tail_bytes);
  m->lp[lp::header_size + tail_bytes] = lp::eof;
  lp::remove(n->lp, lp::seek(n->lp, keep), n->count - keep);
  lp::shrink_to_fit(n->lp);
  n->count = keep;
}

void quicklist::insert(const iter& it, std::string_view s, bool after) {
  ql_node* n = it.node;
  unsigned char* pos = it.p;
  if (after) pos = lp::next(n->lp, pos);
  lp::insert(n->lp, pos, s);
  ++n->count;
  ++count_;
  if (node_too_big(n)) split(n);
}

void quicklist::replace(iter& it, std::string_view s) {
  it.p = lp::replace(it.node->lp, it.p, s);
  if (node_too_big(it.node)) {
    // Keep the iterator meaningful: find the entry again after the split.
    size_t idx = 0;
    for (unsigned char* q = lp::first(it.node->lp); q != it.p; q = lp::next(it.node->lp, q)) ++idx;
    ql_node* n = it.node;
    split(n);
    if (idx < n->count)
      it.p = lp::seek(n->lp, long(idx));
    else
      it = {n->next, lp::seek(n->next->lp, long(idx - n->count))};
  }
}

void quicklist::erase(iter& it, bool forward) {
  ql_node* n = it.node;
  if (n->count == 1) {
    ql_node* to = forward ? n->next : n->prev;
    unlink_node(n);
    --count_;
    if (to == nullptr)
      it = {};
    else
      it = {to, forward ? lp::first(to->lp) : lp::last(to->lp)};
    return;
  }
  bool was_first = it.p == lp::first(n->lp);
  unsigned char* following = lp::remove(n->lp, it.p, 1);
  --n->count;
  --count_;
  if (forward) {
    if (following != nullptr)
      it.p = following;
    else if (n->next)
      it = {n->next, lp::first(n->next->lp)};
    else
      it = {};
  } else {
    if (was_first) {
      if (n->prev)
        it = {n->prev, lp::last(n->prev->lp)};
      else
        it = {};
    } else {
      it.p = following != nullptr ? lp::prev(n->lp, following) : lp::last(n->lp);
    }
  }
  if (lp::bytes(n->lp) * 2 < malloc_usable_size(n->lp) && lp::bytes(n->lp) > 64) {
    // Give back memory after many pops; keep the iterator's offset.
    size_t off = it.node == n && it.p ? size_t(it.p - n->lp) : 0;
    lp::shrink_to_fit(n->lp);
    if (it.node == n && it.p) it.p = n->lp + off;
  }
}

void quicklist::erase_range(size_t start, size_t n) {
  if (n == 0 || start >= count_) return;
  if (start + n > count_) n = count_ - start;
  // Find the first node touched.
  ql_node* node = head_;
  size_t skip = start;
  while (skip >= node->count) {
    skip -= node->count;
    node = node->next;
  }
  while (n > 0 && node != nullptr) {
    ql_node* nx = node->next;
    size_t here = node->count - skip;
    if (here > n) here = n;
    if (skip == 0 && here == node->count) {
      count_ -= node->count;
      unlink_node(node);
    } else {
      lp::remove(node->lp, lp::seek(node->lp, long(skip)), here);
      lp::shrink_to_fit(node->lp);
      node->count -= uint32_t(here);
      count_ -= here;
    }
    n -= here;
    skip = 0;
    node = nx;
  }
}

}  // namespace troupe
