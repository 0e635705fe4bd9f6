#include "storage/encodings/skiplist.hpp"

#include <malloc.h>

#include <cstdlib>
#include <new>

namespace troupe {

int compare_members(std::string_view a, std::string_view b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  int c = n ? memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

bool lex_range::above_min(std::string_view v) const {
  if (min_inf) return true;
  if (min_sup) return false;
  int c = compare_members(v, min);
  return minex ? c > 0 : c >= 0;
}

bool lex_range::below_max(std::string_view v) const {
  if (max_sup) return true;
  if (max_inf) return false;
  int c = compare_members(v, max);
  return maxex ? c < 0 : c <= 0;
}

bool lex_range::empty() const {
  if (min_sup || max_inf) return true;
  if (min_inf || max_sup) return false;
  int c = compare_members(min, max);
  return c > 0 || (c == 0 && (minex || maxex));
}

namespace {
// Whether node n sorts before (score, member).
bool before(const zs_node* n, double score, std::string_view member) {
  return n->score < score || (n->score == score && compare_members(n->member(), member) < 0);
}
}  // namespace

zs_node* zskiplist::make_node(int levels, double score, std::string_view member) {
  size_t size = zs_node::fixed + size_t(levels) * zs_node::level_size +
                blob_node::varint_size(member.size()) + member.size();
  auto* n = static_cast<zs_node*>(malloc(size));
  if (n == nullptr) throw std::bad_alloc();
  n->hnext = nullptr;
  n->score = score;
  n->backward = nullptr;
  n->levels = uint8_t(levels);
  for (int i = 0; i < levels; ++i) {
    n->set_forward(i, nullptr);
    n->set_span(i, 0);
  }
  unsigned char* p = n->raw() + zs_node::fixed + size_t(levels) * zs_node::level_size;
  p += blob_node::write_varint(p, member.size());
  if (!member.empty()) memcpy(p, member.data(), member.size());
  return n;
}

zskiplist::zskiplist() : rng_(0x5eed) {
  head_ = make_node(max_level, 0, {});
}

zskiplist::~zskiplist() {
  free(head_);
}

int zskiplist::random_level() {
  // Each level with probability 1/4, as Redis does.
  int level = 1;
  while (level < max_level && (rng_() & 3) == 0) ++level;
  return level;
}

void zskiplist::find_path(double score, std::string_view member, zs_node** update,
                          uint32_t* rank) const {
  zs_node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && before(f, score, member)) {
      rank[i] += x->span(i);
      x = f;
    }
    update[i] = x;
  }
}

void zskiplist::link(zs_node* n) {
  zs_node* update[max_level];
  uint32_t rank[max_level];
  find_path(n->score, n->member(), update, rank);
  int level = n->levels;
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->set_span(i, uint32_t(length_));
    }
    level_ = level;
  }
  for (int i = 0; i < level; ++i) {
    n->set_forward(i, update[i]->forward(i));
    update[i]->set_forward(i, n);
    n->set_span(i, update[i]->span(i) - (rank[0] - rank[i]));
    update[i]->set_span(i, (rank[0] - rank[i]) + 1);
  }
  for (int i = level; i < level_; ++i) update[i]->set_span(i, update[i]->span(i) + 1);
  n->backward = update[0] == head_ ? nullptr : update[0];
  zs_node* f = n->forward(0);
  if (f)
    f->backward = n;
  else
    tail_ = n;
  ++length_;
}

void zskiplist::unlink(zs_node* n) {
  zs_node* update[max_level];
  uint32_t rank[max_level];
  find_path(n->score, n->member(), update, rank);
  for (int i = 0; i < level_; ++i) {
    if (update[i]->forward(i) == n) {
      update[i]->set_span(i, update[i]->span(i) + n->span(i) - 1);
      update[i]->set_forward(i, n->forward(i));
    } else {
      update[i]->set_span(i, update[i]->span(i) - 1);
    }
  }
  zs_node* f = n->forward(0);
  if (f)
    f->backward = n->backward;
  else
    tail_ = n->backward;
  while (level_ > 1 && head_->forward(level_ - 1) == nullptr) --level_;
  --length_;
}

