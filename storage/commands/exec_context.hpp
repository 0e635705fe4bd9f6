// Everything a command implementation sees: its arguments, where to write the
// reply, the client's session, and key lookup with Redis's semantics (lazy
// expiry, hit/miss statistics, LRU touch). The dispatcher builds one per command
// after taking every shard the command needs.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/keyspace/keyspace.hpp"

namespace troupe {

// How a blocking command behaves when nothing is there to serve.
enum class block_mode : uint8_t {
  can_block,   // block the client
  reply_null,  // inside MULTI: reply nil at once
  retry,       // replayed for a waiter: keep waiting silently (wrong type too)
};

// A key resolved to its shard and database slice.
struct key_ref {
  std::string_view name;
  uint64_t hash;
  shard_store* shard;
  db_slice* db;
  int db_index;
};

// Redis's shared error replies.
namespace errors {
inline constexpr std::string_view wrongtype =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view syntax = "ERR syntax error";
inline constexpr std::string_view not_integer = "ERR value is not an integer or out of range";
inline constexpr std::string_view not_float = "ERR value is not a valid float";
inline constexpr std::string_view no_such_key = "ERR no such key";
inline constexpr std::string_view out_of_range = "ERR index out of range";
inline constexpr std::string_view db_range = "ERR DB index is out of range";
inline constexpr std::string_view overflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view too_big =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
}  // namespace errors

// An argument as Redis prints it inside an error message: Redis formats
// arguments into errors as C strings, so the text ends at the first NUL byte.
inline std::string_view as_c_string(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

struct exec_context {
  // Only the dispatcher builds one (storage/dispatcher.cpp).
  exec_context(const std::vector<std::string_view>& args, reply_writer& out, session& client,
               keyspace& ks, server_services& srv, const command_spec& cmd, int64_t now_ms,
               dispatcher& engine, command_origin origin)
      : argv(args),
        out(out),
        client(client),
        ks(ks),
        srv(srv),
        cmd(cmd),
        engine(engine),
        origin(origin),
        now(now_ms),
        db_index(client.current_db()) {}

  const std::vector<std::string_view>& argv;
  reply_writer& out;
  session& client;
  keyspace& ks;
  server_services& srv;
  const command_spec& cmd;
  dispatcher& engine;     // runs nested commands (EXEC) and owns transactions
  command_origin origin;  // who sent the command
  int64_t now;            // milliseconds, one value for the whole command
  int db_index;           // the client's selected database

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  // Case-insensitive comparison of argument i with an option name.
  bool arg_is(size_t i, std::string_view option) const { return iequals(argv[i], option); }

  key_ref key(std::string_view name, int db) {
    shard_store* s = &ks.shard(ks.shard_of_key(name));
    return {name, hash_key(name), s, &s->db(db), db};
  }
  key_ref key(std::string_view name) { return key(name, db_index); }
  key_ref key_at(size_t i) { return key(argv[i]); }

  // For reads: the live entry or nullptr; counts a hit or a miss. An access
  // updates the key's LRU clock or LFU counter unless `touch` is off (Redis's
  // LOOKUP_NOTOUCH: EXISTS, TYPE, TTL, OBJECT) or the client said CLIENT NO-TOUCH.
  kv_entry* lookup_read(const key_ref& k, bool touch = true);
  // For writes and type checks: the live entry or nullptr, no statistics.
  kv_entry* lookup(const key_ref& k, bool touch = true);
  // Where the live entry hangs (empty location if absent or just expired).
  dict::location locate(const key_ref& k);
  // Deletes the key if present; true when it existed (and was not expired).
  bool remove(const key_ref& k);
  // Adds a new entry for an absent key: the key is new (the "new" keyspace
  // event; clients blocked on it are woken). A new value starts a fresh LRU
  // clock or LFU counter; one that moved (RENAME, MOVE) keeps its own
  // (`fresh_access` off).
  void add(const key_ref& k, kv_entry* e, bool fresh_access = true);
  // Puts a new entry where the live entry at loc was. Redis deletes and adds in
  // RENAME and COPY REPLACE, so the key counts as new there too.
  void replace_as_new(const key_ref& k, dict::location loc, kv_entry* e, bool fresh_access = true);

  // -- eviction metadata (storage/eviction/key_access.hpp) ----------------------
  access_params access() const {
    const server_config& cfg = srv.config();
    access_params p;
    p.policy = cfg.maxmemory_policy.get();
    p.lru_clock = srv.lru_clock.load(std::memory_order_relaxed);
    p.now_ms = now;
    p.lru_fraction = lru_fraction_at(p.lru_clock, now);
    if (policy_is_lfu(p.policy)) {
      p.lfu_log_factor = cfg.lfu_log_factor.get();
      p.lfu_decay_time = cfg.lfu_decay_time.get();
    }
    return p;
  }
  // An access: the LRU clock, or one more LFU hit.
  void touch(kv_entry* e) { stamp_touched(e, e->lru(), access()); }
  // A value written over another (SET): as Redis's dbOverwrite, LFU keeps the
  // old key's counter (after this access), LRU takes the clock.
  void stamp_overwrite(kv_entry* fresh, uint32_t old_bits) {
    stamp_touched(fresh, old_bits, access());
  }

  // After a write: counts the change for save points and wakes WATCHers. A
  // command that changed something is journaled (AOF, replicas).
  void changed(const key_ref& k, int64_t n = 1) {
    ks.dirty.fetch_add(n, std::memory_order_relaxed);
    changes += n;
    ks.key_modified(k.db_index, k.name, client.id);
    // Stream readers wait on keys that exist: any change may concern them
    // (new entries, a group or the key gone).
    if (ks.blocked_clients.load(std::memory_order_relaxed) > 0) signal_changed_key(k);
  }

  // -- propagation ----------------------------------------------------------
  // What the journal records for this command: by default its arguments, if it
  // changed anything. A command whose effect is not reproducible from its
  // arguments (relative TTLs, random pops, floats) states what to record.
  int64_t changes = 0;
  std::vector<std::vector<std::string>> rewritten;
  void propagate(std::vector<std::string> args) { rewritten.push_back(std::move(args)); }
  // Journals an extra command right away (e.g. the DEL of a key found expired).
  void journal_now(std::vector<std::string> args) { srv.journal(db_index, args); }
  void notify(uint32_t cls, std::string_view event, const key_ref& k) {
    if (srv.config().notify_keyspace_events.get() & cls)
      srv.keyspace_event(cls, event, k.name, k.db_index);
  }

  void wrongtype() { out.error(errors::wrongtype); }
  void syntax_error() { out.error(errors::syntax); }
  // Redis's reply when a subcommand's own arguments do not fit it (CLIENT
  // UNBLOCK with five arguments, PUBSUB CHANNELS with two patterns).
  void subcommand_syntax_error();

  // -- blocking commands ------------------------------------------------------
  block_mode blocking = block_mode::can_block;
  bool block_requested = false;
  int64_t block_timeout_ms = 0;
  std::vector<std::string> block_keys;
  // The command the waiter replays, when not its own arguments (XREAD's "$"
  // resolved to the stream's last ID at the time it blocked).
  std::vector<std::string> block_args;
  // WRONGTYPE, except when replayed for a waiter (who keeps waiting, as in Redis 7.0).
  void wrongtype_unless_retry() {
    if (blocking != block_mode::retry) wrongtype();
  }

  // Parses argument i as an integer, replying with Redis's error if it is not.
  bool int_arg(size_t i, int64_t& v, std::string_view err = errors::not_integer);
  // Redis's getIntFromObjectOrReply: a 32-bit integer; `err` (when given)
  // answers both a non-number and one out of range.
  bool int32_arg(size_t i, int& v, std::string_view err = {});
  // A database index (SELECT, MOVE, COPY ... DB): a 32-bit integer, then
  // "DB index is out of range".
  bool db_arg(size_t i, int& db);

 private:
  bool expire_if_needed(const key_ref& k, dict::location loc);
  void key_created(const key_ref& k, const kv_entry* e);
  void signal_changed_key(const key_ref& k);
};

}  // namespace troupe
