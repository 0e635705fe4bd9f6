#include "tools/benchmark/batch_builder.hpp"

namespace troupe::bench {

batch_builder::batch_builder(const test_spec& test, int pipeline, const key_picker* keys)
    : ops_(test.ops), keys_(keys), pipeline_(uint32_t(pipeline < 1 ? 1 : pipeline)) {
  for (const auto& op : ops_) total_weight_ += op.weight;
  if (ops_.size() == 1) {
    const command_template& t = ops_[0].request;
    rands_per_request_ = uint32_t(t.rand_offsets.size());
    buffer_.reserve(t.bytes.size() * pipeline_);
    for (uint32_t i = 0; i < pipeline_; ++i) {
      const auto base = uint32_t(buffer_.size());
      buffer_ += t.bytes;
      ends_.push_back(uint32_t(buffer_.size()));
      for (uint32_t off : t.rand_offsets) rand_offsets_.push_back(base + off);
    }
  } else {
    batch_ops_.resize(pipeline_);
  }
}

uint32_t batch_builder::pick_op(rng& r) const {
  auto x = uint32_t(r.below(total_weight_));
  for (uint32_t i = 0; i < ops_.size(); ++i) {
    if (x < ops_[i].weight) return i;
    x -= ops_[i].weight;
  }
  return uint32_t(ops_.size() - 1);
}

std::string_view batch_builder::prepare(uint32_t count, rng& r) {
  if (count > pipeline_) count = pipeline_;
  if (ops_.size() == 1) {
    if (keys_ != nullptr) {
      const size_t n = size_t(count) * rands_per_request_;
      for (size_t i = 0; i < n; ++i) write_12_digits(&buffer_[rand_offsets_[i]], keys_->pick(r));
    }
    return std::string_view(buffer_.data(), ends_[count - 1]);
  }
  buffer_.clear();
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t op = pick_op(r);
    batch_ops_[i] = op;
    const command_template& t = ops_[op].request;
    const size_t base = buffer_.size();
    buffer_ += t.bytes;
    if (keys_ != nullptr) {
      for (uint32_t off : t.rand_offsets) write_12_digits(&buffer_[base + off], keys_->pick(r));
    }
  }
  return buffer_;
}

}  // namespace troupe::bench
