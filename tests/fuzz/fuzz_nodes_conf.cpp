// Fuzzes nodes.conf loading (a file on disk is input too): parse_nodes_conf
// and apply_nodes_conf must refuse a bad file without crashing, and a state
// loaded from any accepted file must render and reload.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "topology/cluster/cluster_render.hpp"
#include "topology/cluster/cluster_state.hpp"
#include "topology/cluster/nodes_conf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace troupe::cluster;
  auto parsed = parse_nodes_conf(std::string_view(reinterpret_cast<const char*>(data), size));
  auto* conf = std::get_if<nodes_conf>(&parsed);
  if (!conf) return 0;
  uint64_t seed = 1;
  cluster_state st(
      {}, [&seed] { return seed = seed * 6364136223846793005ull + 1; }, 1000);
  if (apply_nodes_conf(*conf, st, 1000)) return 0;
  (void)nodes_text(st);
  (void)info_text(st);
  std::string written = write_nodes_conf(st);
  auto reparsed = parse_nodes_conf(written);
  FUZZ_CHECK(std::holds_alternative<nodes_conf>(reparsed));
  return 0;
}
