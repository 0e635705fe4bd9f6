#include "tools/benchmark/report.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace troupe::bench {

namespace {

void appendf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string& out, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (size_t(n) < sizeof(buf)) {
    out.append(buf, size_t(n));
    return;
  }
  std::string big(size_t(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.resize(size_t(n));
  out += big;
}

double ms(uint64_t us) {
  return double(us) / 1000.0;
}
double pct_ms(const histogram& h, double p) {
  return ms(h.value_at_percentile(p));
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          appendf(out, "\\u%04x", c);
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// HdrHistogram's percentile iteration with one tick per half distance:
// 0%, 50%, 75%, 87.5%, ... the next tick halves the distance to 100%.
double next_percentile_tick(double p) {
  const auto halvings = int64_t(std::log(100.0 / (100.0 - p)) / std::log(2.0)) + 1;
  return p + 100.0 / std::pow(2.0, double(halvings));
}

void append_latency_json(std::string& out, const histogram& h) {
  appendf(out,
          "{\"avg\":%.3f,\"min\":%.3f,\"p50\":%.3f,\"p90\":%.3f,\"p95\":%.3f,\"p99\":%.3f,"
          "\"p99.9\":%.3f,\"p99.99\":%.3f,\"max\":%.3f}",
          h.mean() / 1000.0, ms(h.min()), pct_ms(h, 50), pct_ms(h, 90), pct_ms(h, 95),
          pct_ms(h, 99), pct_ms(h, 99.9), pct_ms(h, 99.99), ms(h.max()));
}

}  // namespace

std::string format_percentile_distribution(const histogram& h) {
  std::string out;
  const uint64_t total = h.count();
  if (total == 0) return out;
  uint64_t cum = 0;
  int64_t previous = -1;
  double target = 0;
  uint64_t value = 0;
  auto emit = [&](double p, uint64_t v, uint64_t c) {
    // Like redis-benchmark, a tick that adds no count is not repeated.
    if (int64_t(c) != previous || c == total) {
      appendf(out, "%3.3f%% <= %.3f milliseconds (cumulative count %" PRIu64 ")\n", p, ms(v), c);
    }
    previous = int64_t(c);
  };
  for (size_t i = 0; i < h.bucket_count() && cum < total; ++i) {
    const uint64_t c = h.count_at(i);
    if (c == 0) continue;
    cum += c;
    value = std::min(h.highest_at(i), h.max());
    const double current = 100.0 * double(cum) / double(total);
    while (target <= current) {
      emit(target, value, cum);
      target = next_percentile_tick(target);
      if (cum == total) break;  // the last bucket gets one tick, then 100%
    }
  }
  emit(100.0, value, total);
  return out;
}

std::string format_cumulative_distribution(const histogram& h) {
  std::string out;
  const uint64_t total = h.count();
  if (total == 0) return out;
  uint64_t cum = 0;
  int64_t previous = -1;
  size_t index = 0;
  // Steps of 0.1 ms up to 2 ms, then of 1 ms: finer steps beyond would be noise.
  for (uint64_t level = 100; cum < total; level += level < 2000 ? 100 : 1000) {
    while (index < h.bucket_count() && h.lowest_at(index) <= level) cum += h.count_at(index++);
    if (int64_t(cum) != previous || cum == total) {
      appendf(out, "%3.3f%% <= %.3f milliseconds (cumulative count %" PRIu64 ")\n",
              100.0 * double(cum) / double(total), ms(level), cum);
    }
    previous = int64_t(cum);
  }
  return out;
}

std::string format_full(const test_result& r, const report_context& ctx) {
  const options& o = *ctx.opts;
  const histogram& h = r.latency;
  std::string out;
  appendf(out, "====== %s ======\n", r.title.c_str());
  appendf(out, "  %" PRIu64 " requests completed in %.2f seconds\n", r.requests, r.seconds);
  appendf(out, "  %d parallel clients\n", o.clients);
  appendf(out, "  %d bytes payload\n", r.payload_size);
  appendf(out, "  keep alive: %d\n", o.keep_alive ? 1 : 0);
  if (ctx.server) {
    appendf(out, "  host configuration \"save\": %s\n", ctx.server->save.c_str());
    appendf(out, "  host configuration \"appendonly\": %s\n", ctx.server->appendonly.c_str());
  }
  appendf(out, "  multi-thread: %s\n", o.threads > 0 ? "yes" : "no");
  if (o.threads > 0) appendf(out, "  threads: %d\n", o.threads);
  out += "\nLatency by percentile distribution:\n";
  out += format_percentile_distribution(h);
  out += "\nCumulative distribution of latencies:\n";
  out += format_cumulative_distribution(h);
  out += "\nSummary:\n";
  appendf(out, "  throughput summary: %.2f requests per second\n", r.rps());
  out += "  latency summary (msec):\n";
  appendf(out, "    %9s %9s %9s %9s %9s %9s\n", "avg", "min", "p50", "p95", "p99", "max");
  appendf(out, "    %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", h.mean() / 1000.0, ms(h.min()),
          pct_ms(h, 50), pct_ms(h, 95), pct_ms(h, 99), ms(h.max()));
  // Troupe's additions come after redis-benchmark's layout, so parsers of
  // the lines above are not disturbed.
  appendf(out, "  latency percentiles (msec): p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f max=%.3f\n",
          pct_ms(h, 50), pct_ms(h, 90), pct_ms(h, 99), pct_ms(h, 99.9), ms(h.max()));
  if (r.ops.size() > 1) {
    for (size_t i = 0; i < r.ops.size(); ++i) {
      const histogram& oh = r.ops[i].latency;
      appendf(out,
              "  %s: %" PRIu64 " requests, p50=%.3f p99=%.3f msec, %" PRIu64 " error replies\n",
              r.op_names[i].c_str(), oh.count(), pct_ms(oh, 50), pct_ms(oh, 99), r.ops[i].errors);
    }
  }
  if (r.errors() > 0) {
    appendf(out, "  error replies: %" PRIu64 " of %" PRIu64 " (first: %s)\n", r.errors(),
            r.requests, r.first_error().c_str());
  }
  if (r.interrupted) out += "  interrupted: the test was stopped early\n";
  return out;
}

std::string format_quiet(const test_result& r) {
  std::string out;
  appendf(out, "%s: %.2f requests per second, p50=%.3f msec\n", r.title.c_str(), r.rps(),
          pct_ms(r.latency, 50));
  return out;
}

std::string csv_header() {
  return "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
         "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n";
}

std::string format_csv(const test_result& r) {
  const histogram& h = r.latency;
  std::string out = csv_quote(r.title);
  appendf(out, ",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"\n", r.rps(),
          h.mean() / 1000.0, ms(h.min()), pct_ms(h, 50), pct_ms(h, 95), pct_ms(h, 99), ms(h.max()));
  return out;
}

std::string format_error_note(const test_result& r) {
  if (r.errors() == 0) return "";
  std::string out;
  appendf(out, "%s: %" PRIu64 " of %" PRIu64 " replies were errors (first: %s)\n", r.title.c_str(),
          r.errors(), r.requests, r.first_error().c_str());
  return out;
}

std::string format_json(const std::vector<test_result>& results, const report_context& ctx) {
  const options& o = *ctx.opts;
  std::string out = "{";
  appendf(out, "\"tool\":\"troupe-benchmark\",\"server\":%s,",
          json_string(endpoint_of(o).describe()).c_str());
  appendf(out, "\"clients\":%d,\"pipeline\":%d,\"data_size\":%d,\"threads\":%d,\"keep_alive\":%s,",
          o.clients, o.pipeline, o.data_size, o.threads, o.keep_alive ? "true" : "false");
  if (o.random_keys) {
    appendf(out, "\"keyspace\":%" PRId64 ",", o.keyspace);
  } else {
    out += "\"keyspace\":null,";
  }
  appendf(out, "\"zipf\":%g,", o.zipf);
  if (o.duration > 0) {
    appendf(out, "\"duration_s\":%g,", o.duration);
  } else {
    appendf(out, "\"requests\":%" PRId64 ",", o.requests);
  }
  out += "\"tests\":[";
  for (size_t t = 0; t < results.size(); ++t) {
    const test_result& r = results[t];
    if (t > 0) out += ",";
    out += "{\"test\":" + json_string(r.title);
    appendf(out, ",\"requests\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"seconds\":%.6f,\"rps\":%.2f",
            r.requests, r.errors(), r.seconds, r.rps());
    out += ",\"first_error\":";
    out += r.errors() > 0 ? json_string(r.first_error()) : "null";
    out += ",\"latency_ms\":";
    append_latency_json(out, r.latency);
    if (r.ops.size() > 1) {
      out += ",\"ops\":[";
      for (size_t i = 0; i < r.ops.size(); ++i) {
        if (i > 0) out += ",";
        out += "{\"command\":" + json_string(r.op_names[i]);
        appendf(out, ",\"requests\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"latency_ms\":",
                r.ops[i].latency.count(), r.ops[i].errors);
        append_latency_json(out, r.ops[i].latency);
        out += "}";
      }
      out += "]";
    }
    appendf(out, ",\"interrupted\":%s}", r.interrupted ? "true" : "false");
  }
  out += "]}\n";
  return out;
}

}  // namespace troupe::bench
