// Replays every fuzz target's committed seeds (tests/fuzz/corpus/<target>) and
// past crashes (tests/fuzz/regressions/<target>) through the target's own
// oracles, in every build of the test suite (gcc, ASan), so a crash once fixed
// stays fixed even where clang and libFuzzer are not used. An oracle failure
// aborts, which fails the test.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#define TROUPE_FUZZ_TARGETS(X) \
  X(request_parser)            \
  X(config)                    \
  X(glob) X(restore) X(rdb) X(aof) X(cluster_bus) X(nodes_conf) X(proxy_yaml) X(reply_parser)

#define DECLARE_TARGET(name) extern "C" int fuzz_##name##_one_input(const uint8_t*, size_t);
TROUPE_FUZZ_TARGETS(DECLARE_TARGET)

namespace {

std::vector<std::filesystem::path> inputs_of(const std::string& target) {
  std::vector<std::filesystem::path> out;
  for (const char* kind : {"corpus", "regressions"}) {
    std::filesystem::path d =
        std::filesystem::path(TROUPE_SOURCE_DIR) / "tests/fuzz" / kind / target;
    if (!std::filesystem::is_directory(d)) continue;
    for (auto& f : std::filesystem::directory_iterator(d))
      if (f.is_regular_file()) out.push_back(f.path());
  }
  return out;
}

std::string bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void replay(const std::string& target, int (*one_input)(const uint8_t*, size_t)) {
  auto files = inputs_of(target);
  EXPECT_FALSE(files.empty()) << "no seeds for " << target;
  for (auto& f : files) {
    SCOPED_TRACE(f.string());
    std::string b = bytes_of(f);
    EXPECT_EQ(one_input(reinterpret_cast<const uint8_t*>(b.data()), b.size()), 0);
  }
}

}  // namespace

#define REPLAY_TEST(name)                   \
  TEST(fuzz_replay, name) {                 \
    replay(#name, fuzz_##name##_one_input); \
  }
TROUPE_FUZZ_TARGETS(REPLAY_TEST)
