// The master's side of one replica: the actor that owns the replica's socket
// once its connection has sent SYNC or PSYNC (the connection hands the socket
// over and ends). It lives on the reactor that accepted the replica.
//
// What it sends, in order: the answer to PSYNC (+FULLRESYNC or +CONTINUE),
// for a full sync the RDB (a file with its length in front, or a diskless
// stream, see full_sync.hpp) and then the write stream from the journal, from
// exactly the offset the RDB ends at. Bytes go out as they are stored: spans of
// the journal's chunks and of the payload's, the dump through sendfile(), so
// nothing the journal encoded is copied for a replica. It reads REPLCONF ACK
// (the replica's offset, for INFO, WAIT and min-replicas-to-write), and ends
// the link when the replica is silent for repl-timeout or falls behind its
// client-output-buffer-limit (the journal stops holding the stream for it at
// the hard limit, so a stuck replica costs the master no memory).
//
// A replica that came in on tls-port keeps its TLS session: bytes then go
// through SSL_write (small pieces gathered into one record), and the dump is
// read from the file and written through it, since sendfile() cannot encrypt
// (replica_feed_tls.cpp).
#pragma once
#include <sys/types.h>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "actors/replication/replica_link.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "protocol/resp/request_parser.hpp"
#include "storage/dispatch/session.hpp"
#include "topology/replication/output_limit_tracker.hpp"

namespace troupe {

class server;
class tls_stream;

class replica_feed : public hosted_actor, public io_handler {
 public:
  // What the connection hands over.
  struct handoff {
    int fd = -1;
    uint64_t client_id = 0;
    std::string addr, laddr, name, user, lib_name, lib_ver;
    int64_t created_ms = 0;
    int db = 0;
    bool unix_socket = false;
    std::string output;  // replies the connection had not sent yet
    std::string input;   // bytes received after SYNC / PSYNC
    replica_request request;
    std::unique_ptr<tls_stream> tls;  // the connection's TLS session, if any
  };

  replica_feed(caf::actor_config& cfg, reactor& home, server& srv, handoff h);
  ~replica_feed() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "replica_feed"; }
  void on_io(uint32_t events) override;

 private:
  // Where the feed is in the sync.
  enum class phase {
    waiting,       // for its full sync to start, or for the dump to be written
    payload,       // a diskless RDB or the dump is on its way
    awaiting_ack,  // diskless RDB sent: the stream starts at the first ACK
    streaming,     // the write stream
    finishing,     // rdb-only: closes once the RDB is out
  };
  // Bytes queued for the socket, kept alive by their owner.
  struct piece {
    std::shared_ptr<const void> owner;
    const char* data;
    size_t size;
    bool stream;  // part of the write stream (counts against the output limit)
  };

  void start();
  // Moves what is due to the socket: the queue, then the payload, the dump or
  // the stream, until the socket is full or nothing is left.
  void pump();
  // The master's news: a full sync started, its file is ready or failed.
  void on_sync_news();
  // Queues the next bytes to send; false when nothing is available now.
  bool refill();
  // Framed full sync: queues the stream that is due as one frame; false if none.
  bool refill_stream_frame();
  bool write_queue();
  // sendfile() of the dump; false on a fatal error.
  bool send_file();
  void payload_sent();
  void queue_text(std::string text, bool stream = false);
  void read_input();
  void parse_input();
  void on_command(const std::vector<std::string_view>& args);
  void tick();
  size_t output_used();
  void arm_write(bool on);
  void close_link(const std::string& why, bool warn);
  // Bytes of the queue's front that left: the accounting after a write.
  void sent_from_queue(size_t n);

  // -- TLS (replica_feed_tls.cpp) -----------------------------------------------------
  bool write_queue_tls();
  bool send_file_tls();
  ssize_t tls_recv(char* buf, size_t len);

  server& srv_;
  int fd_;
  session session_;
  std::shared_ptr<replica_link> link_;
  caf::strong_actor_ptr keep_alive_;
  bool closed_ = false;
  bool write_armed_ = false;
  phase phase_ = phase::waiting;
  bool announced_ = false;  // +FULLRESYNC (or nothing, for SYNC) sent
  std::shared_ptr<full_sync> job_;
  int64_t file_sent_ = -1;          // bytes of the dump sent; -1 before it starts
  bool interleave_ = false;         // the RDB goes in frames with the stream between
  bool next_frame_stream_ = false;  // whose turn it is

  std::deque<piece> queue_;
  size_t head_sent_ = 0;      // bytes of queue_.front() already written
  size_t queued_ = 0;         // bytes in queue_, minus head_sent_
  size_t stream_queued_ = 0;  // of which write stream
  std::vector<journal::span> spans_;

  std::string in_;
  request_parser parser_;

  uint64_t timer_ = 0;
  int64_t last_progress_ms_ = 0;  // last time bytes left for the replica
  int64_t last_newline_ms_ = 0;
  output_limit_tracker limit_;

  std::unique_ptr<tls_stream> tls_;    // null on a plain socket
  bool tls_read_wants_write_ = false;  // SSL_read needs the socket writable first
  bool tls_write_wants_read_ = false;  // SSL_write needs it readable first
  std::string tls_stage_;              // small pieces gathered into one record
  std::vector<char> tls_file_buf_;     // the dump, read to be encrypted
};

}  // namespace troupe
