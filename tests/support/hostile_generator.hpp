// Hostile argument lists for the commands of the catalog: extreme numbers,
// nan/inf, empty and binary strings, long strings, huge counts, the command's
// own option keywords in and out of place, keys of every type and repeated keys.
// Everything comes from one seeded RNG, so a seed replays the same commands.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hostile_catalog.hpp"

namespace troupe::test {

// The dataset both servers are reset to: keys of every type and encoding.
struct hostile_fixture {
  // Commands that build it (sent to both servers after FLUSHALL).
  static const std::vector<std::vector<std::string>>& commands();
  // Its key names, and members/fields found in its values.
  static const std::vector<std::string>& keys();
  static const std::vector<std::string>& members();
};

// Stands for the test connection's own client id / address; the runner
// substitutes each server's own value before sending (CLIENT KILL, UNBLOCK).
inline const std::string own_id_placeholder = "\x01OWN_ID";
inline const std::string own_addr_placeholder = "\x01OWN_ADDR";

class hostile_generator {
 public:
  // `directives`: config directives CONFIG SET may fuzz. `payloads`: valid DUMP
  // payloads for RESTORE.
  hostile_generator(const std::vector<fuzz_command>& catalog, std::vector<std::string> directives,
                    std::vector<std::string> payloads);

  void reseed(uint64_t seed) { rng_.seed(seed); }
  const fuzz_command& pick_command();
  // The whole command (its words, then arguments).
  std::vector<std::string> arguments(const fuzz_command& cmd);

 private:
  using segment = std::vector<std::string>;
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t below(size_t n) { return n ? std::uniform_int_distribution<size_t>(0, n - 1)(rng_) : 0; }
  template <class V>
  const auto& one_of(const V& v) {
    return v[below(v.size())];
  }

  std::string token_variant(const std::string& token);
  std::string key();
  std::string value_for(const doc_arg& a, const fuzz_command& cmd);
  std::string any_value();
  void grammar(const std::vector<doc_arg>& args, const fuzz_command& cmd, segment& out);
  void one_arg(const doc_arg& a, const fuzz_command& cmd, segment& out);
  segment soup(const fuzz_command& cmd);
  void mutate(segment& args, const fuzz_command& cmd);
  segment config_set();
  segment command_about_command(const fuzz_command& cmd);

  const std::vector<fuzz_command>& catalog_;
  std::vector<std::string> directives_, payloads_;
  std::vector<std::string> keys_used_;
  std::string group_;  // of the command being generated
  std::mt19937_64 rng_;
};

// Rewrites arguments that would make redis-server itself block for ever or
// run out of memory (a blocking command's timeout of 0, a huge negative
// SRANDMEMBER count): the reference must survive to be compared with.
void keep_reference_alive(std::vector<std::string>& args, const fuzz_command& cmd);

}  // namespace troupe::test
