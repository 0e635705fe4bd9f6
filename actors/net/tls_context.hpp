// The OpenSSL contexts of a TLS-enabled server: one for the connections it
// accepts (clients on tls-port, replicas) and one for those it opens (the link
// to its master with tls-replication). Both are built together from the tls-*
// directives, so a reload either swaps the pair or keeps the old one.
//
// Why actors/net/: this is socket I/O plumbing (it owns no actor, includes no
// CAF), used by actors/client (connections) and actors/replication (feeds and
// the master link). protocol/ stays free of I/O and of OpenSSL: its parsers are
// what the fuzzers drive without a network library.
#pragma once
#include <memory>
#include <string>

// OpenSSL's types, without its headers in every user of this one.
typedef struct ssl_ctx_st SSL_CTX;

namespace troupe {

struct server_config;

class tls_context {
 public:
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  // Builds both contexts from the tls-* rows; nullptr with `error` set (a text
  // for the log: which file, OpenSSL's reason) when something is missing or bad.
  static std::shared_ptr<const tls_context> build(const server_config& cfg, std::string& error);

  SSL_CTX* server_side() const { return server_; }
  SSL_CTX* client_side() const { return client_; }

 private:
  tls_context() = default;
  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
};

// The first OpenSSL error queued on this thread as text (and the queue
// cleared), or `fallback` when there is none.
std::string tls_error_text(const char* fallback);

}  // namespace troupe
