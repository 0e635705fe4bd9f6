// One event-loop thread driving a share of the connections: a non-blocking
// epoll loop where each connection sends a batch of requests, waits for all
// its replies, records their latencies and immediately sends the next batch.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/resp/reply_scanner.hpp"
#include "tools/benchmark/batch_builder.hpp"
#include "tools/benchmark/net.hpp"
#include "tools/benchmark/random.hpp"
#include "tools/benchmark/run_control.hpp"
#include "tools/benchmark/stats.hpp"

namespace troupe::bench {

struct worker_config {
  const test_spec* test = nullptr;
  int pipeline = 1;
  const key_picker* keys = nullptr;  // null: __rand_int__ is sent as is
  bool keep_alive = true;
  int precision = 3;
  endpoint ep;  // for reconnecting when !keep_alive
  handshake hs;
};

uint64_t now_ns();

class worker {
 public:
  // fds: connected non-blocking sockets, owned from now on. seeds[i] seeds
  // connection i's random keys.
  worker(const worker_config& cfg, run_control& ctl, progress_slot& progress, std::vector<int> fds,
         const std::vector<uint64_t>& seeds);
  ~worker();
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  // Runs until every connection has finished its last batch (or the run
  // failed). Safe to call on its own thread.
  void run();

  const std::vector<op_stats>& stats() const { return stats_; }
  uint64_t finished() const { return finished_; }
  uint64_t end_ns() const { return end_ns_; }

 private:
  struct connection {
    int fd = -1;
    batch_builder batch;
    rng random;
    reply_scanner scanner;
    std::string carry;  // an incomplete reply header left from the last read
    std::string_view out;
    size_t written = 0;
    uint32_t batch_size = 0;
    uint32_t answered = 0;
    uint64_t batch_start_ns = 0;
    bool want_write = false;
    bool active = false;
    connection(const test_spec& t, int pipeline, const key_picker* keys, uint64_t seed)
        : batch(t, pipeline, keys), random(seed) {}
  };

  void start_batch(connection& c);
  void flush(connection& c);
  void on_readable(connection& c);
  void finish_batch(connection& c);
  bool reconnect(connection& c);
  void set_write_interest(connection& c, bool on);
  void retire(connection& c);
  void fail(const std::string& message);

  const worker_config& cfg_;
  run_control& ctl_;
  progress_slot& progress_;
  int epoll_fd_ = -1;
  std::vector<std::unique_ptr<connection>> conns_;
  size_t active_ = 0;
  std::vector<char> rbuf_;
  std::vector<op_stats> stats_;
  std::vector<uint32_t> chunk_counts_;  // replies per op completed by one read
  uint64_t finished_ = 0;
  uint64_t latency_sum_us_ = 0;
  uint64_t end_ns_ = 0;
};

}  // namespace troupe::bench
