#include "actors/net/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "actors/net/tls_context.hpp"

namespace troupe {

tls_stream::~tls_stream() {
  SSL_free(ssl_);
}

std::unique_ptr<tls_stream> tls_stream::accept(const tls_context& ctx, int fd,
                                               tls_auth_clients_mode auth) {
  SSL* ssl = SSL_new(ctx.server_side());  // holds its own reference to the context
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  switch (auth) {
    case tls_auth_clients_mode::no:
      SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
      break;
    case tls_auth_clients_mode::optional:
      SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
      break;
    case tls_auth_clients_mode::yes:
      break;  // the context's: a certificate is required
  }
  SSL_set_accept_state(ssl);
  return std::unique_ptr<tls_stream>(new tls_stream(ssl));
}

std::unique_ptr<tls_stream> tls_stream::connect(const tls_context& ctx, int fd) {
  SSL* ssl = SSL_new(ctx.client_side());
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_connect_state(ssl);
  return std::unique_ptr<tls_stream>(new tls_stream(ssl));
}

tls_stream::status tls_stream::classify(int ret) {
  int e = SSL_get_error(ssl_, ret);
  switch (e) {
    case SSL_ERROR_WANT_READ:
      return status::want_read;
    case SSL_ERROR_WANT_WRITE:
      return status::want_write;
    case SSL_ERROR_ZERO_RETURN:
      error_ = "connection closed";
      ERR_clear_error();
      return status::closed;
    case SSL_ERROR_SYSCALL: {
      int sys = errno;
      unsigned long q = ERR_peek_error();
      if (q != 0) {
        error_ = tls_error_text("I/O error");
      } else if (ret == 0 || sys == 0) {
        error_ = "connection closed";  // EOF without close_notify
        return status::closed;
      } else {
        if (sys == EAGAIN || sys == EINTR) return status::want_read;
        error_ = strerror(sys);
      }
      return status::failed;
    }
    default:
      error_ = tls_error_text("TLS error");
      return status::failed;
  }
}

tls_stream::status tls_stream::handshake() {
  if (established_) return status::ok;
  ERR_clear_error();
  errno = 0;
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    established_ = true;
    return status::ok;
  }
  status st = classify(r);
  // A peer that hangs up mid-handshake has failed it.
  return st == status::closed ? status::failed : st;
}

size_t tls_stream::read(char* buf, size_t len, status& st) {
  ERR_clear_error();
  errno = 0;
  int r = SSL_read(ssl_, buf, int(std::min<size_t>(len, INT_MAX)));
  if (r > 0) {
    st = status::ok;
    return size_t(r);
  }
  st = classify(r);
  return 0;
}

size_t tls_stream::write(const char* buf, size_t len, status& st) {
  if (len == 0) {
    st = status::ok;
    return 0;
  }
  ERR_clear_error();
  errno = 0;
  int r = SSL_write(ssl_, buf, int(std::min<size_t>(len, INT_MAX)));
  if (r > 0) {
    st = status::ok;
    return size_t(r);
  }
  st = classify(r);
  return 0;
}

bool tls_stream::has_pending() const {
  return SSL_has_pending(ssl_) == 1;
}

void tls_stream::shutdown() {
  if (!established_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::string tls_stream::version() const {
  return SSL_get_version(ssl_);
}

ssize_t tls_stream::recv_some(char* buf, size_t len, bool& other_way) {
  status st;
  size_t n = read(buf, len, st);
  if (n > 0) return ssize_t(n);
  if (st == status::closed) return 0;
  other_way = st == status::want_write;
  errno = (st == status::want_read || st == status::want_write) ? EAGAIN : EPROTO;
  return -1;
}

ssize_t tls_stream::send_some(const char* buf, size_t len, bool& other_way) {
  status st;
  size_t n = write(buf, len, st);
  if (n > 0) return ssize_t(n);
  other_way = st == status::want_read;
  errno = (st == status::want_read || st == status::want_write) ? EAGAIN : EPROTO;
  return -1;
}

}  // namespace troupe
