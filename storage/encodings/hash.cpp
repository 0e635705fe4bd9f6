#include "storage/encodings/hash.hpp"

namespace troupe {
uint64_t hash_seed = 0x6a09e667f3bcc908ULL;  // replaced by a random seed at start-up
}
