// Certificates for TLS tests, made at run time with the openssl CLI in a fresh
// temporary directory: a CA, a server certificate for 127.0.0.1/localhost (also
// usable as a client certificate: replicas show it to their masters), a client
// certificate from the same CA, and a client certificate from a CA nobody
// trusts.
#pragma once
#include <string>
#include <vector>

namespace troupe::test {

struct tls_certs {
  std::string dir;
  std::string ca_cert, ca_key;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string rogue_ca_cert;          // another CA, trusted by nobody
  std::string rogue_cert, rogue_key;  // signed by it
  std::string error;                  // why make() failed

  // Makes all of them; false (with `error`) if openssl failed.
  bool make();
  // --tls-* directives for a server using these files.
  std::vector<std::string> server_args(int tls_port) const;
  // redis-cli / redis-benchmark options: trust the CA, show the client cert.
  std::string cli_options(bool with_client_cert = true) const;
};

}  // namespace troupe::test
