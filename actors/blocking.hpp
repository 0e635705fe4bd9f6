// Serving clients blocked on keys that a command just created (see
// storage/blocking.hpp). Runs on the reactor of the connection whose command
// created the keys, after that command released its shards.
#pragma once

namespace troupe {
class server;
void serve_ready_keys(server& srv);
}  // namespace troupe
