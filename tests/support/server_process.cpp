#include "server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace troupe::test {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  int port = ntohs(sa.sin_port);
  close(fd);
  return port;
}

namespace {
bool bindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(uint16_t(port));
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
  close(fd);
  return ok;
}

// Tests run in parallel (ctest -j) and each picks its blocks at random, so two
// of them could check the same free block before either server binds it. A
// block is therefore also reserved: an flock on one file per port under
// /tmp/troupe-test-ports, held until this test process exits (the kernel drops
// the locks of a dead process, so nothing stale is left behind).
bool reserve(int port, std::vector<int>& fds) {
  mkdir("/tmp/troupe-test-ports", 0777);
  std::string path = "/tmp/troupe-test-ports/" + std::to_string(port);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return true;  // no reservation possible here; the bind check still holds
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  fds.push_back(fd);
  return true;
}
}  // namespace

int free_port_block(int count, int avoid) {
  // Linux's default ephemeral range starts at 32768; stay well below it.
  static std::mt19937 rng(std::random_device{}() ^ unsigned(getpid()));
  std::uniform_int_distribution<int> pick(20000, 32000 - count);
  for (;;) {
    int base = pick(rng);
    if (avoid > 0 && base < avoid + count && avoid < base + count) continue;
    std::vector<int> held;
    bool all = true;
    for (int i = 0; i < count && all; i++) all = reserve(base + i, held) && bindable(base + i);
    if (all) return base;  // the locks stay held (their fds open) for the process's life
    for (int fd : held) close(fd);
  }
}

pid_t spawn_logged(std::vector<std::string> argv, const std::string& output_file) {
  fflush(nullptr);  // or the child would flush our buffered output a second time
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    if (freopen(output_file.c_str(), "w", stderr) == nullptr) _exit(126);
    if (freopen(output_file.c_str(), "a", stdout) == nullptr) _exit(126);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

std::string temp_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : "/tmp";
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string run_command(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

server_process::server_process(std::vector<std::string> args, kind k, std::string config_file)
    : args_(std::move(args)), kind_(k), config_file_(std::move(config_file)) {}

server_process::~server_process() {
  if (pid_ > 0) kill_now();
}

bool server_process::start() {
  // A test that names the port (`--port N` in args) gets exactly that one.
  int fixed_port = 0;
  for (size_t i = 0; i + 1 < args_.size(); ++i)
    if (args_[i] == "--port") fixed_port = std::atoi(args_[i + 1].c_str());
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = fixed_port ? fixed_port : free_port();
    if (dir_.empty()) dir_ = temp_dir(kind_ == kind::troupe ? "troupe-test" : "redis-test");
    log_ = dir_ + "/server.log";
    std::vector<std::string> argv;
    argv.push_back(!binary_.empty()        ? binary_
                   : kind_ == kind::troupe ? TROUPE_SERVER_PATH
                                           : "/usr/bin/redis-server");
    if (!config_file_.empty()) argv.push_back(config_file_);
    std::vector<std::string> base = {
        "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_, "--logfile", log_};
    if (kind_ == kind::redis) {
      for (auto s : {"--save", "", "--appendonly", "no"}) base.push_back(s);
    }
    // The admin endpoint's derived port of a server on an ephemeral port above
    // 35535 is 30000 below it: inside the range free_port_block hands out to
    // other tests. Off, unless the test chose its ports (or the admin port).
    if (kind_ == kind::troupe && !fixed_port) {
      bool names_admin = false;
      for (auto& a : args_) names_admin = names_admin || a == "--admin-port";
      if (!names_admin) {
        base.push_back("--admin-port");
        base.push_back("0");
      }
    }
    argv.insert(argv.end(), base.begin(), base.end());
    argv.insert(argv.end(), args_.begin(), args_.end());
    pid_ = spawn_logged(argv, dir_ + "/stderr.log");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // died: maybe the port was taken; retry
      }
      resp_client c;
      if (c.connect("127.0.0.1", port_, 1000)) {
        resp_value v = c.call({"PING"});
        if (v.type == resp_value::kind::simple && v.str == "PONG") return true;
        if (v.is_error() && v.str.rfind("NOAUTH", 0) == 0) return true;  // requirepass set
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) kill_now();
  }
  // Say why in the test's output: the last lines the server wrote.
  auto tail = [](const std::string& text) {
    return text.size() > 1500 ? text.substr(text.size() - 1500) : text;
  };
  std::fprintf(stderr, "server on port %d did not start; stderr:\n%s\nlog:\n%s\n", port_,
               tail(read_file(dir_ + "/stderr.log")).c_str(), tail(read_file(log_)).c_str());
  return false;
}

int server_process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void server_process::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool server_process::running() {
  if (pid_ <= 0) return false;
  int status;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string server_process::log_text() const {
  return read_file(log_);
}

resp_client server_process::client() const {
  resp_client c;
  c.connect("127.0.0.1", port_, 10000);
  return c;
}

resp_value server_process::call(const std::vector<std::string>& args) const {
  resp_client c = client();
  return c.call(args);
}

std::string server_process::cli(const std::vector<std::string>& args,
                                const std::string& input) const {
  std::string cmd = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_);
  for (auto& a : args) {
    std::string q = "'";
    for (char ch : a) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    cmd += " " + q + "'";
  }
  if (!input.empty()) {
    std::string file = dir_ + "/cli-input.txt";
    std::ofstream(file) << input;
    cmd += " < " + file;
  }
  return run_command(cmd + " 2>&1");
}

}  // namespace troupe::test
