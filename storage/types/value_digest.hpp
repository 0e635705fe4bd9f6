// DEBUG DIGEST and DIGEST-VALUE: a SHA1-based signature of a value or of the
// whole dataset, computed as Redis 7.0 computes it, so that the same data
// gives the same 40 hex digits on Troupe and on redis-server (tests and
// operators compare datasets across the two with it).
//
// The scheme (Redis's debug.c, reimplemented from its description):
//   xor(d, data):  d ^= SHA1(data)                     order-free (sets, hashes)
//   mix(d, data):  d = SHA1(d ^ SHA1(data))            order-preserving
// A value's digest mixes its type (4 bytes, big endian), then its content:
// a string whole; list elements in order (mix); set members (xor); each zset
// member and score ("%.17g") mixed into a member digest that is xored in; each
// hash field and value mixed likewise. A key with a TTL xors "!!expire!!".
// The dataset: for each non-empty database, mix its index (4 bytes, big
// endian), then xor in, for every key, mix(0, key) extended by the value's
// digest.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe {

struct kv_entry;
class keyspace;

using digest20 = std::array<uint8_t, 20>;

// The value's digest, starting from `d` (zero for DIGEST-VALUE, the key's mix
// for the dataset digest).
void add_value_digest(digest20& d, const kv_entry* e);
// Every database of the keyspace (the caller holds every shard).
digest20 dataset_digest(keyspace& ks);
std::string digest_hex(const digest20& d);

}  // namespace troupe
