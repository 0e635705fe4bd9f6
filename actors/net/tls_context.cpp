#include "actors/net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstring>
#include <sstream>
#include <vector>

#include "protocol/config/server_config.hpp"

namespace troupe {
namespace {

// The protocol versions tls-protocols names, as OpenSSL's "no" options.
bool protocol_options(const std::string& list, uint64_t& no_options, std::string& error) {
  uint64_t allowed = 0;
  constexpr uint64_t v10 = 1, v11 = 2, v12 = 4, v13 = 8;
  if (list.empty()) {
    allowed = v12 | v13;
  } else {
    std::istringstream in(list);
    std::string p;
    while (in >> p) {
      if (strcasecmp(p.c_str(), "tlsv1") == 0)
        allowed |= v10;
      else if (strcasecmp(p.c_str(), "tlsv1.1") == 0)
        allowed |= v11;
      else if (strcasecmp(p.c_str(), "tlsv1.2") == 0)
        allowed |= v12;
      else if (strcasecmp(p.c_str(), "tlsv1.3") == 0)
        allowed |= v13;
      else
        allowed = 0, p.clear();
      if (p.empty()) break;
    }
    if (allowed == 0) {
      error =
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
          "and 'TLSv1.3'.";
      return false;
    }
  }
  no_options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3;
  if (!(allowed & v10)) no_options |= SSL_OP_NO_TLSv1;
  if (!(allowed & v11)) no_options |= SSL_OP_NO_TLSv1_1;
  if (!(allowed & v12)) no_options |= SSL_OP_NO_TLSv1_2;
  if (!(allowed & v13)) no_options |= SSL_OP_NO_TLSv1_3;
  return true;
}

// The key's passphrase, handed to OpenSSL only while the key loads.
int passphrase_cb(char* buf, int size, int, void* user) {
  auto* pass = static_cast<const std::string*>(user);
  if (pass == nullptr || size <= 0) return 0;
  int n = std::min(int(pass->size()), size - 1);
  memcpy(buf, pass->data(), size_t(n));
  buf[n] = '\0';
  return n;
}

bool load_identity(SSL_CTX* ctx, const std::string& cert, const std::string& key,
                   const std::string& pass, std::string& error) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) <= 0) {
    error = "Failed to load certificate: " + cert + ": " + tls_error_text("unreadable");
    return false;
  }
  SSL_CTX_set_default_passwd_cb(ctx, passphrase_cb);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&pass));
  int ok = SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (ok <= 0) {
    error = "Failed to load private key: " + key + ": " + tls_error_text("unreadable");
    return false;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    error = "Private key does not match certificate " + cert + ": " + tls_error_text("mismatch");
    return false;
  }
  return true;
}

// What both sides share: versions, ciphers, CAs, the write mode the
// reactor's non-blocking writes need.
bool configure_common(SSL_CTX* ctx, const server_config& cfg, std::string& error) {
  uint64_t no_options = 0;
  if (!protocol_options(cfg.tls_protocols.str(), no_options, error)) return false;
  // A peer that hangs up without close_notify has closed the connection (as
  // over plain TCP), not raised an error: redis-cli and replicas do it.
  SSL_CTX_set_options(ctx, no_options | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  // A write that fills the socket returns what it wrote, and the bytes not yet
  // written may sit at another address next time (the output buffer grows).
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  std::string ciphers = cfg.tls_ciphers.str();
  if (!ciphers.empty() && SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    error = "Failed to configure ciphers: " + ciphers + ": " + tls_error_text("refused");
    return false;
  }
  std::string suites = cfg.tls_ciphersuites.str();
  if (!suites.empty() && SSL_CTX_set_ciphersuites(ctx, suites.c_str()) != 1) {
    error = "Failed to configure ciphersuites: " + suites + ": " + tls_error_text("refused");
    return false;
  }
  std::string ca_file = cfg.tls_ca_cert_file.str(), ca_dir = cfg.tls_ca_cert_dir.str();
  if (ca_file.empty() && ca_dir.empty()) {
    error = "Either tls-ca-cert-file or tls-ca-cert-dir must be specified";
    return false;
  }
  if (SSL_CTX_load_verify_locations(ctx, ca_file.empty() ? nullptr : ca_file.c_str(),
                                    ca_dir.empty() ? nullptr : ca_dir.c_str()) != 1) {
    error = "Failed to configure CA certificate(s) file/directory: " + tls_error_text("unreadable");
    return false;
  }
  return true;
}

bool configure_dh(SSL_CTX* ctx, const std::string& file, std::string& error) {
  if (file.empty()) {
    SSL_CTX_set_dh_auto(ctx, 1);
    return true;
  }
  BIO* bio = BIO_new_file(file.c_str(), "r");
  if (bio == nullptr) {
    error = "Failed to load " + file + ": " + tls_error_text(strerror(errno));
    return false;
  }
  EVP_PKEY* params = PEM_read_bio_Parameters(bio, nullptr);
  BIO_free(bio);
  if (params == nullptr) {
    error = "Failed to load DH parameters from " + file + ": " + tls_error_text("not DH params");
    return false;
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) != 1) {  // takes ownership when it succeeds
    EVP_PKEY_free(params);
    error = "Failed to load DH parameters from " + file + ": " + tls_error_text("refused");
    return false;
  }
  return true;
}

}  // namespace

