#include "tools/benchmark/progress_line.hpp"

namespace troupe::bench {

std::string progress_line::format(const std::string& title, double rps, double overall_rps,
                                  double avg_ms, double overall_avg_ms, double elapsed_s) {
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "%s: rps=%.1f (overall: %.1f) avg_msec=%.3f (overall: %.3f) elapsed=%.1fs",
                title.c_str(), rps, overall_rps, avg_ms, overall_avg_ms, elapsed_s);
  return buf;
}

void progress_line::update(uint64_t finished, uint64_t latency_sum_us, uint64_t now_ns) {
  const double dt = double(now_ns - last_ns_) / 1e9;
  const double total_dt = double(now_ns - start_ns_) / 1e9;
  const uint64_t delta = finished - last_finished_;
  const double rps = dt > 0 ? double(delta) / dt : 0.0;
  const double overall = total_dt > 0 ? double(finished) / total_dt : 0.0;
  const double avg =
      delta > 0 ? double(latency_sum_us - last_latency_sum_) / double(delta) / 1000.0 : 0.0;
  const double overall_avg =
      finished > 0 ? double(latency_sum_us) / double(finished) / 1000.0 : 0.0;
  last_ns_ = now_ns;
  last_finished_ = finished;
  last_latency_sum_ = latency_sum_us;
  std::string text = format(title_, rps, overall, avg, overall_avg, total_dt);
  // Pad over a longer previous line.
  const size_t len = text.size();
  if (len < printed_) text.append(printed_ - len, ' ');
  std::fprintf(out_, "%s\r", text.c_str());
  std::fflush(out_);
  printed_ = len;
}

void progress_line::clear() {
  if (printed_ == 0) return;
  std::fprintf(out_, "%*s\r", int(printed_), "");
  std::fflush(out_);
  printed_ = 0;
}

}  // namespace troupe::bench
