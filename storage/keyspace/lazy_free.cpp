#include "storage/keyspace/lazy_free.hpp"

#include "storage/encodings/dict.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/kv_entry.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/stream_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {

size_t free_effort(kv_entry* e) {
  switch (e->type()) {
    case value_type::list:
      return static_cast<const quicklist*>(e->object())->node_count();
    case value_type::set:
      return e->encoding() == value_encoding::hashtable ? set_ref(e).size() : 1;
    case value_type::hash:
      return e->encoding() == value_encoding::hashtable ? hash_ref(e).size() : 1;
    case value_type::zset:
      return e->encoding() == value_encoding::skiplist ? zset_ref(e).size() : 1;
    case value_type::stream: {
      // Redis's estimate: nodes plus every group's pending entries.
      const stream& s = stream_of(e);
      size_t effort = s.nodes.size();
      for (auto& [name, g] : s.groups) effort += 1 + g->pel.size();
      return effort;
    }
    default:
      return 1;
  }
}

entry_chain entry_chain::single(kv_entry* e) {
  if (e != nullptr) e->next = nullptr;
  return entry_chain(e, 1);
}

entry_chain entry_chain::whole_table(dict&& table) {
  entry_chain c;
  c.count_ = table.size();
  if (c.count_ > 0) c.table_.reset(new dict(std::move(table)));
  return c;
}

void entry_chain::dict_deleter::operator()(dict* d) const {
  delete d;
}

entry_chain& entry_chain::operator=(entry_chain&& o) noexcept {
  if (this != &o) {
    release();
    head_ = o.head_;
    count_ = o.count_;
    table_ = std::move(o.table_);
    o.head_ = nullptr;
    o.count_ = 0;
  }
  return *this;
}

size_t entry_chain::release() {
  size_t n = 0;
  if (table_) {
    n = table_->size();
    table_.reset();  // the table's destructor frees its entries
  }
  kv_entry* e = head_;
  head_ = nullptr;
  count_ = 0;
  while (e != nullptr) {
    kv_entry* next = e->next;
    destroy_entry(e);
    e = next;
    ++n;
  }
  return n;
}

bool lazy_free_queue::push(entry_chain chain) {
  if (chain.empty()) return false;
  pending_.fetch_add(chain.size(), std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(mutex_);
  bool was_empty = queued_.empty();
  queued_.push_back(std::move(chain));
  return was_empty;
}

uint64_t lazy_free_queue::free_all() {
  std::vector<entry_chain> batch;
  {
    std::lock_guard<std::mutex> g(mutex_);
    batch.swap(queued_);
  }
  uint64_t total = 0;
  for (auto& chain : batch) {
    size_t expected = chain.size();
    size_t n = chain.release();
    total += n;
    pending_.fetch_sub(expected, std::memory_order_relaxed);
    freed_.fetch_add(n, std::memory_order_relaxed);
  }
  return total;
}

}  // namespace troupe
