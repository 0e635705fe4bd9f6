// troupe-benchmark: a load generator option-compatible with redis-benchmark
// 7.0, with honest latency percentiles, Zipf keys, SET/GET mixes, timed runs,
// JSON output and error replies counted rather than ignored.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "tools/benchmark/net.hpp"
#include "tools/benchmark/options.hpp"
#include "tools/benchmark/report.hpp"
#include "tools/benchmark/runner.hpp"
#include "tools/benchmark/test_catalog.hpp"
#include "tools/benchmark/worker.hpp"

#ifndef TROUPE_VERSION
#define TROUPE_VERSION "unknown"
#endif

using namespace troupe::bench;

namespace {

void on_sigint(int) {
  // The first Ctrl-C ends the current test gracefully; a second one kills.
  interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);
}

uint64_t default_seed() {
  return now_ns() ^ (uint64_t(::getpid()) << 32);
}

// Many clients need many descriptors: raise the soft limit as far as allowed.
void raise_fd_limit(int clients) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t want = rlim_t(clients) + 64;
  if (lim.rlim_cur >= want) return;
  lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &lim);
}

void out(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  parse_result parsed = parse_options(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n\n%s", parsed.error.c_str(), usage_text().c_str());
    return 1;
  }
  const options& o = parsed.opts;
  if (o.help) {
    out(usage_text());
    return 0;
  }
  if (o.version) {
    out(std::string("troupe-benchmark ") + TROUPE_VERSION + "\n");
    return 0;
  }
  for (const auto& w : parsed.warnings) std::fprintf(stderr, "%s\n", w.c_str());

  raise_fd_limit(o.clients);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGINT, on_sigint);

  std::string stdin_arg;
  if (o.stdin_arg) {
    stdin_arg.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }

  // One connection up front: a clear message if the server is down or
  // refuses AUTH, and the persistence settings the full report shows.
  report_context ctx;
  ctx.opts = &o;
  {
    std::string error;
    ctx.server = probe_server(endpoint_of(o), handshake_of(o), error);
    if (!error.empty()) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    if (!ctx.server && !o.csv && !o.json && !o.quiet) {
      std::fprintf(stderr, "WARNING: Could not fetch server CONFIG\n");
    }
  }

  // The progress line would garble a file or a pipe; only a terminal gets it.
  const bool show_progress = ::isatty(STDOUT_FILENO) == 1 && !o.csv && !o.json;
  if (o.idle) return run_idle(o, show_progress);

  const std::vector<test_spec> tests = build_tests(o, stdin_arg);
  if (tests.empty()) {
    std::fprintf(stderr,
                 "No test matches -t \"%s\". The tests are: ping_inline, ping_mbulk, set, get, "
                 "incr, lpush, rpush, lpop, rpop, sadd, hset, spop, zadd, zpopmin, lrange_100, "
                 "lrange_300, lrange_500, lrange_600, mset (and ping, lrange).\n",
                 o.tests ? o.tests->c_str() : "");
    return 1;
  }

  const uint64_t seed = o.seed ? *o.seed : default_seed();
  if (o.csv && !o.json) out(csv_header());
  bool had_errors = false;
  uint64_t round = 0;
  do {
    std::vector<test_result> results;
    for (size_t t = 0; t < tests.size() && !interrupted.load(); ++t) {
      std::string error;
      // Each test, and each -l round, draws different keys from the same seed.
      auto r = run_test(tests[t], o, show_progress, derive_seed(seed, round * 1000 + t), error);
      if (!r) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
      }
      had_errors |= r->errors() > 0;
      if (o.json) {
        // Printed all together below.
      } else if (o.csv) {
        out(format_csv(*r));
      } else if (o.quiet) {
        out(format_quiet(*r));
      } else {
        out(format_full(*r, ctx));
      }
      if ((o.csv || o.quiet) && !o.json) {
        const std::string note = format_error_note(*r);
        if (!note.empty()) std::fprintf(stderr, "%s", note.c_str());
      }
      results.push_back(std::move(*r));
    }
    if (o.json) {
      out(format_json(results, ctx));
    } else if (!o.csv) {
      out("\n");
    }
    ++round;
  } while (o.loop && !interrupted.load());

  if (interrupted.load()) return 130;
  return had_errors ? 1 : 0;
}
