#include "actors/commands/cluster_keyspace.hpp"

#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cluster_disabled(exec_context& c) {
  c.out.error("ERR This instance has cluster support disabled");
}

}  // namespace

void cmd_cluster_countkeysinslot(exec_context& c) {
  cluster_disabled(c);
}
void cmd_cluster_getkeysinslot(exec_context& c) {
  cluster_disabled(c);
}
void cmd_readonly_command(exec_context& c) {
  cluster_disabled(c);
}
void cmd_readwrite_command(exec_context& c) {
  cluster_disabled(c);
}
void cmd_asking_command(exec_context& c) {
  cluster_disabled(c);
}

}  // namespace troupe
