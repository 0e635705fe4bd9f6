// A non-blocking client connection to a RESP server, driven by a reactor: the
// socket sits in the reactor's epoll set and the owner (an actor hosted on
// the same reactor) hears about it through callbacks on the reactor's thread.
// Nothing here ever blocks the loop: connect() returns at once and completes
// later, writes that do not fit the socket wait for it to drain.
//
// It is deliberately protocol-light: the owner reads replies from input()
// with next_reply(), or consumes raw bytes (an RDB payload, a command stream)
// with consume(). A master link uses it; sentinel monitors, MIGRATE and a
// proxy's backend links can too.
//
// With a TLS context (tls-replication) the link speaks TLS: the handshake runs
// after the TCP connect, driven by readiness events like the rest, and
// `connected` is called once it is done.
//
// One object serves many connections in turn (connect, close, connect...).
// Callbacks may call close() but must not destroy the link.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/runtime/reactor.hpp"
#include "protocol/resp/resp_value.hpp"

namespace troupe {

class tls_context;
class tls_stream;

class resp_link : public io_handler {
 public:
  struct callbacks {
    std::function<void()> connected;              // the connection (and TLS) is up
    std::function<void(size_t bytes)> readable;   // `bytes` more are in input()
    std::function<void(std::string why)> closed;  // the peer hung up, or an error
  };

  explicit resp_link(reactor& home);
  ~resp_link() override;
  resp_link(const resp_link&) = delete;
  resp_link& operator=(const resp_link&) = delete;

  void set_callbacks(callbacks cb) { cb_ = std::move(cb); }
  // Starts connecting; false (with `error`) when it fails at once (an
  // address that does not resolve, no route).
  // `tls`: speak TLS with these contexts (nullptr: plain TCP).
  bool connect(const std::string& host, int port, std::string& error,
               std::shared_ptr<const tls_context> tls = nullptr);
  // Closes the socket (no callback) and forgets buffered bytes.
  void close();
  bool is_open() const { return fd_ >= 0; }
  bool is_connected() const { return fd_ >= 0 && !connecting_ && !handshaking_; }

  // -- output ----------------------------------------------------------------------
  void send(std::string_view bytes);
  void send_command(const std::vector<std::string>& args);
  // Appends without writing yet: a proxy gathers a pass's requests for one
  // backend and writes them with one flush_queued() at the end of the pass.
  void queue(std::string_view bytes) {
    if (fd_ >= 0) out_.append(bytes);
  }
  std::string& queue_buffer() { return out_; }
  void flush_queued() {
    if (fd_ >= 0 && !connecting_ && !handshaking_) flush();
  }
  size_t output_pending() const { return out_.size() - out_sent_; }

  // -- input -----------------------------------------------------------------------
  const char* input() const { return in_ + in_pos_; }
  size_t input_size() const { return in_len_ - in_pos_; }
  // Drops the first n bytes of input().
  void consume(size_t n);
  // Puts bytes back in front of input() (read earlier and kept aside).
  void unshift_input(std::string_view bytes);
  // Parses one reply at the front of input() and consumes it.
  reply_parser::result next_reply(resp_value& out);
  const std::string& reply_error() const { return parser_.error(); }
  // While paused the socket is not read (the peer's data waits in the kernel).
  void pause_reading(bool paused);
  bool reading_paused() const { return paused_; }
  // Bytes read by one readable event at most: keeps a fast peer from holding
  // the reactor.
  void set_read_budget(size_t bytes) { read_budget_ = bytes; }

  const std::string& peer() const { return peer_; }
  // "ip:port" of the local end, once connected.
  std::string local_address() const;
  int fd() const { return fd_; }

  void on_io(uint32_t events) override;

 private:
  void on_connect_ready();
  void on_readable();
  void flush();
  void update_interest();
  void set_interest(uint32_t want);
  void fail(std::string why);
  void drive_handshake();
  // recv()/send() through TLS when the link has it, with their return and errno rules.
  ssize_t read_some(char* buf, size_t len);
  ssize_t write_some(const char* buf, size_t len);

  reactor& home_;
  callbacks cb_;
  int fd_ = -1;
  bool connecting_ = false;
  bool paused_ = false;
  uint32_t interest_ = 0;  // epoll events registered for fd_
  std::string peer_;
  char* in_ = nullptr;  // input buffer: bytes [in_pos_, in_len_) are unread
  size_t in_pos_ = 0, in_len_ = 0, in_cap_ = 0;
  std::string out_;
  size_t out_sent_ = 0;
  size_t read_budget_ = 1 << 20;
  reply_parser parser_;
  std::shared_ptr<const tls_context> tls_ctx_;
  std::unique_ptr<tls_stream> tls_;
  bool handshaking_ = false;
  bool read_wants_write_ = false;  // TLS: a read waits for the socket to be writable
  bool write_wants_read_ = false;  // TLS: a write waits for it to be readable
};

}  // namespace troupe
