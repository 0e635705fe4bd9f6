// The master's replication commands: REPLCONF (what a replica announces), SYNC
// and PSYNC (the connection then becomes a replica_feed, see
// actors/replication/replica_feed.hpp), and WAIT. ROLE is replicaof_family's
// (its master form is actors/replication/role_master.cpp).
#include <climits>

#include "actors/commands/describe_client.hpp"
#include "actors/commands/server_of.hpp"
#include "actors/replication/replica_request.hpp"
#include "actors/replication/replication_master.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"
#include "protocol/resp/split_args.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/client_endpoint.hpp"

namespace troupe {
namespace {

replica_request& request_of(session& s) {
  if (!s.replica) s.replica = std::make_shared<replica_request>();
  return *s.replica;
}

// REPLCONF <option> <value> [<option> <value> ...]
void cmd_replconf(exec_context& c) {
  if (c.argc() % 2 == 0) return c.syntax_error();
  replica_request& req = request_of(c.client);
  for (size_t j = 1; j < c.argc(); j += 2) {
    std::string_view value = c.arg(j + 1);
    if (c.arg_is(j, "listening-port")) {
      auto port = parse_int64(value);
      if (!port) return c.out.error(errors::not_integer);
      req.listening_port = int(*port);
    } else if (c.arg_is(j, "ip-address")) {
      if (value.size() >= 256)  // Redis's NET_HOST_STR_LEN
        return c.out.error("ERR REPLCONF ip-address provided by replica instance is too long: " +
                           std::to_string(value.size()) + " bytes");
      req.ip_address = std::string(value);
    } else if (c.arg_is(j, "capa")) {
      // Capabilities this master does not know are ignored.
      if (iequals(value, "eof")) req.capa_eof = true;
      if (iequals(value, "psync2")) req.capa_psync2 = true;
      if (iequals(value, "stream-while-loading")) req.capa_stream_while_loading = true;
    } else if (c.arg_is(j, "ack") || c.arg_is(j, "getack")) {
      // ACK from a replica goes to its feed; GETACK is for replicas of a
      // master. Neither gets a reply, whoever sends them.
      return;
    } else if (c.arg_is(j, "rdb-only")) {
      auto v = parse_int64(value);
      if (!v) return c.out.error(errors::not_integer);
      if (*v < 0 || *v > 1)
        return c.out.error("ERR value is out of range, value must between 0 and 1");
      req.rdb_only = *v == 1;
    } else if (c.arg_is(j, "rdb-filter-only")) {
      auto filters = split_args(value);
      if (!filters) return c.out.error("ERR Missing rdb-filter-only values");
      for (auto& f : *filters)
        if (!iequals(f, "functions"))
          return c.out.error("ERR Unsupported rdb-filter-only option: " + f);
      // Whatever the filters include, no data does: Troupe has no functions.
      req.exclude_data = true;
    } else {
      return c.out.error("ERR Unrecognized REPLCONF option: " + std::string(as_c_string(c.arg(j))));
    }
  }
  c.out.ok();
}

// SYNC and PSYNC <replid> <offset>: the reply is the replication stream, sent by
// the replica feed the connection turns into once this command returns.
void cmd_sync(exec_context& c) {
  if (c.client.has(client_replica)) return;  // already a replica: ignored, as Redis does
  server& srv = srv_of(c);
  // PSYNC replid offset FAILOVER: this node's master hands over to it (its
  // FAILOVER command) and continues as its replica.
  if (c.argc() > 3 && c.arg_is(0, "psync") && c.arg_is(3, "failover")) {
    std::string my_replid;
    {
      std::lock_guard<std::mutex> g(srv.replication().mutex);
      my_replid = srv.replication().ids.replid;
    }
    if (c.arg(1) != my_replid)
      return c.out.error("ERR PSYNC FAILOVER replid must match my replid.");
    log_warning("Failover request received for replid {}.", my_replid);
    srv.replica().promote(describe_client(c.client), "failover request");
  }
  if (srv.failover().in_progress())
    return c.out.error("NOMASTERLINK Can't SYNC while failing over");
  if (srv.is_replica() && !srv.master_link_up())
    return c.out.error("NOMASTERLINK Can't SYNC while not connected with my master");
  if (c.client.endpoint == nullptr || c.origin != command_origin::client)
    return c.out.error("ERR SYNC and PSYNC are invalid here");
  bool psync = c.arg_is(0, "psync");
  int64_t offset = -1;
  if (psync) {
    auto v = parse_int64(c.arg(2));
    if (!v) {
      log_warning("Replica {} asks for synchronization but with a wrong offset", c.client.addr);
      return c.out.error(errors::not_integer);
    }
    offset = *v;
  }
  replica_request& req = request_of(c.client);
  req.psync = psync;
  req.replid = psync ? std::string(c.arg(1)) : "?";
  req.offset = offset;
  // The connection sees the flag after this command and hands its socket over.
  c.client.set(client_replica);
}

// WAIT numreplicas timeout: blocks the client (not the reactor) until that many
// replicas acknowledged every write made so far, or the timeout passes.
void cmd_wait(exec_context& c) {
  server& srv = srv_of(c);
  if (srv.replication().is_replica.load())
    return c.out.error(
        "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 "
        "if a replica is configured to be writable (which is not the default) writes to "
        "replicas are just local and are not propagated.");
  auto numreplicas = parse_int64(c.arg(1));
  if (!numreplicas) return c.out.error(errors::not_integer);
  auto timeout = parse_int64(c.arg(2));
  if (!timeout) return c.out.error("ERR timeout is not an integer or out of range");
  if (*timeout < 0) return c.out.error("ERR timeout is negative");
  if (*timeout > 0 && *timeout > LLONG_MAX - c.now)
    return c.out.error("ERR timeout is out of range");
  replication_master& master = srv.replicas();
  // The replicas must have this client's last write (and so everything before it).
  int64_t offset = int64_t(srv.journal_log().repl_offset_of(c.client.woff));
  int acked = master.count_acked(offset);
  // Inside MULTI (or without a connection to wake) WAIT answers at once.
  reactor* home = current_reactor();
  if (acked >= *numreplicas || c.origin != command_origin::client || c.client.endpoint == nullptr ||
      home == nullptr)
    return c.out.integer(acked);
  auto w = std::make_shared<blocked_client>();
  w->s = &c.client;
  w->db = c.db_index;
  w->cmd = &c.cmd;
  c.ks.blocked_clients.fetch_add(1, std::memory_order_relaxed);
  c.client.set(client_blocked);
  c.client.endpoint->on_block(w, 0);  // its timeout is the replication master's
  master.add_waiter(w, *home, offset, *numreplicas, *timeout);
  master.request_acks();
}

const command_def replication_commands[] = {
    {"replconf", -1, "admin noscript loading stale allow_busy", 0, 0, 0, "", cmd_replconf,
     "An internal command for configuring the replication stream", "3.0.0", "O(1)", ""},
    {"sync", 1, "admin noscript no_async_loading no_multi", 0, 0, 0, "", cmd_sync,
     "Internal command used for replication", "1.0.0", "", ""},
    {"psync", -3, "admin noscript no_async_loading no_multi", 0, 0, 0, "", cmd_sync,
     "Internal command used for replication", "2.8.0", "", "replicationid offset"},
    {"wait", 3, "noscript", 0, 0, 0, "@connection", cmd_wait,
     "Wait for the synchronous replication of all the write commands sent in the context of "
     "the current connection",
     "3.0.0", "O(1)", "numreplicas timeout"},
};

}  // namespace

void register_replication_family(command_table& t) {
  t.add_all("server", replication_commands);
}

}  // namespace troupe
