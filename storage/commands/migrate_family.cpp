// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
//         [AUTH password] [AUTH2 username password] [KEYS key [key ...]]
//
// As Redis 7.0 does it: the keys are serialized as DUMP payloads, sent to the
// target as RESTORE (RESTORE-ASKING in a cluster) after AUTH and SELECT, and
// each key the target acknowledged is deleted here (unless COPY) and
// propagated as one DEL. The exchange is synchronous, on the client's reactor,
// bounded by `timeout` for connect, each send and each reply, exactly as Redis
// blocks its event loop for it: that keeps the move atomic (no other command
// sees the key half-moved). Each MIGRATE opens its own connection (Redis keeps
// one cached for 10 s; the reply and the target's view are the same).
#include <string>

#include "protocol/resp/resp_client.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/rdb/rdb_dump.hpp"

namespace troupe {
namespace {

struct migrate_options {
  bool copy = false, replace = false;
  std::string username, password;
  bool auth = false;
  size_t first_key = 3, num_keys = 1;
};

// Options in Redis's order of checks; false once the error is written.
bool parse_options(exec_context& c, migrate_options& o) {
  for (size_t j = 6; j < c.argc(); ++j) {
    size_t more = c.argc() - 1 - j;
    if (c.arg_is(j, "copy")) {
      o.copy = true;
    } else if (c.arg_is(j, "replace")) {
      o.replace = true;
    } else if (c.arg_is(j, "auth")) {
      if (more == 0) return c.syntax_error(), false;
      o.auth = true;
      o.password = c.arg(++j);
    } else if (c.arg_is(j, "auth2")) {
      if (more < 2) return c.syntax_error(), false;
      o.auth = true;
      o.username = c.arg(++j);
      o.password = c.arg(++j);
    } else if (c.arg_is(j, "keys")) {
      if (!c.arg(3).empty()) {
        c.out.error(
            "ERR When using MIGRATE KEYS option, the key argument must be set to the empty "
            "string");
        return false;
      }
      o.first_key = j + 1;
      o.num_keys = c.argc() - j - 1;
      break;
    } else {
      return c.syntax_error(), false;
    }
  }
  return true;
}

void cmd_migrate(exec_context& c) {
  migrate_options o;
  if (!parse_options(c, o)) return;
  int64_t timeout = 0, db = 0, port = 0;
  if (!c.int_arg(5, timeout) || !c.int_arg(4, db)) return;
  if (timeout <= 0) timeout = 1000;
  // Redis lets the connection fail on a bad port; so does this.
  std::string port_text(c.arg(2));
  port = std::strtoll(port_text.c_str(), nullptr, 10);

  struct moving {
    key_ref key;
    std::string payload;
    int64_t ttl;
  };
  std::vector<moving> keys;
  for (size_t j = 0; j < o.num_keys; ++j) {
    key_ref k = c.key_at(o.first_key + j);
    kv_entry* e = c.lookup_read(k);
    if (e == nullptr) continue;
    int64_t ttl = 0;
    if (e->has_expire()) {
      ttl = e->expire_at() - c.now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    keys.push_back({k, make_dump_payload(e, true), ttl});
  }
  if (keys.empty()) return c.out.simple("NOKEY");

  int ms = timeout > 3600'000 * 24 ? 3600'000 * 24 : int(timeout);
  resp_client target;
  if (port <= 0 || port > 65535 || !target.connect(std::string(c.arg(1)), int(port), ms))
    return c.out.error("IOERR error or timeout connecting to the client");
  target.set_timeout(ms);
  if (o.auth) {
    if (o.username.empty())
      target.append({"AUTH", o.password});
    else
      target.append({"AUTH", o.username, o.password});
  }
  target.append({"SELECT", std::to_string(db)});
  const char* restore = c.srv.cluster_enabled() ? "RESTORE-ASKING" : "RESTORE";
  for (auto& m : keys) {
    std::vector<std::string> cmd = {restore, std::string(m.key.name), std::to_string(m.ttl),
                                    std::move(m.payload)};
    if (o.replace) cmd.push_back("REPLACE");
    target.append(cmd);
  }
  if (!target.flush()) return c.out.error("IOERR error or timeout writing to target instance");

  // The first error among AUTH, SELECT and the RESTOREs is the one reported;
  // every acknowledged key is moved all the same.
  std::string target_error;
  auto note = [&](const resp_value& v) {
    if (v.is_error() && target_error.empty()) target_error = v.str;
  };
  if (o.auth) {
    resp_value v = target.read_reply();
    if (v.is_error() && v.str.rfind("IO ", 0) == 0 && !target.error().empty())
      return c.out.error("IOERR error or timeout reading to target instance");
    note(v);
  }
  {
    resp_value v = target.read_reply();
    if (v.is_error() && v.str.rfind("IO ", 0) == 0 && !target.error().empty())
      return c.out.error("IOERR error or timeout reading to target instance");
    note(v);
  }
  bool socket_error = false;
  std::vector<std::string> del = {"DEL"};
  for (auto& m : keys) {
    resp_value v = target.read_reply();
    if (v.is_error() && v.str.rfind("IO ", 0) == 0 && !target.error().empty()) {
      socket_error = true;
      break;
    }
    if (v.is_error() || !target_error.empty()) {
      note(v);
      continue;
    }
    if (o.copy) continue;
    if (c.remove(m.key)) {
      c.changed(m.key);
      c.notify(notify_generic, "del", m.key);
      del.emplace_back(m.key.name);
    }
  }
  if (del.size() > 1) c.propagate(std::move(del));
  if (!target_error.empty())
    return c.out.error("ERR Target instance replied with error: " + target_error);
  if (socket_error) return c.out.error("IOERR error or timeout reading to target instance");
  c.out.ok();
}

// Redis's migrateGetKeys: the key argument, or everything after KEYS.
bool migrate_keys(const std::vector<std::string_view>& args, std::vector<int>& out) {
  size_t first = 3, num = 1;
  for (size_t i = 6; i < args.size(); ++i) {
    if (iequals(args[i], "auth")) {
      ++i;
    } else if (iequals(args[i], "auth2")) {
      i += 2;
    } else if (iequals(args[i], "keys")) {
      if (!args[3].empty()) return false;
      first = i + 1;
      num = args.size() - first;
      break;
    }
  }
  for (size_t i = 0; i < num; ++i) out.push_back(int(first + i));
  return true;
}

const command_def migrate_commands[] = {
    {"migrate", -6, "write", 3, 3, 1, "@keyspace @dangerous", cmd_migrate,
     "Atomically transfer a key from a Redis instance to another one.", "2.6.0",
     "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the "
     "target instance. See the pages of these commands for time complexity. Also an O(N) data "
     "transfer between the two instances is performed.",
     "host port key|\"\" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username "
     "password] [KEYS key [key ...]]",
     migrate_keys},
};

}  // namespace

void register_migrate_family(command_table& t) {
  t.add_all("generic", migrate_commands);
}

}  // namespace troupe
