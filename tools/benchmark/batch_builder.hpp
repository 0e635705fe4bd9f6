// Builds the bytes of one pipelined batch for a connection. A single-command
// test keeps P pre-encoded copies and only rewrites the 12-digit random
// numbers in place; a mix (--ratio) assembles each batch from its templates.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/benchmark/random.hpp"
#include "tools/benchmark/test_catalog.hpp"

namespace troupe::bench {

class batch_builder {
 public:
  // `keys` is null when __rand_int__ must be sent as is (no -r).
  batch_builder(const test_spec& test, int pipeline, const key_picker* keys);

  // The bytes of `count` (1..pipeline) requests, randomized.
  std::string_view prepare(uint32_t count, rng& r);
  // Which op of the test request i of the last prepared batch is.
  uint32_t op_at(uint32_t i) const { return ops_.size() == 1 ? 0 : batch_ops_[i]; }
  size_t op_count() const { return ops_.size(); }

 private:
  uint32_t pick_op(rng& r) const;

  const std::vector<test_op>& ops_;
  const key_picker* keys_;
  uint32_t pipeline_;
  uint32_t total_weight_ = 0;
  std::string buffer_;
  std::vector<uint32_t> ends_;          // single op: end of request i in buffer_
  std::vector<uint32_t> rand_offsets_;  // single op: placeholders of all P copies, in order
  uint32_t rands_per_request_ = 0;
  std::vector<uint32_t> batch_ops_;  // mix: op of each request of the last batch
};

}  // namespace troupe::bench
