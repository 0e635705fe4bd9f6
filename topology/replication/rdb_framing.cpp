#include "topology/replication/rdb_framing.hpp"

#include "topology/replication/replication_ids.hpp"

namespace troupe {

std::string disk_payload_header(int64_t length) {
  return "$" + std::to_string(length) + "\r\n";
}

eof_payload_framing::eof_payload_framing() : mark_(random_hex_id()) {}

}  // namespace troupe
