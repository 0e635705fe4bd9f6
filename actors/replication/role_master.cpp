#include "actors/replication/role_master.hpp"

#include "actors/replication/replication_master.hpp"
#include "actors/server/server.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {

void reply_master_role(exec_context& c, server& srv) {
  srv.replicas().write_role(c.out);
}

}  // namespace troupe
