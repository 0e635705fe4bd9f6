#include "tools/benchmark/runner.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tools/benchmark/net.hpp"
#include "tools/benchmark/progress_line.hpp"
#include "tools/benchmark/worker.hpp"

namespace troupe::bench {

std::atomic<bool> interrupted{false};

namespace {
void close_all(std::vector<std::vector<int>>& fds) {
  for (auto& list : fds) {
    for (int fd : list) ::close(fd);
  }
}
}  // namespace

std::optional<test_result> run_test(const test_spec& test, const options& o, bool show_progress,
                                    uint64_t seed, std::string& error) {
  const endpoint ep = endpoint_of(o);
  const handshake hs = handshake_of(o);
  const size_t nthreads = size_t(std::max(1, std::min(o.threads, o.clients)));

  // Connect everything first, so connection set-up is not timed.
  std::vector<std::vector<int>> fds(nthreads);
  std::vector<std::vector<uint64_t>> seeds(nthreads);
  for (int i = 0; i < o.clients; ++i) {
    int fd = open_connection(ep, hs, error);
    if (fd < 0) {
      close_all(fds);
      return std::nullopt;
    }
    fds[size_t(i) % nthreads].push_back(fd);
    seeds[size_t(i) % nthreads].push_back(derive_seed(seed, uint64_t(i)));
  }

  const key_picker keys(uint64_t(o.keyspace), o.zipf);
  worker_config cfg;
  cfg.test = &test;
  cfg.pipeline = o.pipeline;
  cfg.keys = o.random_keys ? &keys : nullptr;
  cfg.keep_alive = o.keep_alive;
  cfg.precision = o.precision;
  cfg.ep = ep;
  cfg.hs = hs;

  run_control ctl(o.requests, o.duration > 0, o.show_errors);
  std::vector<progress_slot> progress(nthreads);
  std::vector<std::unique_ptr<worker>> workers;
  for (size_t t = 0; t < nthreads; ++t) {
    workers.push_back(std::make_unique<worker>(cfg, ctl, progress[t], std::move(fds[t]), seeds[t]));
  }

  const uint64_t start = now_ns();
  if (o.duration > 0) ctl.set_deadline(start + uint64_t(o.duration * 1e9));

  std::mutex mu;
  std::condition_variable cv;
  size_t done = 0;
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&, wp = w.get()] {
      wp->run();
      std::lock_guard lock(mu);
      ++done;
      cv.notify_all();
    });
  }

  progress_line line(stdout, test.title, start);
  uint64_t next_progress = start + 250'000'000ULL;
  {
    std::unique_lock lock(mu);
    while (done < workers.size()) {
      // Wake often enough to notice Ctrl-C promptly.
      cv.wait_for(lock, std::chrono::milliseconds(50));
      if (interrupted.load()) ctl.request_stop();
      const uint64_t now = now_ns();
      if (show_progress && now >= next_progress && done < workers.size()) {
        uint64_t finished = 0, sum = 0;
        for (auto& p : progress) {
          finished += p.finished.load(std::memory_order_relaxed);
          sum += p.latency_sum_us.load(std::memory_order_relaxed);
        }
        line.update(finished, sum, now);
        next_progress = now + 250'000'000ULL;
      }
    }
  }
  for (auto& t : threads) t.join();
  if (show_progress) line.clear();

  if (ctl.failed()) {
    error = ctl.failure();
    return std::nullopt;
  }

  test_result r(o.precision);
  r.title = test.title;
  r.payload_size = test.payload_size;
  r.interrupted = ctl.stop_requested();
  for (const auto& op : test.ops) {
    r.op_names.push_back(op.name);
    r.ops.emplace_back(o.precision);
  }
  uint64_t end = start;
  for (auto& w : workers) {
    r.requests += w->finished();
    end = std::max(end, w->end_ns());
    for (size_t i = 0; i < r.ops.size(); ++i) r.ops[i].merge(w->stats()[i]);
  }
  for (const auto& op : r.ops) r.latency.merge(op.latency);
  r.seconds = double(end - start) / 1e9;
  return r;
}

int run_idle(const options& o, bool show_progress) {
  const endpoint ep = endpoint_of(o);
  const handshake hs = handshake_of(o);
  std::printf("Creating %d idle connections and waiting forever (Ctrl+C when done)\n", o.clients);
  std::fflush(stdout);
  std::vector<pollfd> fds;
  std::string error;
  for (int i = 0; i < o.clients; ++i) {
    int fd = open_connection(ep, hs, error);
    if (fd < 0) {
      std::fprintf(stderr, "%s\n", error.c_str());
      for (auto& p : fds) ::close(p.fd);
      return 1;
    }
    fds.push_back(pollfd{fd, POLLIN, 0});
  }
  size_t live = fds.size();
  while (!interrupted.load()) {
    if (show_progress) {
      std::printf("clients: %zu\r", live);
      std::fflush(stdout);
    }
    int n = ::poll(fds.data(), fds.size(), 250);
    if (n <= 0) continue;
    for (auto& p : fds) {
      if (p.fd < 0 || p.revents == 0) continue;
      char buf[4096];
      if (::recv(p.fd, buf, sizeof(buf), MSG_DONTWAIT) == 0 || (p.revents & (POLLERR | POLLHUP))) {
        ::close(p.fd);
        p.fd = -1;  // poll ignores negative descriptors
        --live;
      }
    }
    if (live == 0) {
      std::fprintf(stderr, "All clients disconnected... aborting.\n");
      return 1;
    }
  }
  for (auto& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  if (show_progress) std::printf("\n");
  return 0;
}

}  // namespace troupe::bench
