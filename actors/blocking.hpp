// Serving clients blocked on keys that a command just created (see
// storage/blocking.hpp). Runs on the reactor of the connection whose command
// created the keys, after that command released its shards.
#pragma once

#include "storage/blocking.hpp"

namespace troupe {
class server;
class keyspace;
void serve_ready_keys(server& srv);
// Takes a blocked client off the queues of all its keys (their shards are held).
void forget_waiter(keyspace& ks, const blocked_ptr& w);
}  // namespace troupe
