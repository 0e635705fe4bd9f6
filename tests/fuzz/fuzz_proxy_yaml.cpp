// Fuzzes proxy mode's pool file (a nutcracker YAML file is input too):
// parse_nutcracker_yaml must refuse a bad file with a message and never throw
// or crash; every accepted pool must build a ring that routes keys to one of
// its servers, through failures, ejections and restores; and every hash
// function must take any bytes as a key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "topology/proxy/pool_config.hpp"
#include "topology/proxy/proxy_hash.hpp"
#include "topology/proxy/proxy_ring.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace troupe::proxy;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int k = 0; k <= static_cast<int>(hash_kind::jenkins); k++) {
    (void)proxy_hash(static_cast<hash_kind>(k), text);
  }
  std::vector<pool_config> pools;
  std::string err;
  try {
    err = parse_nutcracker_yaml(text, pools);
  } catch (...) {
    FUZZ_CHECK(!"parse_nutcracker_yaml threw");
  }
  if (!err.empty()) {
    FUZZ_CHECK(pools.empty());
    return 0;
  }
  FUZZ_CHECK(!pools.empty());
  for (auto& p : pools) {
    FUZZ_CHECK(!p.servers.empty());
    for (const auto& s : p.servers) FUZZ_CHECK(s.weight > 0);
    FUZZ_CHECK(p.hash_tag.empty() || p.hash_tag.size() == 2);
    p.auto_eject_hosts = true;  // exercise the ejection bookkeeping as well
    proxy_ring ring(p);
    FUZZ_CHECK(ring.server_count() == p.servers.size());
    int64_t now = 1;
    for (size_t i = 0; i < 64; i++) {
      std::string key = std::string(text.substr(0, i % 17)) + std::to_string(i);
      size_t s = ring.server_for(key);
      FUZZ_CHECK(s == proxy_ring::npos ? ring.live_count() == 0 : s < p.servers.size());
      if (s != proxy_ring::npos) {
        FUZZ_CHECK(!ring.is_ejected(s));
        if (i % 3 == 0) ring.record_failure(s, now);
        if (i % 7 == 0) ring.record_success(s);
      }
      now += 1 + static_cast<int64_t>(i) * 997;
      ring.maybe_restore(now);
    }
  }
  return 0;
}
