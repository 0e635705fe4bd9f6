// Directives of TLS: the port that speaks TLS, the server's certificate and key,
// the CAs that clients' (and masters') certificates are checked against, the
// certificate a replica shows its master, protocol versions, ciphers and session
// caching. Names, defaults and bounds are Redis 7.0's.
//
// Changing a file or a setting through CONFIG SET rebuilds the contexts (the
// apply hooks are the server's, actors/server/server_tls.cpp), even when the
// value is the same: setting tls-cert-file to the path it already has is how a
// renewed certificate is picked up, as in Redis. tls-cluster is a row only:
// Troupe has no cluster bus yet.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"

namespace troupe {

enum class tls_auth_clients_mode { no, yes, optional };

struct tls_rows {
  explicit tls_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  int_row tls_port{t_, "tls-port", 0,
                   0,  65535,      "TCP port to accept TLS connections on (0: no TLS port)."};
  string_row tls_cert_file{t_, "tls-cert-file", "",
                           "The server's certificate (PEM, with its chain).", row_volatile()};
  string_row tls_key_file{t_, "tls-key-file", "", "The private key of tls-cert-file (PEM).",
                          row_volatile()};
  string_row tls_key_file_pass{t_, "tls-key-file-pass", "",
                               "Passphrase of tls-key-file, if it is encrypted.", row_volatile()};
  string_row tls_client_cert_file{
      t_, "tls-client-cert-file", "",
      "Certificate shown when Troupe connects to a master (empty: tls-cert-file).", row_volatile()};
  string_row tls_client_key_file{t_, "tls-client-key-file", "",
                                 "Private key of tls-client-cert-file.", row_volatile()};
  string_row tls_client_key_file_pass{t_, "tls-client-key-file-pass", "",
                                      "Passphrase of tls-client-key-file.", row_volatile()};
  string_row tls_dh_params_file{
      t_, "tls-dh-params-file", "",
      "Diffie-Hellman parameters (PEM) for DHE ciphers (empty: OpenSSL's built-in ones).",
      row_volatile()};
  string_row tls_ca_cert_file{t_, "tls-ca-cert-file", "",
                              "CA certificates that peers' certificates are checked against.",
                              row_volatile()};
  string_row tls_ca_cert_dir{t_, "tls-ca-cert-dir", "",
                             "A directory of CA certificates (c_rehash layout), as above.",
                             row_volatile()};
  enum_row<tls_auth_clients_mode> tls_auth_clients{
      t_,
      "tls-auth-clients",
      tls_auth_clients_mode::yes,
      {{"no", tls_auth_clients_mode::no},
       {"yes", tls_auth_clients_mode::yes},
       {"optional", tls_auth_clients_mode::optional}},
      "yes: a TLS client must show a certificate signed by a configured CA; optional: checked "
      "if shown; no: not asked for."};
  string_row tls_protocols{
      t_, "tls-protocols", "",
      "Protocol versions to allow, of TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 (empty: TLSv1.2 TLSv1.3).",
      row_volatile()};
  string_row tls_ciphers{t_, "tls-ciphers", "",
                         "OpenSSL cipher list for TLSv1.2 and below (empty: OpenSSL's default).",
                         row_volatile()};
  string_row tls_ciphersuites{t_, "tls-ciphersuites", "",
                              "OpenSSL ciphersuites for TLSv1.3 (empty: OpenSSL's default).",
                              row_volatile()};
  bool_row tls_prefer_server_ciphers{t_, "tls-prefer-server-ciphers", false,
                                     "Choose the cipher by the server's order, not the client's.",
                                     row_volatile()};
  bool_row tls_session_caching{t_, "tls-session-caching", true,
                               "Let clients resume TLS sessions (cheaper reconnections).",
                               row_volatile()};
  int_row tls_session_cache_size{t_,
                                 "tls-session-cache-size",
                                 20480,
                                 0,
                                 INT_MAX,
                                 "Sessions kept for resumption (0: no limit).",
                                 row_volatile()};
  int_row tls_session_cache_timeout{t_,
                                    "tls-session-cache-timeout",
                                    300,
                                    0,
                                    INT_MAX,
                                    "Seconds a cached session stays resumable.",
                                    row_volatile()};
  bool_row tls_replication{t_, "tls-replication", false,
                           "A replica connects to its master over TLS (the master's replicas "
                           "come in on its tls-port)."};
  bool_row tls_cluster{t_, "tls-cluster", false,
                       "TLS on the cluster bus. Accepted and shown only: Troupe has no cluster "
                       "bus yet.",
                       row_volatile()};
};

}  // namespace troupe
