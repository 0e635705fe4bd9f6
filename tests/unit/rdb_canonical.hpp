// One canonical line per key, the same whether it is read from a server over
// RESP or from an entry in memory, so that RDB and DUMP/RESTORE tests can
// compare whole keyspaces: "db key type encoding expire-ms items...".
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace troupe::rdb_test {

inline std::string score_text(double d) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}
inline std::string score_text(const std::string& s) {
  return score_text(strtod(s.c_str(), nullptr));
}

// Items are length-prefixed, so that any bytes compare unambiguously. Callers
// sort the items of unordered types.
inline std::string canon(int db, const std::string& key, const std::string& type,
                         const std::string& encoding, int64_t expire_ms,
                         const std::vector<std::string>& items) {
  std::string out = std::to_string(db) + " " + std::to_string(key.size()) + ":" + key + " " + type +
                    " " + encoding + " " + std::to_string(expire_ms);
  for (auto& i : items) out += " " + std::to_string(i.size()) + ":" + i;
  return out;
}

}  // namespace troupe::rdb_test
