// One TLS session over a non-blocking socket: what a connection, a replica feed
// or a master link reads and writes through instead of recv()/send() when the
// socket came in on tls-port (or goes out with tls-replication).
//
// Nothing here waits. Every call does what the socket allows now and says what
// it needs to go on: `want_read` (call again when the socket is readable) or
// `want_write` (when it is writable). The handshake is driven the same way, by
// the owner's readiness events. A plain-socket owner holds no tls_stream and
// never branches into this code beyond one null check.
#pragma once
#include <sys/types.h>
#include <cstddef>
#include <memory>
#include <string>

#include "protocol/config/config_tls_rows.hpp"

typedef struct ssl_st SSL;

namespace troupe {

class tls_context;

class tls_stream {
 public:
  // What a call could not finish, and why.
  enum class status { ok, want_read, want_write, closed, failed };

  ~tls_stream();
  tls_stream(const tls_stream&) = delete;
  tls_stream& operator=(const tls_stream&) = delete;

  // The server side of an accepted socket; nullptr if OpenSSL cannot make one.
  static std::unique_ptr<tls_stream> accept(const tls_context& ctx, int fd,
                                            tls_auth_clients_mode auth);
  // The client side of a socket being connected (to a master).
  static std::unique_ptr<tls_stream> connect(const tls_context& ctx, int fd);

  // Drives the handshake; `ok` once it is complete.
  status handshake();
  bool established() const { return established_; }

  // Reads into buf; bytes read (> 0), or 0 with `st` saying why not.
  size_t read(char* buf, size_t len, status& st);
  // Writes; bytes taken (> 0, maybe fewer than len), or 0 with `st` set. After
  // want_*, call again with the same bytes (they may have moved).
  size_t write(const char* buf, size_t len, status& st);
  // read() and write() in the shape of recv() and send(), for the callers'
  // socket loops: bytes moved, 0 at a clean close (reads), or -1 with errno
  // EAGAIN (wait for readiness; `other_way` is set when the wait is for the
  // other direction: a read that needs the socket writable, or the reverse)
  // or EPROTO (the session failed; error() says why).
  ssize_t recv_some(char* buf, size_t len, bool& other_way);
  ssize_t send_some(const char* buf, size_t len, bool& other_way);
  // Decrypted bytes (or a whole record) already inside OpenSSL: the socket will
  // not report them as readable.
  bool has_pending() const;
  // Sends close_notify if the socket takes it now; never waits for the peer's.
  void shutdown();

  // Why the last call failed (OpenSSL's reason, or the system error).
  const std::string& error() const { return error_; }
  // The protocol version in use, such as "TLSv1.3".
  std::string version() const;

 private:
  explicit tls_stream(SSL* ssl) : ssl_(ssl) {}
  status classify(int ret);

  SSL* ssl_;
  bool established_ = false;
  std::string error_;
};

}  // namespace troupe
