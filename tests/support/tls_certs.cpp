#include "tls_certs.hpp"

#include <fstream>

#include "server_process.hpp"

namespace troupe::test {
namespace {

bool sh(const std::string& cmd, std::string& error) {
  int status = 0;
  std::string out = run_command(cmd + " 2>&1", &status);
  if (status != 0) error = cmd + ": " + out;
  return status == 0;
}

}  // namespace

bool tls_certs::make() {
  dir = temp_dir("troupe-tls");
  ca_cert = dir + "/ca.crt";
  ca_key = dir + "/ca.key";
  server_cert = dir + "/server.crt";
  server_key = dir + "/server.key";
  client_cert = dir + "/client.crt";
  client_key = dir + "/client.key";
  rogue_cert = dir + "/rogue.crt";
  rogue_key = dir + "/rogue.key";
  std::ofstream(dir + "/ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                     "extendedKeyUsage=serverAuth,clientAuth\n";
  const std::string key = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ";
  auto ca = [&](const std::string& crt, const std::string& k, const std::string& cn) {
    return sh(key + k, error) && sh("openssl req -x509 -new -key " + k +
                                        " -sha256 -days 2 -subj '/CN=" + cn + "' -out " + crt,
                                    error);
  };
  auto leaf = [&](const std::string& crt, const std::string& k, const std::string& cn,
                  const std::string& by_crt, const std::string& by_key) {
    std::string csr = crt + ".csr";
    return sh(key + k, error) &&
           sh("openssl req -new -key " + k + " -subj '/CN=" + cn + "' -out " + csr, error) &&
           sh("openssl x509 -req -in " + csr + " -CA " + by_crt + " -CAkey " + by_key +
                  " -CAcreateserial -days 2 -sha256 -extfile " + dir + "/ext.cnf -out " + crt,
              error);
  };
  rogue_ca_cert = dir + "/rogue-ca.crt";
  std::string rogue_ca = rogue_ca_cert, rogue_ca_key = dir + "/rogue-ca.key";
  return ca(ca_cert, ca_key, "Troupe Test CA") &&
         leaf(server_cert, server_key, "localhost", ca_cert, ca_key) &&
         leaf(client_cert, client_key, "client", ca_cert, ca_key) &&
         ca(rogue_ca, rogue_ca_key, "Rogue CA") &&
         leaf(rogue_cert, rogue_key, "rogue", rogue_ca, rogue_ca_key);
}

std::vector<std::string> tls_certs::server_args(int tls_port) const {
  return {"--tls-port",         std::to_string(tls_port),
          "--tls-cert-file",    server_cert,
          "--tls-key-file",     server_key,
          "--tls-ca-cert-file", ca_cert};
}

std::string tls_certs::cli_options(bool with_client_cert) const {
  std::string o = "--tls --cacert " + ca_cert;
  if (with_client_cert) o += " --cert " + client_cert + " --key " + client_key;
  return o;
}

}  // namespace troupe::test
