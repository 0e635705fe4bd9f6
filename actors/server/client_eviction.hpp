// maxmemory-clients: when the normal and pub/sub clients together hold more
// than the limit (query buffers, output buffers, a fixed share per client),
// the biggest ones are disconnected first until they fit, as Redis 7.0's
// client eviction. Replicas, the master link, MONITOR clients and clients that
// said CLIENT NO-EVICT ON are spared. Run from the server cron.
#pragma once

namespace troupe {

class server;

// One check; disconnects what must go. Returns how many clients were evicted.
int evict_clients(server& srv);

}  // namespace troupe
