#include "topology/replication/replication_ids.hpp"

#include <random>

namespace troupe {

std::string random_hex_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char hex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (auto& c : id) c = hex[rng() % 16];
  return id;
}

void replication_ids::shift(int64_t offset) {
  replid2 = replid;
  // The next byte a replica of the old history would ask for is offset + 1;
  // anything up to it is the same stream in both histories.
  second_offset = offset + 1;
  replid = random_hex_id();
}

void replication_ids::clear_secondary() {
  replid2 = std::string(40, '0');
  second_offset = -1;
}

}  // namespace troupe
