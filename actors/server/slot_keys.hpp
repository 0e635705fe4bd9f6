// Keys by hash slot, for the cluster layer (placeholder until the per-slot
// index lands: counts are computed by walking, deletion is not done).
#pragma once
#include <cstdint>

namespace troupe {

class server;

uint64_t count_keys_in_slot(server& srv, int slot);
uint64_t keys_in_db0(server& srv);
void delete_keys_in_slot(server& srv, int slot);

}  // namespace troupe
