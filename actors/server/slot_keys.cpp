#include "actors/server/slot_keys.hpp"

namespace troupe {

uint64_t count_keys_in_slot(server&, int) {
  return 0;
}
uint64_t keys_in_db0(server&) {
  return 0;
}
void delete_keys_in_slot(server&, int) {}

}  // namespace troupe
