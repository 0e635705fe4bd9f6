// DUMP and RESTORE: a value serialized in RDB form with Redis 7.0's footer
// (version + CRC64), so values move between Troupe and Redis in both directions.
#include <string>

#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/rdb/rdb_dump.hpp"
#include "storage/rdb/rdb_value.hpp"

namespace troupe {
namespace {

// DUMP compresses like SAVE does; rdbcompression is on by default in Redis.
// TODO(lead): follow the rdbcompression directive once it is a live setting.
constexpr bool dump_compression = true;

void cmd_dump(exec_context& c) {
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.null();
  c.out.bulk(make_dump_payload(e, dump_compression));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void cmd_restore(exec_context& c) {
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t j = 4; j < c.argc(); ++j) {
    size_t more = c.argc() - j - 1;
    if (c.arg_is(j, "replace")) {
      replace = true;
    } else if (c.arg_is(j, "absttl")) {
      absttl = true;
    } else if (c.arg_is(j, "idletime") && more >= 1 && freq == -1) {
      if (!c.int_arg(j + 1, idle)) return;
      if (idle < 0) return c.out.error("ERR Invalid IDLETIME value, must be >= 0");
      ++j;
    } else if (c.arg_is(j, "freq") && more >= 1 && idle == -1) {
      if (!c.int_arg(j + 1, freq)) return;
      if (freq < 0 || freq > 255)
        return c.out.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      ++j;
    } else {
      return c.syntax_error();
    }
  }
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (!replace && loc) return c.out.error("BUSYKEY Target key name already exists.");
  int64_t ttl;
  if (!c.int_arg(2, ttl)) return;
  if (ttl < 0) return c.out.error("ERR Invalid TTL value, must be >= 0");
  std::string_view payload = c.arg(3);
  if (!verify_dump_payload(payload, c.srv.skip_checksum_validation.load(std::memory_order_relaxed)))
    return c.out.error("ERR DUMP payload version or checksum are wrong");
  kv_entry* e = load_dump_payload(payload, k.name, ttl != 0, load_limits_of(c.srv.config()));
  if (e == nullptr) return c.out.error("ERR Bad data format");

  bool deleted = false;
  if (replace && loc) {
    k.db->remove(loc);
    deleted = true;
  }
  if (ttl != 0 && !absttl) ttl += c.now;
  if (ttl != 0 && ttl <= c.now) {
    // Already expired: the key is not created (an old one is still replaced).
    destroy_entry(e);
    if (deleted) {
      c.changed(k);
      c.notify(notify_generic, "del", k);
      c.propagate({"DEL", std::string(k.name)});
    }
    return c.out.ok();
  }
  if (ttl != 0) e->set_expire_at(ttl);
  c.add(k, e);
  // As Redis's objectSetLRUOrLFU: FREQ sets the counter under an LFU policy,
  // IDLETIME the clock under any other; otherwise the key starts afresh.
  access_params p = c.access();
  if (policy_is_lfu(p.policy)) {
    if (freq >= 0) e->set_lru((lfu_minutes_at(c.now) << 8) | uint32_t(freq));
  } else if (idle >= 0) {
    e->set_lru(lru_for_idle(p.lru_clock & lru_clock_max, uint64_t(idle)));
  }
  c.changed(k);
  c.notify(notify_generic, "restore", k);
  if (ttl != 0 && !absttl) {
    // Replicas and the AOF get the absolute expiry time.
    std::vector<std::string> args(c.argv.begin(), c.argv.end());
    args[2] = std::to_string(ttl);
    args.push_back("ABSTTL");
    c.propagate(std::move(args));
  }
  c.out.ok();
}

const command_def dump_commands[] = {
    {"dump", 2, "readonly", 1, 1, 1, "", cmd_dump,
     "Return a serialized version of the value stored at the specified key.", "2.6.0",
     "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of "
     "Redis objects composing the value and M their average size. For small string values the "
     "time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
     "key"},
    {"restore", -4, "write denyoom", 1, 1, 1, "@dangerous", cmd_restore,
     "Create a key using the provided serialized value, previously obtained using DUMP.", "2.6.0",
     "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, "
     "where N is the number of Redis objects composing the value and M their average size. For "
     "small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply "
     "O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting "
     "values into sorted sets is O(log(N)).",
     "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"},
};

// What MIGRATE sends in a cluster: RESTORE that an importing node serves
// without the client's ASKING (the "asking" flag).
const command_def restore_asking_commands[] = {
    {"restore-asking", -4, "write denyoom asking", 1, 1, 1, "@keyspace @dangerous", cmd_restore,
     "An internal command for migrating keys in a cluster", "3.0.0",
     "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, "
     "where N is the number of Redis objects composing the value and M their average size. For "
     "small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply "
     "O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting "
     "values into sorted sets is O(log(N)).",
     "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]", nullptr,
     "syscmd"},
};

}  // namespace

void register_dump_family(command_table& t) {
  t.add_all("generic", dump_commands);
  t.add_all("server", restore_asking_commands);
}

}  // namespace troupe