void zskiplist::rescore(zs_node* n, double score) {
  zs_node* b = n->backward;
  zs_node* f = n->forward(0);
  bool stays = (b == nullptr || b->score < score ||
                (b->score == score && compare_members(b->member(), n->member()) < 0)) &&
               (f == nullptr || f->score > score ||
                (f->score == score && compare_members(f->member(), n->member()) > 0));
  if (stays) {
    n->score = score;
    return;
  }
  unlink(n);
  n->score = score;
  link(n);
}

size_t zskiplist::rank_of(const zs_node* n) const {
  size_t rank = 0;
  const zs_node* x = head_;
  std::string_view m = n->member();
  for (int i = level_ - 1; i >= 0; --i) {
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && (before(f, n->score, m) || f == n)) {
      rank += x->span(i);
      x = f;
      if (x == n) return rank;
    }
  }
  return rank;
}

zs_node* zskiplist::at_rank(size_t r) const {
  if (r == 0 || r > length_) return nullptr;
  size_t traversed = 0;
  const zs_node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && traversed + x->span(i) <= r) {
      traversed += x->span(i);
      x = f;
    }
    if (traversed == r) return const_cast<zs_node*>(x);
  }
  return nullptr;
}

zs_node* zskiplist::first_in(const score_range& r) const {
  if (r.empty() || tail_ == nullptr || !r.above_min(tail_->score)) return nullptr;
  const zs_node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && !r.above_min(f->score)) x = f;
  }
  zs_node* n = x->forward(0);
  return n != nullptr && r.below_max(n->score) ? n : nullptr;
}

zs_node* zskiplist::last_in(const score_range& r) const {
  zs_node* fst = first();
  if (r.empty() || fst == nullptr || !r.below_max(fst->score)) return nullptr;
  const zs_node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && r.below_max(f->score)) x = f;
  }
  if (x == head_ || !r.above_min(x->score)) return nullptr;
  return const_cast<zs_node*>(x);
}

// As Redis, a lex range is first checked against both ends of the set (the
// last member not below min, the first not above max), which decides the
// reply when the scores differ and members are not in lex order.
zs_node* zskiplist::first_in(const lex_range& r) const {
  if (r.empty() || tail_ == nullptr || !r.above_min(tail_->member()) ||
      !r.below_max(first()->member()))
    return nullptr;
  const zs_node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && !r.above_min(f->member())) x = f;
  }
  zs_node* n = x->forward(0);
  return n != nullptr && r.below_max(n->member()) ? n : nullptr;
}

zs_node* zskiplist::last_in(const lex_range& r) const {
  zs_node* fst = first();
  if (r.empty() || fst == nullptr || !r.below_max(fst->member()) || !r.above_min(tail_->member()))
    return nullptr;
  const zs_node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    zs_node* f;
    while ((f = x->forward(i)) != nullptr && r.below_max(f->member())) x = f;
  }
  if (x == head_ || !r.above_min(x->member())) return nullptr;
  return const_cast<zs_node*>(x);
}

size_t zskiplist::memory() const {
  size_t total = malloc_usable_size(head_);
  for (zs_node* n = first(); n != nullptr; n = n->forward(0)) total += malloc_usable_size(n);
  return total;
}

zs_node* zset_big::insert(double score, std::string_view member) {
  zs_node* n = zskiplist::make_node(list.random_level(), score, member);
  list.link(n);
  dict.insert(n);
  return n;
}

void zset_big::erase_node(zs_node* n) {
  std::string_view m = n->member();
  zs_node** link = dict.locate(m, dict.hash(m));
  dict.unlink(link);
  list.unlink(n);
  free(n);
}

bool zset_big::erase(std::string_view member) {
  zs_node** link = dict.locate(member, dict.hash(member));
  if (link == nullptr) return false;
  zs_node* n = *link;
  dict.unlink(link);
  list.unlink(n);
  free(n);
  return true;
}

zset_big* zset_big::clone() const {
  auto* c = new zset_big;
  c->dict.reserve(size());
  for (zs_node* n = list.first(); n != nullptr; n = zskiplist::next(n)) {
    zs_node* m = zskiplist::make_node(n->levels, n->score, n->member());
    // Append in order: linking at the tail keeps the copy's shape.
    c->list.link(m);
    c->dict.insert(m);
  }
  return c;
}

zset_big::~zset_big() {
  zs_node* n = list.first();
  while (n != nullptr) {
    zs_node* nx = zskiplist::next(n);
    free(n);
    n = nx;
  }
}

}  // namespace troupe
