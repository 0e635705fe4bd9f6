#include "storage/commands/exec_context.hpp"

#include "protocol/text/numbers.hpp"
#include "storage/keyspace/blocking.hpp"

namespace troupe {

bool exec_context::expire_if_needed(const key_ref& k, dict::location loc) {
  kv_entry* e = loc.entry();
  if (!e->has_expire() || e->expire_at() > now) return false;
  if (srv.is_replica()) {
    // A replica leaves expiry to its master, whose DEL arrives in the stream:
    // the master's own commands still see the key; a client sees it gone
    // without deleting it (a writable replica's writes do delete it, as in
    // Redis 7.0, though a replica journals nothing of its own).
    if (client.has(client_master)) return false;
    if (!(cmd.flags & cmd_write) || srv.config().replica_read_only.get()) return true;
  }
  // While clients are paused the stream must stand still (a FAILOVER compares
  // offsets): the key reads as gone and is deleted after the pause.
  if (srv.clients_paused() != pause_kind::none) return true;
  snapshot_touch(*k.shard, k.db_index, e);  // a snapshot in progress keeps it
  k.shard->stats().expired_keys.add();
  notify(notify_expired, "expired", k);
  ks.key_modified(k.db_index, k.name, client.id);
  // Replicas and the AOF learn of the expiry as an explicit delete.
  srv.journal(k.db_index, {"DEL", std::string(k.name)});
  // Group readers blocked on an expired stream are told it is gone.
  if (e->type() == value_type::stream && ks.blocked_clients.load(std::memory_order_relaxed) > 0)
    signal_changed_key(k);
  k.db->remove(loc);
  return true;
}

dict::location exec_context::locate(const key_ref& k) {
  dict::location loc = k.db->keys.locate(k.name, k.hash);
  if (loc && expire_if_needed(k, loc)) return {};
  // A write command may change what it finds: a snapshot in progress saves the
  // entry first (snapshot.hpp).
  if (loc && (cmd.flags & cmd_write)) snapshot_touch(*k.shard, k.db_index, loc.entry());
  return loc;
}

kv_entry* exec_context::lookup(const key_ref& k, bool touch_key) {
  dict::location loc = locate(k);
  if (!loc) return nullptr;
  kv_entry* e = loc.entry();
  if (touch_key && !client.has(client_no_touch)) touch(e);
  return e;
}

kv_entry* exec_context::lookup_read(const key_ref& k, bool touch_key) {
  kv_entry* e = lookup(k, touch_key);
  if (e == nullptr) {
    k.shard->stats().keyspace_misses.add();
    notify(notify_key_miss, "keymiss", k);
  } else {
    k.shard->stats().keyspace_hits.add();
  }
  return e;
}

bool exec_context::remove(const key_ref& k) {
  dict::location loc = locate(k);
  if (!loc) return false;
  k.db->remove(loc);
  return true;
}

void exec_context::add(const key_ref& k, kv_entry* e, bool fresh_access) {
  if (fresh_access) stamp_fresh(e, access());
  k.db->add(e, k.hash);
  key_created(k, e);
}

void exec_context::replace_as_new(const key_ref& k, dict::location loc, kv_entry* e,
                                  bool fresh_access) {
  if (fresh_access) stamp_fresh(e, access());
  k.db->replace(loc, e);
  key_created(k, e);
}

// What Redis does whenever it adds a key: note it as ready for clients blocked
// on it (lists and sorted sets; they are served after the command), and
// publish "new".
void exec_context::key_created(const key_ref& k, const kv_entry* e) {
  value_type t = e->type();
  if ((t == value_type::list || t == value_type::zset || t == value_type::stream) &&
      ks.blocked_clients.load(std::memory_order_relaxed) > 0)
    signal_key_ready(ks, *k.shard, k.db_index, k.name);
  notify(notify_new, "new", k);
}

void exec_context::signal_changed_key(const key_ref& k) {
  signal_key_ready(ks, *k.shard, k.db_index, k.name);
}

bool exec_context::int_arg(size_t i, int64_t& v, std::string_view err) {
  auto r = parse_int64(argv[i]);
  if (!r) {
    out.error(err);
    return false;
  }
  v = *r;
  return true;
}

void exec_context::subcommand_syntax_error() {
  std::string container(argv[0]);
  for (auto& ch : container) ch = char(toupper(static_cast<unsigned char>(ch)));
  out.error("ERR unknown subcommand or wrong number of arguments for '" +
            std::string(as_c_string(argv[1]).substr(0, 128)) + "'. Try " + container + " HELP.");
}

bool exec_context::int32_arg(size_t i, int& v, std::string_view err) {
  auto r = parse_int64(argv[i]);
  if (!r || *r < INT32_MIN || *r > INT32_MAX) {
    if (!err.empty())
      out.error(err);
    else if (!r)
      out.error(errors::not_integer);
    else
      out.error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return false;
  }
  v = int(*r);
  return true;
}

bool exec_context::db_arg(size_t i, int& db) {
  if (!int32_arg(i, db)) return false;
  if (db < 0 || db >= ks.databases()) {
    out.error(errors::db_range);
    return false;
  }
  return true;
}

}  // namespace troupe
