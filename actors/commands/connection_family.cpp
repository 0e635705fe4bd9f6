// Connection commands: PING ECHO QUIT SELECT HELLO AUTH RESET and CLIENT.
#include <caf/all.hpp>

#include <optional>

#include "actors/client/connection.hpp"
#include "actors/commands/command_families.hpp"
#include "actors/commands/server_of.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
namespace {

void cmd_ping(exec_context& c) {
  if (c.argc() > 2) {
    c.out.error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  // A RESP2 subscriber gets PING's answer as a pub/sub style array.
  if (c.client.resp == 2 && c.client.has(client_pubsub)) {
    c.out.array(2);
    c.out.bulk("pong");
    c.out.bulk(c.argc() == 2 ? c.arg(1) : "");
    return;
  }
  if (c.argc() == 2)
    c.out.bulk(c.arg(1));
  else
    c.out.simple("PONG");
}

void cmd_echo(exec_context& c) {
  c.out.bulk(c.arg(1));
}

void cmd_quit(exec_context& c) {
  c.out.ok();
  c.client.set(client_close_after_reply);
}

void cmd_select(exec_context& c) {
  int db;
  if (!c.int32_arg(1, db)) return;
  if (db != 0 && c.srv.cluster_enabled())
    return c.out.error("ERR SELECT is not allowed in cluster mode");
  if (db < 0 || db >= c.ks.databases()) return c.out.error(errors::db_range);
  c.client.db.store(db, std::memory_order_relaxed);
  c.out.ok();
}

// AUTH [username] password and HELLO's AUTH, against the ACL users: on success
// the client runs as that user; a failure is logged in ACL LOG.
bool check_password(exec_context& c, std::string_view user, std::string_view pass,
                    const char* command) {
  acl_user_ptr slot = c.srv.acl.authenticate(user, pass);
  if (slot == nullptr) {
    acl_log_entry e;
    e.reason = "auth";
    e.context = c.client.has(client_multi) ? "multi" : "toplevel";
    e.object = command;
    e.username = user;
    e.created_ms = wall_clock_ms();
    e.client_info = c.srv.client_info(c.client);
    c.srv.acl.log.add(std::move(e), size_t(c.srv.config().acllog_max_len.get()));
    return false;
  }
  {
    std::lock_guard<std::mutex> g(c.client.mutex);
    c.client.user = slot->name();
  }
  c.client.acl_user = std::move(slot);
  c.client.authenticated = true;
  return true;
}

const char* const wrongpass = "WRONGPASS invalid username-password pair or user is disabled.";

void cmd_auth(exec_context& c) {
  if (c.argc() > 3) return c.syntax_error();
  std::string_view user = c.argc() == 3 ? c.arg(1) : "default";
  std::string_view pass = c.argc() == 3 ? c.arg(2) : c.arg(1);
  if (c.argc() == 2 && c.srv.acl.default_user()->rules()->nopass)
    return c.out.error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
  if (!check_password(c, user, pass, "AUTH")) {
    log_warning("AUTH failed for client id={} addr={}", c.client.id, c.client.addr);
    return c.out.error(wrongpass);
  }
  c.out.ok();
}

bool valid_client_name(std::string_view name) {
  for (unsigned char ch : name)
    if (ch < '!' || ch > '~') return false;
  return true;
}

void cmd_hello(exec_context& c) {
  int proto = c.client.resp;
  size_t i = 1;
  if (c.argc() >= 2) {
    auto v = parse_int64(c.arg(1));
    if (!v) return c.out.error("ERR Protocol version is not an integer or out of range");
    if (*v < 2 || *v > 3) return c.out.error("NOPROTO unsupported protocol version");
    proto = int(*v);
    i = 2;
  }
  std::string_view setname;
  bool want_name = false;
  for (; i < c.argc(); ++i) {
    bool more = i + 1 < c.argc();
    if (c.arg_is(i, "auth") && i + 2 < c.argc()) {
      if (!check_password(c, c.arg(i + 1), c.arg(i + 2), "HELLO")) return c.out.error(wrongpass);
      i += 2;
    } else if (c.arg_is(i, "setname") && more) {
      setname = c.arg(++i);
      want_name = true;
      if (!valid_client_name(setname))
        return c.out.error(
            "ERR Client names cannot contain spaces, newlines or special characters.");
    } else {
      return c.out.error("ERR Syntax error in HELLO option '" + std::string(as_c_string(c.arg(i))) +
                         "'");
    }
  }
  if (!c.client.authenticated && srv_of(c).auth_required())
    return c.out.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time");
  if (want_name) {
    std::lock_guard<std::mutex> g(c.client.mutex);
    c.client.name = setname;
  }
  c.client.resp = proto;
  c.out.set_resp(proto);
  c.out.map(7);
  c.out.bulk("server");
  c.out.bulk("redis");
  c.out.bulk("version");
  c.out.bulk("7.0.15");
  c.out.bulk("proto");
  c.out.integer(proto);
  c.out.bulk("id");
  c.out.integer(int64_t(c.client.id));
  c.out.bulk("mode");
  c.out.bulk("standalone");
  c.out.bulk("role");
  c.out.bulk(c.srv.is_replica() ? "replica" : "master");
  c.out.bulk("modules");
  c.out.array(0);
}

void cmd_reset(exec_context& c) {
  // RESET ends MULTI, WATCH and subscriptions too, silently.
  auto& conn = *static_cast<connection*>(c.client.endpoint);
  if (c.client.has(client_multi)) c.engine.discard_transaction(c.client);
  c.engine.unwatch_all(c.client);
  conn.leave_all_subscriptions();
  conn.stop_monitoring();
  c.client.db.store(0, std::memory_order_relaxed);
  c.client.resp = 2;
  c.out.set_resp(2);
  // Back to the default user, authenticated only if it needs no password.
  c.client.authenticated = !srv_of(c).auth_required();
  c.client.acl_user = c.srv.acl.default_user();
  {
    std::lock_guard<std::mutex> g(c.client.mutex);
    c.client.user = "default";
  }
  c.client.clear(client_no_evict);
  c.client.clear(client_no_touch);
  c.client.clear(client_readonly);
  c.client.clear(client_asking);
  stop_client_tracking(c);
  {
    std::lock_guard<std::mutex> g(c.client.mutex);
    c.client.name.clear();
  }
  c.out.simple("RESET");
}

// -- CLIENT ---------------------------------------------------------------------------

std::string client_flags(const session& s) {
  std::string f;
  uint32_t v = s.flags.load(std::memory_order_relaxed);
  if (v & client_monitor) f += 'O';
  if (v & client_replica) f += 'S';
  if (v & client_master) f += 'M';
  if (v & client_pubsub) f += 'P';
  if (v & client_multi) f += 'x';
  if (v & client_blocked) f += 'b';
  if (v & client_tracking) f += 't';
  if (v & client_tracking_broken_redir) f += 'R';
  if (v & client_tracking_bcast) f += 'B';
  if (v & client_dirty_cas) f += 'd';
  if (v & client_close_after_reply) f += 'c';
  if (v & client_unix_socket) f += 'U';
  if (v & client_readonly) f += 'r';
  if (v & client_close_asap) f += 'A';
  if (v & client_no_evict) f += 'e';
  if (v & client_no_touch) f += 'T';
  if (f.empty()) f = "N";
  return f;
}

std::string client_line(const session& s, int64_t now) {
  std::string name, user;
  {
    std::lock_guard<std::mutex> g(s.mutex);
    name = s.name;
    user = s.user;
  }
  const command_spec* cmd = s.last_command.load(std::memory_order_relaxed);
  uint64_t qbuf = s.query_buffer.load(std::memory_order_relaxed);
  uint64_t qfree = s.query_buffer_free.load(std::memory_order_relaxed);
  uint64_t obl = s.output_bytes.load(std::memory_order_relaxed);
  std::string line;
  line.reserve(300);
  line += "id=" + std::to_string(s.id);
  line += " addr=" + s.addr;
  line += " laddr=" + s.laddr;
  line += " fd=" + std::to_string(s.fd);
  line += " name=" + name;
  line += " age=" + std::to_string((now - s.created_ms.load()) / 1000);
  line += " idle=" + std::to_string((now - s.last_interaction_ms.load()) / 1000);
  line += " flags=" + client_flags(s);
  line += " db=" + std::to_string(s.current_db());
  line += " sub=" + std::to_string(s.subscriptions.load());
  line += " psub=" + std::to_string(s.pattern_subscriptions.load());
  line += " ssub=" + std::to_string(s.shard_subscriptions.load());
  line += " multi=" + std::to_string(s.multi_queued.load());
  line += " qbuf=" + std::to_string(qbuf);
  line += " qbuf-free=" + std::to_string(qfree);
  line += " argv-mem=0 multi-mem=0";
  line += " rbs=" + std::to_string(qbuf + qfree) + " rbp=" + std::to_string(qbuf);
  line += " obl=" + std::to_string(obl) + " oll=0 omem=" + std::to_string(obl);
  line += " tot-mem=" + std::to_string(qbuf + qfree + obl + 1024);
  line += obl > 0 ? " events=rw" : " events=r";
  line += " cmd=" + (cmd != nullptr ? cmd->name : std::string("NULL"));
  line += " user=" + user;
  line +=
      " redir=" + std::to_string(s.has(client_tracking)
                                     ? int64_t(s.tracking_redirect.load(std::memory_order_relaxed))
                                     : -1);
  line += " resp=" + std::to_string(s.resp);
  return line;
}

}  // namespace

// ACL LOG's client-info is CLIENT LIST's line.
std::string server::client_info(const session& s) const {
  return client_line(s, wall_clock_ms());
}

namespace {

void cmd_client(exec_context&) {}

void cmd_client_id(exec_context& c) {
  c.out.integer(int64_t(c.client.id));
}

void cmd_client_setname(exec_context& c) {
  std::string_view name = c.arg(2);
  if (!valid_client_name(name))
    return c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
  {
    std::lock_guard<std::mutex> g(c.client.mutex);
    c.client.name = name;
  }
  c.out.ok();
}

void cmd_client_getname(exec_context& c) {
  std::string name;
  {
    std::lock_guard<std::mutex> g(c.client.mutex);
    name = c.client.name;
  }
  if (name.empty())
    c.out.null();
  else
    c.out.bulk(name);
}

enum class client_type { any, normal, master, replica, pubsub };

bool parse_client_type(std::string_view s, client_type& t) {
  if (iequals(s, "normal"))
    t = client_type::normal;
  else if (iequals(s, "master"))
    t = client_type::master;
  else if (iequals(s, "replica") || iequals(s, "slave"))
    t = client_type::replica;
  else if (iequals(s, "pubsub"))
    t = client_type::pubsub;
  else
    return false;
  return true;
}

bool type_matches(const session& s, client_type t) {
  switch (t) {
    case client_type::any:
      return true;
    case client_type::master:
      return s.has(client_master);
    case client_type::replica:
      return s.has(client_replica);
    case client_type::pubsub:
      return s.has(client_pubsub);
    case client_type::normal:
      return !s.has(client_master) && !s.has(client_replica) && !s.has(client_pubsub);
  }
  return false;
}

// As Redis 7.0: either TYPE <type> alone or ID <id> [<id> ...]; any integer
// is an id (one that names no client lists nothing).
void cmd_client_list(exec_context& c) {
  client_type type = client_type::any;
  std::vector<uint64_t> ids;
  bool by_id = false;
  if (c.argc() == 4 && c.arg_is(2, "type")) {
    if (!parse_client_type(c.arg(3), type))
      return c.out.error("ERR Unknown client type '" + std::string(as_c_string(c.arg(3))) + "'");
  } else if (c.argc() > 3 && c.arg_is(2, "id")) {
    by_id = true;
    for (size_t i = 3; i < c.argc(); ++i) {
      auto v = parse_int64(c.arg(i));
      if (!v) return c.out.error("ERR Invalid client ID");
      ids.push_back(uint64_t(*v));
    }
  } else if (c.argc() != 2) {
    return c.syntax_error();
  }
  int64_t now = wall_clock_ms();
  std::string text;
  srv_of(c).for_each_client([&](uint64_t id, client_record& r) {
    if (by_id && std::find(ids.begin(), ids.end(), id) == ids.end()) return;
    if (!type_matches(*r.s, type)) return;
    text += client_line(*r.s, now);
    text += '\n';
  });
  c.out.verbatim(text);
}

void cmd_client_info(exec_context& c) {
  c.out.verbatim(client_line(c.client, wall_clock_ms()) + "\n");
}

void cmd_client_kill(exec_context& c) {
  server& srv = srv_of(c);
  // Old form: CLIENT KILL addr:port
  if (c.argc() == 3) {
    std::string addr(c.arg(2));
    bool found = false;
    srv.for_each_client([&](uint64_t, client_record& r) {
      if (found || r.s->addr != addr) return;
      found = true;
      if (r.s == &c.client)
        c.client.set(client_close_after_reply);
      else
        caf::anon_send(r.handle, close_atom::value);
    });
    if (!found) return c.out.error("ERR No such client");
    return c.out.ok();
  }
  // Filters are read pair by pair, in order, so the first bad one is the one
  // reported; an empty ADDR or LADDR is a filter that matches nothing.
  uint64_t id = 0;
  client_type type = client_type::any;
  std::optional<std::string> addr, laddr;
  bool skipme = true;
  for (size_t i = 2; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) return c.syntax_error();
    std::string_view v = c.arg(i + 1);
    if (c.arg_is(i, "id")) {
      auto n = parse_int64(v);
      if (!n || *n <= 0) return c.out.error("ERR client-id should be greater than 0");
      id = uint64_t(*n);
    } else if (c.arg_is(i, "type")) {
      if (!parse_client_type(v, type))
        return c.out.error("ERR Unknown client type '" + std::string(as_c_string(v)) + "'");
    } else if (c.arg_is(i, "addr")) {
      addr = std::string(v);
    } else if (c.arg_is(i, "laddr")) {
      laddr = std::string(v);
    } else if (c.arg_is(i, "user")) {
      // Without ACL users, "default" is the only user.
      if (v != "default")
        return c.out.error("ERR No such user '" + std::string(as_c_string(v)) + "'");
    } else if (c.arg_is(i, "skipme")) {
      if (iequals(v, "yes"))
        skipme = true;
      else if (iequals(v, "no"))
        skipme = false;
      else
        return c.syntax_error();
    } else {
      return c.syntax_error();
    }
  }
  int64_t killed = 0;
  srv.for_each_client([&](uint64_t cid, client_record& r) {
    const session& s = *r.s;
    if (id != 0 && cid != id) return;
    if (!type_matches(s, type)) return;
    if (addr && s.addr != *addr) return;
    if (laddr && s.laddr != *laddr) return;
    if (r.s == &c.client) {
      if (skipme) return;
      c.client.set(client_close_after_reply);
    } else {
      caf::anon_send(r.handle, close_atom::value);
    }
    ++killed;
  });
  c.out.integer(killed);
}

void cmd_client_unblock(exec_context& c) {
  if (c.argc() > 4) return c.subcommand_syntax_error();
  bool with_error = false;
  if (c.argc() == 4) {
    if (c.arg_is(3, "error"))
      with_error = true;
    else if (!c.arg_is(3, "timeout"))
      return c.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  auto id = parse_int64(c.arg(2));
  if (!id) return c.out.error(errors::not_integer);
  bool found = false;
  srv_of(c).for_each_client([&](uint64_t cid, client_record& r) {
    if (cid != uint64_t(*id) || !r.s->has(client_blocked)) return;
    found = true;
    caf::anon_send(r.handle, cancel_atom::value, with_error);
  });
  c.out.integer(found ? 1 : 0);
}

// CLIENT PAUSE timeout [WRITE|ALL]: commands (or only writes) of other clients
// wait until the time has passed or CLIENT UNPAUSE.
void cmd_client_pause(exec_context& c) {
  pause_kind kind = pause_kind::all;
  if (c.argc() == 4) {
    if (c.arg_is(3, "write"))
      kind = pause_kind::write;
    else if (!c.arg_is(3, "all"))
      return c.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
  } else if (c.argc() > 4) {
    return c.subcommand_syntax_error();
  }
  auto timeout = parse_int64(c.arg(2));
  if (!timeout) return c.out.error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return c.out.error("ERR timeout is negative");
  // Redis 7.0 adds the time without an overflow check: an end beyond the
  // clock wraps into the past and the pause ends at once.
  int64_t end = *timeout > INT64_MAX - c.now ? 0 : c.now + *timeout;
  srv_of(c).pauses().pause(pause_purpose::client_command, kind, end);
  c.out.ok();
}

void cmd_client_unpause(exec_context& c) {
  srv_of(c).pauses().unpause(pause_purpose::client_command);
  c.out.ok();
}

void cmd_client_no_evict(exec_context& c) {
  if (c.arg_is(2, "on"))
    c.client.set(client_no_evict);
  else if (c.arg_is(2, "off"))
    c.client.clear(client_no_evict);
  else
    return c.syntax_error();
  c.out.ok();
}

// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP get no reply themselves; the
// connection drops the replies (connection.cpp, process_input).
void cmd_client_reply(exec_context& c) {
  if (c.arg_is(2, "on")) {
    c.client.clear(client_reply_off);
    c.client.clear(client_reply_skip_next);
    c.out.ok();
  } else if (c.arg_is(2, "off")) {
    c.client.set(client_reply_off);
  } else if (c.arg_is(2, "skip")) {
    if (!c.client.has(client_reply_off)) c.client.set(client_reply_skip_next);
  } else {
    c.syntax_error();
  }
}

void cmd_client_help(exec_context& c) {
  static const char* lines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

const command_def connection_commands[] = {
    {"ping", -1, "fast sentinel subscriber_ok", 0, 0, 0, "", cmd_ping, "Ping the server", "1.0.0",
     "O(1)", "[message]"},
    {"echo", 2, "loading stale fast", 0, 0, 0, "", cmd_echo, "Echo the given string", "1.0.0",
     "O(1)", "message"},
    {"quit", -1, "allow_busy loading stale no_auth fast subscriber_ok tx_control", 0, 0, 0, "",
     cmd_quit, "Close the connection", "1.0.0", "O(1)", ""},
    {"select", 2, "loading stale fast", 0, 0, 0, "", cmd_select,
     "Change the selected database for the current connection", "1.0.0", "O(1)", "index"},
    {"auth", -2, "noscript loading stale fast no_auth sentinel allow_busy", 0, 0, 0, "", cmd_auth,
     "Authenticate to the server", "1.0.0",
     "O(N) where N is the number of passwords defined for the user", "[username] password"},
    {"hello", -1, "noscript loading stale fast no_auth sentinel allow_busy", 0, 0, 0, "", cmd_hello,
     "Handshake with Redis", "6.0.0", "O(1)",
     "[protover [AUTH username password] [SETNAME clientname]]"},
    {"reset", 1, "noscript loading stale fast no_auth allow_busy subscriber_ok tx_control", 0, 0, 0,
     "", cmd_reset, "Reset the connection", "6.2.0", "O(1)", ""},
    {"client", -2, "sentinel", 0, 0, 0, "-@connection", cmd_client,
     "A container for client connection commands", "2.4.0", "Depends on subcommand.", ""},
    {"client|id", 2, "noscript loading stale sentinel", 0, 0, 0, "", cmd_client_id,
     "Returns the client ID for the current connection", "5.0.0", "O(1)", ""},
    {"client|setname", 3, "noscript loading stale sentinel", 0, 0, 0, "", cmd_client_setname,
     "Set the current connection name", "2.6.9", "O(1)", "connection-name"},
    {"client|getname", 2, "noscript loading stale sentinel", 0, 0, 0, "", cmd_client_getname,
     "Get the current connection name", "2.6.9", "O(1)", ""},
    {"client|list", -2, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_client_list,
     "Get the list of client connections", "2.4.0",
     "O(N) where N is the number of client connections",
     "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"},
    {"client|info", 2, "noscript loading stale sentinel", 0, 0, 0, "", cmd_client_info,
     "Returns information about the current client connection.", "6.2.0", "O(1)", ""},
    {"client|kill", -3, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_client_kill,
     "Kill the connection of a client", "2.4.0", "O(N) where N is the number of client connections",
     "ip:port|[ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] [ADDR "
     "ip:port] [LADDR ip:port] [SKIPME yes/no]"},
    {"client|unblock", -3, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_client_unblock,
     "Unblock a client blocked in a blocking command from a different connection", "5.0.0",
     "O(log N) where N is the number of client connections", "client-id [TIMEOUT|ERROR]"},
    {"client|pause", -3, "admin noscript loading stale", 0, 0, 0, "", cmd_client_pause,
     "Stop processing commands from clients for some time", "2.9.50", "O(1)",
     "timeout [WRITE|ALL]"},
    {"client|unpause", 2, "admin noscript loading stale", 0, 0, 0, "", cmd_client_unpause,
     "Resume processing of clients that were paused", "6.2.0",
     "O(N) Where N is the number of paused clients", ""},
    {"client|no-evict", 3, "admin noscript loading stale sentinel", 0, 0, 0, "",
     cmd_client_no_evict, "Set client eviction mode for the current connection", "7.0.0", "O(1)",
     "ON|OFF"},
    {"client|reply", 3, "noscript loading stale", 0, 0, 0, "", cmd_client_reply,
     "Instruct the server whether to reply to commands", "3.2.0", "O(1)", "ON|OFF|SKIP"},
    {"client|help", 2, "loading stale sentinel", 0, 0, 0, "", cmd_client_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
};

}  // namespace

void register_connection_family(command_table& t) {
  t.add_all("connection", connection_commands);
}

}  // namespace troupe