std::string tls_error_text(const char* fallback) {
  unsigned long e = ERR_get_error();
  std::string text = fallback;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    text = buf;
  }
  ERR_clear_error();
  return text;
}

tls_context::~tls_context() {
  SSL_CTX_free(server_);
  SSL_CTX_free(client_);
}

std::shared_ptr<const tls_context> tls_context::build(const server_config& cfg,
                                                      std::string& error) {
  ERR_clear_error();
  std::shared_ptr<tls_context> c(new tls_context());
  std::string cert = cfg.tls_cert_file.str(), key = cfg.tls_key_file.str();
  if (cert.empty()) {
    error = "No tls-cert-file configured!";
    return nullptr;
  }
  if (key.empty()) {
    error = "No tls-key-file configured!";
    return nullptr;
  }

  c->server_ = SSL_CTX_new(TLS_server_method());
  c->client_ = SSL_CTX_new(TLS_client_method());
  if (c->server_ == nullptr || c->client_ == nullptr) {
    error = tls_error_text("Failed to create the TLS context");
    return nullptr;
  }

  SSL_CTX* s = c->server_;
  if (!configure_common(s, cfg, error)) return nullptr;
  if (cfg.tls_prefer_server_ciphers.get()) SSL_CTX_set_options(s, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (cfg.tls_session_caching.get()) {
    SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(s, long(cfg.tls_session_cache_size.get()));
    SSL_CTX_set_timeout(s, long(cfg.tls_session_cache_timeout.get()));
    static const unsigned char sid_ctx[] = "troupe";
    SSL_CTX_set_session_id_context(s, sid_ctx, sizeof sid_ctx - 1);
  } else {
    SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(s, SSL_OP_NO_TICKET);
  }
  if (!load_identity(s, cert, key, cfg.tls_key_file_pass.str(), error)) return nullptr;
  if (!configure_dh(s, cfg.tls_dh_params_file.str(), error)) return nullptr;
  // Whether a client must show a certificate is chosen per connection
  // (tls-auth-clients is read when it is accepted); this is the strict default.
  SSL_CTX_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);

  SSL_CTX* cl = c->client_;
  if (!configure_common(cl, cfg, error)) return nullptr;
  SSL_CTX_set_verify(cl, SSL_VERIFY_PEER, nullptr);
  std::string ccert = cfg.tls_client_cert_file.str();
  if (ccert.empty()) {
    if (!load_identity(cl, cert, key, cfg.tls_key_file_pass.str(), error)) return nullptr;
  } else {
    std::string ckey = cfg.tls_client_key_file.str();
    if (ckey.empty()) {
      error = "No tls-client-key-file configured!";
      return nullptr;
    }
    if (!load_identity(cl, ccert, ckey, cfg.tls_client_key_file_pass.str(), error)) return nullptr;
  }
  return c;
}

}  // namespace troupe
