// Lazy freeing (UNLINK, FLUSHALL ASYNC, lazyfree-*) without raw pointers in
// messages. A command detaches entries from the keyspace and hands them over
// as an entry_chain, which owns them: whoever holds it last frees them, so
// they can neither leak nor be freed twice. The chains wait in a
// lazy_free_queue until the background freer takes them all at once; the only
// message the freer receives is a wake-up, sent when the queue goes from
// empty to non-empty, so a burst of UNLINKs costs one message, not one each.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace troupe {

struct kv_entry;
class dict;

// What freeing a value costs, as Redis measures it: the elements of a hash
// table or skiplist, the nodes of a quicklist, 1 for a string or a compact
// encoding. UNLINK and lazy DEL free a value in the background only above
// lazyfree_threshold (Redis's LAZYFREE_THRESHOLD); a small one costs less to
// free at once than to hand over.
size_t free_effort(kv_entry* e);
inline constexpr size_t lazyfree_threshold = 64;

// Entries linked by `next`, owned: destroying the chain frees every entry.
class entry_chain {
 public:
  entry_chain() = default;
  // Takes `count` entries starting at `head` (linked by next, null-terminated).
  entry_chain(kv_entry* head, size_t count) : head_(head), count_(head ? count : 0) {}
  // One entry detached from its bucket (its `next` is cleared here).
  static entry_chain single(kv_entry* e);
  // A whole table handed over as it is (FLUSHALL ASYNC): the caller's thread
  // walks nothing, the freer destroys the table and its entries.
  static entry_chain whole_table(dict&& table);
  entry_chain(entry_chain&& o) noexcept
      : head_(o.head_), count_(o.count_), table_(std::move(o.table_)) {
    o.head_ = nullptr;
    o.count_ = 0;
  }
  entry_chain& operator=(entry_chain&& o) noexcept;
  entry_chain(const entry_chain&) = delete;
  entry_chain& operator=(const entry_chain&) = delete;
  ~entry_chain() { release(); }

  bool empty() const { return head_ == nullptr && table_ == nullptr; }
  size_t size() const { return count_; }
  // Frees every entry now; returns how many were freed.
  size_t release();

 private:
  kv_entry* head_ = nullptr;
  size_t count_ = 0;
  // dict is incomplete here: its deleter is defined with it in lazy_free.cpp.
  struct dict_deleter {
    void operator()(dict* d) const;
  };
  std::unique_ptr<dict, dict_deleter> table_;
};

// Chains waiting for the background freer. Any thread may push; one consumer
// frees. What is still queued when the queue is destroyed is freed then.
class lazy_free_queue {
 public:
  // Queues the chain; true when the queue was empty, i.e. the consumer must be
  // woken (it takes everything queued when it runs).
  bool push(entry_chain chain);
  // Frees everything queued (consumer); returns the number of entries freed.
  uint64_t free_all();

  // lazyfree_pending_objects and lazyfreed_objects.
  uint64_t pending() const { return pending_.load(std::memory_order_relaxed); }
  uint64_t freed() const { return freed_.load(std::memory_order_relaxed); }
  void reset_freed() { freed_.store(0, std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  std::vector<entry_chain> queued_;
  std::atomic<uint64_t> pending_{0}, freed_{0};
};

}  // namespace troupe
