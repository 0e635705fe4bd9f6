#include "actors/replication/replica_feed.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <caf/all.hpp>

#include "actors/net/tls_stream.hpp"
#include "actors/replication/full_sync.hpp"
#include "actors/replication/replication_master.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/keyspace/clock.hpp"
#include "topology/replication/rdb_framing.hpp"
#include "topology/replication/sync_frames.hpp"

namespace troupe {
namespace {

constexpr int tick_ms = 100;
// The queue is refilled when empty; one pump moves at most this much before
// letting the reactor's other clients in.
constexpr size_t pump_budget = 8 << 20;
constexpr size_t sendfile_chunk = 1 << 20;

std::string ip_of(const std::string& addr) {
  size_t colon = addr.rfind(':');
  std::string ip = colon == std::string::npos ? addr : addr.substr(0, colon);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

}  // namespace

const char* replica_state_name(replica_state s) {
  switch (s) {
    case replica_state::wait_bgsave_start:
    case replica_state::wait_bgsave_end:
      return "wait_bgsave";
    case replica_state::send_bulk:
      return "send_bulk";
    case replica_state::online:
      return "online";
  }
  return "online";
}

replica_feed::replica_feed(caf::actor_config& cfg, reactor& home, server& srv, handoff h)
    : hosted_actor(cfg, home), srv_(srv), fd_(h.fd) {
  int64_t now = wall_clock_ms();
  session_.id = h.client_id;
  session_.fd = h.fd;
  session_.addr = h.addr;
  session_.laddr = h.laddr;
  session_.created_ms = h.created_ms;
  session_.last_interaction_ms = now;
  session_.db = h.db;
  session_.set(client_replica);
  if (h.unix_socket) session_.set(client_unix_socket);
  session_.last_command = command_table::instance().find(h.request.psync ? "psync" : "sync");
  {
    std::lock_guard<std::mutex> g(session_.mutex);
    session_.name = h.name;
    session_.user = h.user;
    session_.lib_name = h.lib_name;
    session_.lib_ver = h.lib_ver;
  }
  link_ = std::make_shared<replica_link>();
  link_->client_id = h.client_id;
  link_->ip = h.request.ip_address.empty() ? ip_of(h.addr) : h.request.ip_address;
  link_->port = h.request.listening_port;
  link_->log_name =
      link_->ip + ":" + (link_->port ? std::to_string(link_->port) : "<unknown-replica-port>");
  link_->req = h.request;
  link_->home = &home;
  link_->since_ms = now;
  in_ = std::move(h.input);
  tls_ = std::move(h.tls);
  if (!h.output.empty()) queue_text(std::move(h.output));
  last_progress_ms_ = now;
  last_newline_ms_ = now;
}

replica_feed::~replica_feed() {
  if (fd_ >= 0) ::close(fd_);
}

caf::behavior replica_feed::make_behavior() {
  keep_alive_ = ctrl();
  caf::actor self = caf::actor_cast<caf::actor>(this);
  {
    std::lock_guard<std::mutex> g(link_->mutex);
    link_->feed = self;
  }
  srv_.add_client(session_.id, {&session_, self, home().index()});
  home().add_fd(fd_, this, EPOLLIN);
  if (srv_.config().repl_disable_tcp_nodelay.get() && !session_.has(client_unix_socket)) {
    int zero = 0;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &zero, sizeof(zero));
  }
  timer_ = home().after(tick_ms, [this] { tick(); });
  start();
  return {
      [this](close_atom) {
        if (!closed_) close_link("", false);
        keep_alive_.reset();
        quit();
      },
      [this](wake_atom) {
        if (closed_) return;
        on_sync_news();
        pump();
      },
  };
}

void replica_feed::start() {
  log_notice("Replica {} asks for synchronization", link_->log_name);
  auto r = srv_.replicas().attach(link_);
  if (r.partial) {
    queue_text(std::move(r.reply));
    announced_ = true;
    phase_ = phase::streaming;
  }
  on_sync_news();
  pump();
  // Bytes the replica sent right after its request (an early ACK).
  if (!closed_ && !in_.empty()) parse_input();
}

void replica_feed::on_sync_news() {
  if (phase_ != phase::waiting) return;
  std::shared_ptr<full_sync> job;
  {
    std::lock_guard<std::mutex> g(link_->mutex);
    job = link_->job;
  }
  if (!job) return;
  job_ = job;
  if (!announced_) {
    announced_ = true;
    // The old SYNC has no such line: the RDB is the whole answer.
    // A Troupe replica gets a diskless RDB in frames, with the write stream
    // between them (topology/replication/sync_frames.hpp), so the stream is
    // never held here for the whole transfer.
    interleave_ = job->diskless() && link_->req.capa_stream_while_loading;
    if (link_->req.psync)
      queue_text("+FULLRESYNC " + job->replid + " " + std::to_string(job->offset) +
                 (interleave_ ? " frames" : "") + "\r\n");
  }
  if (job->diskless()) {
    phase_ = phase::payload;
    return;
  }
  if (job->failed()) {
    close_link("SYNC failed. BGSAVE child returned an error", true);
    return;
  }
  if (job->file_fd() < 0) return;  // still writing the dump
  queue_text(disk_payload_header(job->file_size()));
  file_sent_ = 0;
  phase_ = phase::payload;
  link_->state = replica_state::send_bulk;
}

void replica_feed::queue_text(std::string text, bool stream) {
  if (text.empty()) return;
  auto owned = std::make_shared<const std::string>(std::move(text));
  const char* data = owned->data();
  size_t size = owned->size();
  queue_.push_back({std::move(owned), data, size, stream});
  queued_ += size;
  if (stream) stream_queued_ += size;
}

bool replica_feed::refill() {
  spans_.clear();
  bool stream = false;
  std::optional<uint64_t> pos;
  if (phase_ == phase::payload && job_ && job_->diskless()) {
    // Framed: RDB and stream take turns, so neither waits for the other.
    if (interleave_ && (next_frame_stream_ = !next_frame_stream_) && refill_stream_frame())
      return true;
    std::optional<journal::reader_id> reader;
    {
      std::lock_guard<std::mutex> g(link_->mutex);
      reader = link_->payload_reader;
    }
    if (!reader) return false;
    pos = job_->payload().read(*reader, spans_);
    if (!pos) {
      close_link("Replica " + link_->log_name + " lost its place in the diskless RDB", true);
      return false;
    }
    job_->after_read();
    if (interleave_ && !spans_.empty()) {
      size_t total = 0;
      for (auto& s : spans_) total += s.size;
      queue_text(sync_frame_header(sync_frame::rdb, total));
    } else if (interleave_ && refill_stream_frame()) {
      return true;  // no RDB bytes now: the stream goes meanwhile
    }
  } else if (phase_ == phase::streaming) {
    std::optional<journal::reader_id> reader;
    {
      std::lock_guard<std::mutex> g(link_->mutex);
      reader = link_->stream_reader;
    }
    if (!reader) return false;
    pos = srv_.journal_log().read(*reader, spans_);
    if (!pos) {
      // The journal dropped us: we fell behind the hard output limit.
      log_warning(
          "Client id={} addr={} flags=S scheduled to be closed ASAP for overcoming of output "
          "buffer limits.",
          session_.id, session_.addr);
      close_link("", true);
      return false;
    }
    stream = true;
  } else {
    return false;
  }
  for (auto& s : spans_) {
    queue_.push_back({s.owner, s.data, s.size, stream});
    queued_ += s.size;
    if (stream) stream_queued_ += s.size;
  }
  bool got = !spans_.empty();
  spans_.clear();
  return got;
}

bool replica_feed::refill_stream_frame() {
  std::optional<journal::reader_id> reader;
  {
    std::lock_guard<std::mutex> g(link_->mutex);
    reader = link_->stream_reader;
  }
  if (!reader) return false;
  std::vector<journal::span> spans;
  auto pos = srv_.journal_log().read(*reader, spans);
  if (!pos || spans.empty()) return false;  // a drop shows in the streaming phase
  size_t total = 0;
  for (auto& s : spans) total += s.size;
  queue_text(sync_frame_header(sync_frame::stream, total), true);
  for (auto& s : spans) {
    queue_.push_back({s.owner, s.data, s.size, true});
    queued_ += s.size;
    stream_queued_ += s.size;
  }
  return true;
}

bool replica_feed::write_queue() {
  if (tls_) return write_queue_tls();
  while (!queue_.empty()) {
    iovec iov[64];
    int n = 0;
    for (auto it = queue_.begin(); it != queue_.end() && n < 64; ++it, ++n) {
      size_t skip = n == 0 ? head_sent_ : 0;
      iov[n].iov_base = const_cast<char*>(it->data + skip);
      iov[n].iov_len = it->size - skip;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = size_t(n);
    ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      close_link(std::string("Error writing to replica: ") + strerror(errno), false);
      return false;
    }
    sent_from_queue(size_t(w));
  }
  session_.output_bytes.store(queued_, std::memory_order_relaxed);
  return true;
}

void replica_feed::sent_from_queue(size_t n) {
  size_t left = n;
  srv_.replicas().count_output(left);
  last_progress_ms_ = wall_clock_ms();
  queued_ -= left;
  while (left > 0) {
    piece& p = queue_.front();
    size_t rest = p.size - head_sent_;
    size_t take = std::min(rest, left);
    if (p.stream) stream_queued_ -= take;
    left -= take;
    head_sent_ += take;
    if (head_sent_ == p.size) {
      queue_.pop_front();
      head_sent_ = 0;
    }
  }
}

bool replica_feed::send_file() {
  if (tls_) return send_file_tls();
  int in = job_->file_fd();
  int64_t size = job_->file_size();
  while (file_sent_ < size) {
    off_t off = off_t(file_sent_);
    size_t want = size_t(std::min<int64_t>(int64_t(sendfile_chunk), size - file_sent_));
    ssize_t n = ::sendfile(fd_, in, &off, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      close_link(std::string("Write error sending DB to replica: ") + strerror(errno), true);
      return false;
    }
    if (n == 0) {
      close_link("Read error sending DB to replica: premature EOF", true);
      return false;
    }
    file_sent_ += n;
    srv_.replicas().count_output(uint64_t(n));
    last_progress_ms_ = wall_clock_ms();
  }
  return true;
}

void replica_feed::payload_sent() {
  bool diskless = job_ && job_->diskless();
  // Redis replicas look for the EOF mark at the end of what they read, so
  // nothing may follow it before they ACK; a Troupe replica takes the stream
  // right after the mark and buffers it while it loads.
  bool stream_now = link_->req.capa_stream_while_loading;
  if (diskless && stream_now) {
    if (interleave_) queue_text(sync_frame_header(sync_frame::end, 0));
    log_notice(
        "Streamed RDB transfer with replica {} succeeded (socket). Streaming the writes since "
        "the cut while it loads",
        link_->log_name);
    std::lock_guard<std::mutex> g(link_->mutex);
    if (link_->payload_reader) job_->payload().detach(*link_->payload_reader);
    link_->payload_reader.reset();
  } else if (diskless) {
    log_notice(
        "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from "
        "slave to enable streaming",
        link_->log_name);
    std::lock_guard<std::mutex> g(link_->mutex);
    if (link_->payload_reader) job_->payload().detach(*link_->payload_reader);
    link_->payload_reader.reset();
  }
  log_notice("Synchronization with replica {} succeeded", link_->log_name);
  job_.reset();
  file_sent_ = -1;
  {
    std::lock_guard<std::mutex> g(link_->mutex);
    link_->job.reset();
  }
  if (link_->req.rdb_only) {
    log_notice("RDB transfer completed, rdb only replica ({}) should be disconnected asap",
               link_->log_name);
    phase_ = phase::finishing;
    return;
  }
  link_->ack_time_ms = wall_clock_ms();
  link_->state = replica_state::online;
  phase_ = diskless && !stream_now ? phase::awaiting_ack : phase::streaming;
}

void replica_feed::pump() {
  size_t moved = 0;
  while (!closed_) {
    size_t before = queued_;
    if (!write_queue()) return;
    moved += before - queued_;
    if (!queue_.empty()) {
      arm_write(true);
      return;
    }
    if (phase_ == phase::payload && file_sent_ >= 0) {
      int64_t was = file_sent_;
      if (!send_file()) return;
      moved += size_t(file_sent_ - was);
      if (file_sent_ < job_->file_size()) {
        arm_write(true);
        return;
      }
      payload_sent();
      continue;
    }
    if (phase_ == phase::payload && job_ && job_->diskless() && job_->payload_complete()) {
      std::optional<journal::reader_id> reader;
      {
        std::lock_guard<std::mutex> g(link_->mutex);
        reader = link_->payload_reader;
      }
      if (reader && job_->payload().lag(*reader) == 0) {
        payload_sent();
        continue;
      }
    }
    if (phase_ == phase::finishing) {
      close_link("", false);
      return;
    }
    if (moved >= pump_budget) {
      // Let the reactor's clients in; carry on in the next pass.
      caf::anon_send(caf::actor_cast<caf::actor>(this), wake_atom::value);
      return;
    }
    if (!refill()) {
      arm_write(false);
      return;
    }
  }
}

void replica_feed::arm_write(bool on) {
  // A TLS write that waits for the socket to be readable goes on from on_io
  // (waiting for writability would spin); a read that waits for it to be
  // writable keeps it armed.
  if (on && tls_write_wants_read_) on = false;
  if (!on && tls_read_wants_write_) on = true;
  if (closed_ || on == write_armed_) return;
  write_armed_ = on;
  home().modify_fd(fd_, this, on ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
}

void replica_feed::on_io(uint32_t events) {
  if (closed_) return;
  if (tls_read_wants_write_ && (events & EPOLLOUT)) {
    tls_read_wants_write_ = false;
    events |= EPOLLIN;
  }
  if (tls_write_wants_read_ && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
    tls_write_wants_read_ = false;
    events |= EPOLLOUT;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_input();
  if (!closed_ && (events & EPOLLOUT)) pump();
}

void replica_feed::read_input() {
  char buf[16384];
  for (int i = 0; i < 16; ++i) {
    ssize_t n = tls_ ? tls_recv(buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      in_.append(buf, size_t(n));
      srv_.stats_of(home().index()).net_input_bytes.add(uint64_t(n));
      if (size_t(n) < sizeof buf) break;
      continue;
    }
    if (n == 0) {
      close_link("", false);
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    close_link(std::string("Reading from replica: ") +
                   (tls_ ? tls_->error() : std::string(strerror(errno))),
               false);
    return;
  }
  parse_input();
}

void replica_feed::parse_input() {
  request_parser::limits lim;
  lim.max_bulk_len = srv_.config().proto_max_bulk_len.get();
  while (!closed_) {
    auto r = parser_.parse(in_.data(), in_.size(), lim);
    if (r == request_parser::result::incomplete) break;
    if (r == request_parser::result::error) {
      close_link("Protocol error (" + parser_.error() + ") from replica", true);
      return;
    }
    on_command(parser_.args());
  }
  if (closed_) return;
  size_t consumed = parser_.consumed();
  if (consumed > 0) {
    in_.erase(0, consumed);
    parser_.shift(consumed);
  }
  session_.query_buffer.store(in_.size(), std::memory_order_relaxed);
  if (int64_t(in_.size()) > srv_.config().client_query_buffer_limit.get())
    close_link("Closing replica that reached max query buffer length", true);
}

void replica_feed::on_command(const std::vector<std::string_view>& args) {
  int64_t now = wall_clock_ms();
  session_.last_interaction_ms.store(now, std::memory_order_relaxed);
  if (args.empty() || !iequals(args[0], "replconf")) return;  // replicas send only REPLCONF
  session_.last_command = command_table::instance().find("replconf");
  if (args.size() < 3 || !iequals(args[1], "ack")) return;
  auto offset = parse_int64(args[2]);
  if (!offset) return;
  if (*offset > link_->ack_offset.load()) link_->ack_offset = *offset;
  link_->ack_time_ms = now;
  if (phase_ == phase::awaiting_ack) {
    // The replica has the RDB loaded: the stream accumulated since the cut goes now.
    phase_ = phase::streaming;
    pump();
  }
  srv_.replicas().on_ack();
}

size_t replica_feed::output_used() {
  std::optional<journal::reader_id> reader;
  {
    std::lock_guard<std::mutex> g(link_->mutex);
    reader = link_->stream_reader;
  }
  size_t lag = reader ? size_t(srv_.journal_log().lag(*reader)) : 0;
  return stream_queued_ + lag;
}

void replica_feed::tick() {
  timer_ = 0;
  if (closed_) return;
  int64_t now = wall_clock_ms();
  const server_config& cfg = srv_.config();
  // client-output-buffer-limit replica: what the stream holds for us.
  output_limit lim = cfg.client_output_buffer_limit.get(client_class::replica);
  size_t used = output_used();
  if (limit_.over(used, lim.hard, lim.soft, lim.soft_seconds, now)) {
    log_warning(
        "Client id={} addr={} flags=S omem={} scheduled to be closed ASAP for overcoming of "
        "output buffer limits.",
        session_.id, session_.addr, used);
    close_link("", true);
    return;
  }
  int64_t timeout_ms = cfg.repl_timeout.get() * 1000;
  bool acks_expected = link_->req.psync && !link_->req.rdb_only;
  if ((phase_ == phase::streaming || phase_ == phase::awaiting_ack) && acks_expected &&
      now - link_->ack_time_ms.load() > timeout_ms) {
    close_link("Disconnecting timedout replica (streaming sync): " + link_->log_name, true);
    return;
  }
  if (phase_ == phase::payload && now - last_progress_ms_ > timeout_ms) {
    close_link("Disconnecting timedout replica (full sync): " + link_->log_name, true);
    return;
  }
  // Newlines keep the link alive while the replica waits for its RDB.
  if (phase_ == phase::waiting && queue_.empty() && now - last_newline_ms_ >= 1000) {
    last_newline_ms_ = now;
    queue_text("\n");
    pump();
    if (closed_) return;
  }
  timer_ = home().after(tick_ms, [this] { tick(); });
}

void replica_feed::close_link(const std::string& why, bool warn) {
  if (closed_) return;
  closed_ = true;
  if (!why.empty()) {
    if (warn)
      log_warning("{}", why);
    else
      log_notice("{}", why);
  }
  log_warning("Connection with replica {} lost.", link_->log_name);
  if (timer_ != 0) home().cancel(timer_);
  timer_ = 0;
  home().remove_fd(fd_);
  if (tls_) tls_->shutdown();
  // Reading what already arrived keeps the kernel from answering with a reset.
  char sink[16384];
  for (int i = 0; i < 64; ++i)
    if (::recv(fd_, sink, sizeof sink, MSG_DONTWAIT) <= 0) break;
  ::close(fd_);
  fd_ = -1;
  queue_.clear();
  queued_ = stream_queued_ = head_sent_ = 0;
  {
    std::lock_guard<std::mutex> g(link_->mutex);
    if (link_->stream_reader) srv_.journal_log().detach(*link_->stream_reader);
    link_->stream_reader.reset();
    if (link_->payload_reader && link_->job) {
      link_->job->payload().detach(*link_->payload_reader);
      link_->job->after_read();  // walks it was holding back may go on
    }
    link_->payload_reader.reset();
    link_->job.reset();
    link_->feed = caf::actor();  // the link may outlive us in a sync's list
  }
  job_.reset();
  srv_.replicas().detach(link_);
  srv_.remove_client(session_.id);
  caf::anon_send(caf::actor_cast<caf::actor>(this), close_atom::value);
}

}  // namespace troupe
