// Starts a real server process (troupe-server or redis-server) on a free
// 127.0.0.1 port for a test, and stops it when the test ends.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "protocol/resp/resp_client.hpp"

namespace troupe::test {

// A port that was free a moment ago on 127.0.0.1.
int free_port();
// The first of `count` consecutive ports free a moment ago, all below the
// kernel's ephemeral range, so no test's outgoing connection can take one of
// them later (free_port() hands out ephemeral ports; a block of them next to
// each other is not safe while other tests run). Never overlaps `avoid`..+count.
int free_port_block(int count, int avoid = 0);
// Starts argv[0] (a path) with argv, its stdout and stderr going to
// `output_file` (kept out of the test's output unless it is shown on a
// failure); returns the child's pid.
pid_t spawn_logged(std::vector<std::string> argv, const std::string& output_file);
// A fresh temporary directory for one test (removed by the caller if wanted).
std::string temp_dir(const std::string& prefix);

class server_process {
 public:
  enum class kind { troupe, redis };

  // `args` are extra directives, e.g. {"--threads", "2"}. The port, bind and
  // dir are chosen here.
  explicit server_process(std::vector<std::string> args = {}, kind k = kind::troupe,
                          std::string config_file = "");
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  // Starts and waits until PING answers; false if the process died or timed out.
  bool start();
  // SIGTERM and wait; returns the exit status.
  int stop();
  // SIGKILL.
  void kill_now();
  bool running();

  // Runs another Troupe executable (an example extension's server) instead.
  void use_binary(std::string path) { binary_ = std::move(path); }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  const std::string& log_file() const { return log_; }
  std::string log_text() const;

  resp_client client() const;
  // One command on a fresh connection.
  resp_value call(const std::vector<std::string>& args) const;
  // Runs redis-cli against this server with the given arguments; returns stdout.
  std::string cli(const std::vector<std::string>& args, const std::string& input = "") const;

 private:
  std::vector<std::string> args_;
  kind kind_;
  std::string config_file_;
  std::string binary_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string dir_, log_;
};

// The whole content of a file (bytes as they are), or "" when it cannot be read.
std::string read_file(const std::string& path);

// Runs a shell command, returns its stdout (and exit status in *status).
std::string run_command(const std::string& cmd, int* status = nullptr);

}  // namespace troupe::test
