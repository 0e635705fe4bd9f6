// What command implementations in storage/ may ask of the running server,
// without knowing it is made of actors: live settings, keyspace events, and
// handing big values to the background freer. actors/server implements it.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/lazy_free.hpp"

namespace troupe {

// One write as the journal records it: the database and the command.
using journal_op = std::pair<int, std::vector<std::string>>;

struct kv_entry;

// Settings commands read on every call; CONFIG SET changes them from any thread.
struct live_settings {
  std::atomic<int64_t> proto_max_bulk_len{512LL * 1024 * 1024};
  std::atomic<int> databases{16};
  std::atomic<int> hz{10};
  std::atomic<int> reactor_spin_us{0};    // Troupe's reactor-spin-us
  std::atomic<uint32_t> notify_flags{0};  // notify-keyspace-events, parsed
  std::atomic<bool> lazyfree_lazy_user_del{false};
  std::atomic<bool> lazyfree_lazy_user_flush{false};
  std::atomic<bool> lazyfree_lazy_expire{false};
  std::atomic<bool> lazyfree_lazy_server_del{false};
  std::atomic<uint32_t> lru_clock{0};  // seconds, 24 bits, as Redis's LRU_CLOCK
  std::atomic<bool> stop_writes_on_bgsave_error{true};
  std::atomic<bool> has_save_points{true};
  // data model: encodings of small values (list-max-listpack-size and friends)
  std::atomic<int64_t> hash_max_listpack_entries{512};
  std::atomic<int64_t> hash_max_listpack_value{64};
  std::atomic<int64_t> set_max_intset_entries{512};
  std::atomic<int64_t> zset_max_listpack_entries{128};
  std::atomic<int64_t> zset_max_listpack_value{64};
  std::atomic<int> list_max_listpack_size{-2};
  std::atomic<int> list_compress_depth{0};
};

// Keyspace notification classes, Redis's letters K E g $ l s h z x e t m d n.
enum notify_class : uint32_t {
  notify_keyspace = 1u << 0,   // K
  notify_keyevent = 1u << 1,   // E
  notify_generic = 1u << 2,    // g
  notify_string = 1u << 3,     // $
  notify_list = 1u << 4,       // l
  notify_set = 1u << 5,        // s
  notify_hash = 1u << 6,       // h
  notify_zset = 1u << 7,       // z
  notify_expired = 1u << 8,    // x
  notify_evicted = 1u << 9,    // e
  notify_stream = 1u << 10,    // t
  notify_key_miss = 1u << 11,  // m
  notify_module = 1u << 12,    // d
  notify_new = 1u << 13,       // n
  notify_all = notify_generic | notify_string | notify_list | notify_set | notify_hash |
               notify_zset | notify_expired | notify_evicted | notify_stream | notify_module,
};

class server_services {
 public:
  virtual ~server_services() = default;
  live_settings settings;

  // Publishes a keyspace event (only called when notify_flags selects it).
  virtual void keyspace_event(uint32_t cls, std::string_view event, std::string_view key,
                              int db) = 0;
  // Frees detached entries in the background (the chain owns them until then).
  virtual void free_later(entry_chain chain) = 0;
  // Appends a write to the journal (AOF, replicas) in database db. Called with
  // the shards of the command's keys held, so the journal's order is the order
  // in which the writes happened.
  virtual void journal(int db, const std::vector<std::string>& args) = 0;
  // Appends the writes of one command or one EXEC together (MULTI/EXEC around
  // them when there is more than one).
  virtual void journal_ops(const std::vector<journal_op>& ops) = 0;
  // False while nothing reads the journal: commands skip building entries.
  virtual bool journal_active() const = 0;

  // -- what the dispatcher's checks ask ------------------------------------------
  // requirepass (or, later, ACL users) is set: clients must authenticate.
  virtual bool auth_required() const = 0;
  // The last background save failed and stop-writes-on-bgsave-error is on.
  virtual bool writes_refused() const = 0;
};

}  // namespace troupe
