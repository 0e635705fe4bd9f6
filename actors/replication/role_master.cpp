#include "actors/replication/role_master.hpp"

#include "actors/server/server.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {

void reply_master_role(exec_context& c, server& srv) {
  c.out.array(3);
  c.out.bulk("master");
  c.out.integer(int64_t(srv.journal_log().repl_offset()));
  // The attached replicas (ip, port, acked offset) come with the replica feeds.
  c.out.array(0);
}

}  // namespace troupe
