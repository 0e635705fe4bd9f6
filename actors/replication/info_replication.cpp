#include "actors/replication/info_replication.hpp"

#include <mutex>

#include "actors/server/server.hpp"

namespace troupe {
namespace {

void field(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}

void field(std::string& out, const char* name, int64_t value) {
  field(out, name, std::to_string(value));
}

}  // namespace

std::string replication_info_fields(server& srv) {
  std::string out;
  replication_state& rs = srv.replication();
  replication_ids ids;
  {
    std::lock_guard<std::mutex> g(rs.mutex);
    ids = rs.ids;
  }
  const journal& j = srv.journal_log();
  bool replica = rs.is_replica.load();
  field(out, "role", replica ? "slave" : "master");
  if (replica) out += srv.replica().info_fields();
  // connected_slaves, min_slaves_good_slaves, slaveN: a replica lists its own
  // replicas after its master's fields.
  srv.replicas().append_info_fields(out);
  field(out, "master_failover_state", srv.failover().state_name());
  field(out, "master_replid", ids.replid);
  field(out, "master_replid2", ids.replid2);
  field(out, "master_repl_offset", int64_t(j.repl_offset()));
  field(out, "second_repl_offset", ids.second_offset);
  field(out, "repl_backlog_active", j.backlog_active() ? 1 : 0);
  field(out, "repl_backlog_size", int64_t(j.backlog_size()));
  field(out, "repl_backlog_first_byte_offset", int64_t(j.backlog_first_offset()));
  field(out, "repl_backlog_histlen", int64_t(j.backlog_histlen()));
  return out;
}

}  // namespace troupe
