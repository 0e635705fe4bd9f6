// The cluster bus's wire form of a cluster_message: a compact binary record
// (little-endian integers, length-prefixed strings, the 16384-slot bitmaps as
// 2 KB of bits). The cluster_node actors carry it inside a CAF message between
// processes; decoding trusts nothing, so a peer sending garbage gets its
// message dropped, never a crash.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "topology/cluster/cluster_messages.hpp"

namespace troupe::cluster {

std::string encode_message(const cluster_message& msg);
// nullopt for anything malformed: truncated, oversized, unknown type, a
// node id that is not 40 characters, trailing bytes.
std::optional<cluster_message> decode_message(std::string_view bytes);

}  // namespace troupe::cluster
