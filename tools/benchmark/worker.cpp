#include "tools/benchmark/worker.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace troupe::bench {

namespace {
constexpr size_t read_buffer_size = 256 * 1024;
constexpr size_t max_error_text = 256;
}  // namespace

uint64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

worker::worker(const worker_config& cfg, run_control& ctl, progress_slot& progress,
               std::vector<int> fds, const std::vector<uint64_t>& seeds)
    : cfg_(cfg), ctl_(ctl), progress_(progress), rbuf_(read_buffer_size) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  for (size_t i = 0; i < cfg.test->ops.size(); ++i) stats_.emplace_back(cfg.precision);
  chunk_counts_.assign(cfg.test->ops.size(), 0);
  for (size_t i = 0; i < fds.size(); ++i) {
    auto c = std::make_unique<connection>(*cfg.test, cfg.pipeline, cfg.keys, seeds[i]);
    c->fd = fds[i];
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c.get();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev);
    conns_.push_back(std::move(c));
  }
}

worker::~worker() {
  for (auto& c : conns_) {
    if (c->fd >= 0) ::close(c->fd);
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void worker::fail(const std::string& message) {
  ctl_.fail(message);
}

void worker::set_write_interest(connection& c, bool on) {
  if (c.want_write == on) return;
  c.want_write = on;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
}

void worker::retire(connection& c) {
  if (!c.active) return;
  c.active = false;
  --active_;
  if (active_ == 0) end_ns_ = now_ns();
}

void worker::run() {
  for (auto& c : conns_) {
    c->active = true;
    ++active_;
  }
  for (auto& c : conns_) start_batch(*c);
  if (active_ == 0 && end_ns_ == 0) end_ns_ = now_ns();

  constexpr int max_events = 512;
  epoll_event events[max_events];
  while (active_ > 0 && !ctl_.failed()) {
    // The timeout only matters when the server stalls: it lets Ctrl-C and
    // --duration be noticed.
    int n = ::epoll_wait(epoll_fd_, events, max_events, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(std::string("epoll_wait: ") + std::strerror(errno));
      break;
    }
    for (int i = 0; i < n && !ctl_.failed(); ++i) {
      auto& c = *static_cast<connection*>(events[i].data.ptr);
      if (c.fd < 0) continue;
      if (events[i].events & EPOLLOUT) flush(c);
      if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c);
    }
  }
  if (end_ns_ == 0) end_ns_ = now_ns();
  progress_.finished.store(finished_, std::memory_order_relaxed);
}

void worker::start_batch(connection& c) {
  const uint64_t now = now_ns();
  const uint32_t count = ctl_.claim(uint32_t(cfg_.pipeline), now);
  if (count == 0) {
    retire(c);
    return;
  }
  c.out = c.batch.prepare(count, c.random);
  c.batch_size = count;
  c.answered = 0;
  c.written = 0;
  c.batch_start_ns = now_ns();
  flush(c);
}

void worker::flush(connection& c) {
  while (c.written < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
    if (n > 0) {
      c.written += size_t(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      set_write_interest(c, true);
      return;
    } else {
      fail(std::string("Error writing to the server: ") + std::strerror(errno));
      return;
    }
  }
  set_write_interest(c, false);
}

void worker::on_readable(connection& c) {
  for (;;) {
    // A reply header split by the previous read is put back in front.
    const size_t carried = c.carry.size();
    if (carried + 4096 > rbuf_.size()) rbuf_.resize(carried * 2 + 4096);
    if (carried > 0) std::memcpy(rbuf_.data(), c.carry.data(), carried);
    const size_t space = rbuf_.size() - carried;
    ssize_t n = ::recv(c.fd, rbuf_.data() + carried, space, 0);
    if (n == 0) {
      if (!c.active) {
        // Done with its last batch: an idle timeout on the server is no failure.
        ::close(c.fd);
        c.fd = -1;
        return;
      }
      fail("Error: Server closed the connection");
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      fail(std::string("Error: ") + std::strerror(errno));
      return;
    }
    const uint64_t now = now_ns();
    const size_t total = carried + size_t(n);
    bool unexpected = false;
    const size_t consumed =
        c.scanner.scan(rbuf_.data(), total, [&](bool is_error, std::string_view text) {
          if (c.answered >= c.batch_size) {
            unexpected = true;
            return;
          }
          const uint32_t op = c.batch.op_at(c.answered++);
          ++chunk_counts_[op];
          if (is_error) {
            op_stats& s = stats_[op];
            if (s.errors++ == 0) s.first_error.assign(text.substr(0, max_error_text));
            ctl_.maybe_show_error(text, now);
          }
        });
    if (c.scanner.failed()) {
      fail("Error: " + c.scanner.failure());
      return;
    }
    if (unexpected) {
      fail("Error: the server sent a reply nobody asked for");
      return;
    }
    // Every reply completed by this read arrived now: one latency for all.
    const uint64_t latency_us = (now - c.batch_start_ns + 500) / 1000;
    for (size_t op = 0; op < chunk_counts_.size(); ++op) {
      if (chunk_counts_[op] == 0) continue;
      stats_[op].latency.record_n(latency_us, chunk_counts_[op]);
      latency_sum_us_ += latency_us * chunk_counts_[op];
      chunk_counts_[op] = 0;
    }
    c.carry.assign(rbuf_.data() + consumed, total - consumed);
    if (c.answered == c.batch_size && c.scanner.at_boundary()) {
      finish_batch(c);
      return;  // the reply to the next batch cannot be there yet
    }
    if (size_t(n) < space) return;  // drained the socket
  }
}

void worker::finish_batch(connection& c) {
  finished_ += c.batch_size;
  progress_.finished.store(finished_, std::memory_order_relaxed);
  progress_.latency_sum_us.store(latency_sum_us_, std::memory_order_relaxed);
  c.batch_size = c.answered = 0;
  if (!cfg_.keep_alive && !reconnect(c)) return;
  start_batch(c);
}

bool worker::reconnect(connection& c) {
  // -k 0: a fresh connection (and handshake) for every batch. Connecting
  // blocks this thread, which is what a connection-churn test measures anyway.
  ::close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  c.want_write = false;
  c.carry.clear();
  c.scanner.reset();
  std::string error;
  int fd = open_connection(cfg_.ep, cfg_.hs, error);
  if (fd < 0) {
    fail(error);
    retire(c);
    return false;
  }
  c.fd = fd;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &c;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev);
  return true;
}

}  // namespace troupe::bench
