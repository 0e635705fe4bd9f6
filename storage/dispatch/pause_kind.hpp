#pragma once

#include <cstdint>

namespace troupe {

// CLIENT PAUSE, a FAILOVER or a SHUTDOWN waiting for replicas: which clients'
// commands wait (postponed, not refused) until the pause ends. Writes are
// commands flagged write or may_replicate. Ordered: a stronger pause holds
// back more.
enum class pause_kind : uint8_t { none, write, all };

}  // namespace troupe
