// troupe-server [config-file] [--directive value ...]
// Parses the configuration like redis-server does, optionally daemonizes, then
// boots the actor graph and serves until SHUTDOWN or SIGTERM/SIGINT.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include "actors/cluster/local_cluster.hpp"

#include "actors/commands/command_families.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/sentinel/sentinel_control.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/config/server_config.hpp"
#include "storage/encodings/hash.hpp"
#include "topology/proxy/proxy_mode_config.hpp"

namespace {

void usage() {
  std::cerr << "Usage: ./troupe-server [/path/to/troupe.conf] [options] [-]\n"
               "       ./troupe-server - (read config from stdin)\n"
               "       ./troupe-server -v or --version\n"
               "       ./troupe-server -h or --help\n"
               "       ./troupe-server --default-config (print a config with every default)\n"
               "       ./troupe-server sentinel.conf --sentinel [--local-sentinels N]\n"
               "       ./troupe-server pool.yml --proxy [--pool NAME] (a nutcracker pool file)\n"
               "       ./troupe-server proxy.conf --proxy (a config with `proxy ...` lines)\n"
               "       ./troupe-server --local-cluster N [--local-cluster-replicas R]\n\n"
               "Examples:\n"
               "       ./troupe-server (run the server with default config)\n"
               "       ./troupe-server conf/default.conf\n"
               "       ./troupe-server --port 7777\n"
               "       ./troupe-server --port 7777 --replicaof 127.0.0.1 8888\n"
               "       ./troupe-server conf/default.conf --loglevel verbose\n";
}

// Groups "--port 6380 --replicaof 127.0.0.1 6379" into directives.
std::vector<std::vector<std::string>> group_cli(int argc, char** argv, int from) {
  std::vector<std::vector<std::string>> out;
  for (int i = from; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      out.push_back({a.substr(2)});
    } else if (!out.empty()) {
      out.back().push_back(a);
    } else {
      out.push_back({a});  // reported as a bad directive
    }
  }
  return out;
}

void daemonize() {
  if (fork() != 0) _exit(0);
  setsid();
  int fd = open("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --local-sentinels N: Sentinel i (port base + i) keeps its state in
// <config-file>.<port>, beside the given file. A missing one starts as a copy
// of the given file without its `sentinel myid` line (each one makes its own
// identity); one already there is used as it is, so a restarted group keeps
// what it learned, as a restarted redis-sentinel does.
std::string local_sentinel_conf_path(const std::string& config_file, int port) {
  return config_file + "." + std::to_string(port);
}

std::string local_sentinel_conf_text(const std::string& given) {
  std::string out;
  std::istringstream in(given);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string a, b;
    words >> a >> b;
    auto lower = [](std::string s) {
      for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      return s;
    };
    if (lower(a) == "sentinel" && lower(b) == "myid") continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace troupe;
  register_all_commands(command_table::instance());
  std::string config_file;
  int first_option = 1;
  if (argc >= 2) {
    std::string a1 = argv[1];
    if (a1 == "-v" || a1 == "--version") {
      std::cout << "Troupe server v=0.1.0 (Redis 7.0 compatible) bits=64\n";
      return 0;
    }
    if (a1 == "-h" || a1 == "--help") {
      usage();
      return 0;
    }
    if (a1 == "--default-config") {
      std::cout << server_config::default_conf_text();
      return 0;
    }
    if (a1.rfind("--", 0) != 0) {
      config_file = a1;
      first_option = 2;
    }
  }
  // --local-cluster N [--local-cluster-replicas R]: N cluster nodes in this
  // process (actors/cluster/local_cluster.hpp); the other options apply to all.
  // --local-sentinels N (with --sentinel): N Sentinels in this process
  // (local_sentinel_conf_path below).
  std::vector<std::vector<std::string>> cli = group_cli(argc, argv, first_option);
  int local_nodes = 0, local_replicas = 0, local_sentinels = 0;
  for (auto it = cli.begin(); it != cli.end();) {
    bool nodes = (*it)[0] == "local-cluster", reps = (*it)[0] == "local-cluster-replicas";
    bool sents = (*it)[0] == "local-sentinels";
    if (!nodes && !reps && !sents) {
      ++it;
      continue;
    }
    int v = it->size() == 2 ? std::atoi((*it)[1].c_str()) : -1;
    if (v < 0 || v > 100 || ((nodes || sents) && v < 1)) {
      std::cerr << "--" << (*it)[0]
                << " needs a number (nodes and sentinels 1..100, replicas 0..100)\n";
      return 1;
    }
    (nodes ? local_nodes : reps ? local_replicas : local_sentinels) = v;
    it = cli.erase(it);
  }
  // Sentinel mode: --sentinel anywhere, or the binary started as troupe-sentinel
  // (as redis-server / redis-sentinel).
  bool sentinel_mode = false;
  {
    std::string exe_name = argv[0];
    size_t slash = exe_name.rfind('/');
    if (slash != std::string::npos) exe_name = exe_name.substr(slash + 1);
    if (exe_name == "troupe-sentinel") sentinel_mode = true;
    for (auto it = cli.begin(); it != cli.end();) {
      if (it->size() == 1 && (*it)[0] == "sentinel") {
        sentinel_mode = true;
        it = cli.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (sentinel_mode) {
    command_table::instance().set_sentinel_mode(true);
    if (local_nodes > 0) {
      std::cerr << "--local-cluster and --sentinel do not go together\n";
      return 1;
    }
  } else if (local_sentinels > 0) {
    std::cerr << "--local-sentinels needs --sentinel\n";
    return 1;
  }
  // Proxy mode: --proxy [--pool NAME]; the file is nutcracker's YAML (*.yml,
  // *.yaml) or a Troupe config with `proxy ...` lines (topology/proxy).
  bool proxy_mode = false;
  std::string pool_name;
  for (auto it = cli.begin(); it != cli.end();) {
    if (it->size() == 1 && (*it)[0] == "proxy") {
      proxy_mode = true;
      it = cli.erase(it);
    } else if ((*it)[0] == "pool") {
      if (it->size() != 2) {
        std::cerr << "--pool needs the name of a pool of the YAML file\n";
        return 1;
      }
      pool_name = (*it)[1];
      it = cli.erase(it);
    } else {
      ++it;
    }
  }
  if (proxy_mode && (sentinel_mode || local_nodes > 0)) {
    std::cerr << "--proxy goes with neither --sentinel nor --local-cluster\n";
    return 1;
  }
  bool pool_yaml = proxy_mode && proxy::is_yaml_file_name(config_file);
  proxy::pool_config pool;
  auto read_text = [](const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    return true;
  };
  std::vector<std::unique_ptr<server_config>> configs;
  configs.push_back(std::make_unique<server_config>());
  if (proxy_mode) {
    // A proxy keeps no data: nothing to save, nothing to log. Its passes are
    // short and many, which makes the gathering of reactor-coalesce-us pay
    // on a saturated machine (README, Proxy).
    configs[0]->skip_lines_of("proxy");
    configs[0]->load_text("save \"\"\nappendonly no\nreactor-coalesce-us 100\n", "");
  }
  if (pool_yaml) {
    std::string text, directives;
    if (!read_text(config_file, text)) {
      std::cerr << "Can't open the pool file '" << config_file << "'\n";
      return 1;
    }
    std::string err = proxy::pool_from_yaml(text, pool_name, pool, directives);
    if (!err.empty()) {
      std::cerr << config_file << ": " << err << "\n";
      return 1;
    }
    // The pool's listen address; options on the command line still win.
    configs[0]->load_text(directives, "");
    config_file.clear();
  }
  if (sentinel_mode) {
    // redis-sentinel's defaults: port 26379, no persistence, no protected mode;
    // the `sentinel` lines are read by the Sentinel's own parser below.
    configs[0]->skip_lines_of("sentinel");
    configs[0]->load_text("port 26379\nsave \"\"\nprotected-mode no\n", "");
  }
  if (auto err = configs[0]->load(config_file, cli)) {
    std::cerr << err->format();
    return 1;
  }
  // One sentinel_conf per Sentinel: the given file's, or with
  // --local-sentinels each one's own file.
  std::vector<sentinel::sentinel_conf> sentinel_confs(1);
  if (local_sentinels > 0) {
    if (config_file.empty() || config_file == "-") {
      std::cerr << "--local-sentinels needs a config file on disk (each Sentinel saves its "
                   "state in a copy of it)\n";
      return 1;
    }
    int base = int(configs[0]->port.get());
    if (base <= 0 || base + local_sentinels - 1 > 65535) {
      std::cerr << "--local-sentinels: the Sentinels' ports must fit below 65536\n";
      return 1;
    }
    std::string given = read_text_file(config_file);
    configs.clear();
    sentinel_confs.clear();
    for (int i = 0; i < local_sentinels; i++) {
      std::string path = local_sentinel_conf_path(config_file, base + i);
      if (access(path.c_str(), F_OK) != 0) {
        std::ofstream out(path);
        out << local_sentinel_conf_text(given);
        if (!out.flush()) {
          std::cerr << "--local-sentinels: can't write " << path << "\n";
          return 1;
        }
      }
      auto node_cli = cli;
      node_cli.push_back({"port", std::to_string(base + i)});
      configs.push_back(std::make_unique<server_config>());
      configs.back()->skip_lines_of("sentinel");
      configs.back()->load_text("port 26379\nsave \"\"\nprotected-mode no\n", "");
      if (auto err = configs.back()->load(path, node_cli)) {
        std::cerr << err->format();
        return 1;
      }
      sentinel_confs.emplace_back();
      if (auto err = load_sentinel_conf(read_text_file(path), sentinel_confs.back())) {
        std::cerr << *err;
        return 1;
      }
    }
  } else if (sentinel_mode && !config_file.empty() && config_file != "-") {
    if (auto err = load_sentinel_conf(read_text_file(config_file), sentinel_confs[0])) {
      std::cerr << *err;
      return 1;
    }
  }
  if (proxy_mode && !pool_yaml) {
    std::string text;
    if (!config_file.empty() && config_file != "-" && !read_text(config_file, text)) {
      std::cerr << "Can't open the config file '" << config_file << "'\n";
      return 1;
    }
    // The pool's `listen` (shown in INFO): the first bind address and the port.
    auto binds = configs[0]->bind.get();
    std::string bind = binds->empty() ? "*" : binds->front();
    if (!bind.empty() && bind[0] == '-') bind = bind.substr(1);
    if (bind == "*") bind = "0.0.0.0";
    std::string err = proxy::pool_from_proxy_lines(
        text, bind + ":" + std::to_string(configs[0]->port.get()), pool);
    if (!err.empty()) {
      std::cerr << (config_file.empty() ? "config" : config_file) << ": " << err << "\n";
      return 1;
    }
  }
  if (local_nodes > 0) {
    int base = int(configs[0]->port.get()), bus = int(configs[0]->cluster_port.get());
    if (base <= 0 || base + local_nodes - 1 > 65535 ||
        (bus == 0 ? base + 10000 : bus) + local_nodes - 1 > 65535) {
      std::cerr << "--local-cluster: the nodes' ports must fit below 65536\n";
      return 1;
    }
    configs.clear();
    for (int i = 0; i < local_nodes; i++) {
      auto node_cli = cli;
      for (auto& d : local_cluster_node_directives(base, bus, i, local_nodes, local_replicas))
        node_cli.push_back(d);
      configs.push_back(std::make_unique<server_config>());
      if (auto err = configs.back()->load(config_file, node_cli)) {
        std::cerr << err->format();
        return 1;
      }
    }
  }
  server_config& cfg = *configs[0];

  bool background = cfg.daemonize.get();
  if (background) daemonize();

  // dir: the working directory, where data files go. Entered before the log
  // file opens: as in Redis, a relative logfile (and pidfile) lives in dir.
  std::string dir = cfg.dir.str();
  if (chdir(dir.c_str()) != 0) {
    std::cerr << "Can't chdir to '" << dir << "': " << strerror(errno) << "\n";
    return 1;
  }
  {
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) != nullptr)
      for (auto& c : configs) c->dir.set_internal(buf);
  }
  try {
    log_init(cfg.logfile.str(), to_log_level(cfg.loglevel.get()), sentinel_mode ? 'X' : 'M');
  } catch (const std::exception& e) {
    std::cerr << "Can't open the log file: " << e.what() << "\n";
    return 1;
  }
  log_notice("oO0OoO0OoO0Oo Troupe is starting oO0OoO0OoO0Oo");
  log_notice("Troupe version=0.1.0, bits=64, pid={}, just started", getpid());
  if (config_file.empty())
    log_warning(
        "Warning: no config file specified, using the default config. In order to "
        "specify a config file use {} /path/to/troupe.conf",
        argv[0]);
  else
    log_notice("Configuration loaded");

  // As redis-sentinel's sentinelCheckConfigFile: the state is saved there.
  if (sentinel_mode) {
    for (auto& c : configs) {
      const std::string& path = c->config_file();
      if (path.empty() || path == "-") {
        log_warning("Sentinel needs config file on disk to save state. Exiting...");
        spdlog::default_logger()->flush();
        return 1;
      }
      if (access(path.c_str(), W_OK) == -1) {
        log_warning("Sentinel config file {} is not writable: {}. Exiting...", path,
                    strerror(errno));
        spdlog::default_logger()->flush();
        return 1;
      }
    }
  }
  std::string pidfile = cfg.pidfile.str();
  if (pidfile.empty() && background) {
    pidfile = "/var/run/troupe_" + std::to_string(cfg.port.get()) + ".pid";
    cfg.pidfile.set_internal(pidfile);
  }
  if (!pidfile.empty()) {
    std::ofstream pf(pidfile);
    if (pf)
      pf << getpid() << "\n";
    else
      log_warning("Failed to write PID file: {}", strerror(errno));
  }

  std::random_device rd;
  hash_seed = (uint64_t(rd()) << 32) ^ rd();

  // Signals are taken by one thread with sigwait: block them everywhere else.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  caf::actor_system_config caf_cfg;
  // Background actors only: the per-command path runs on the reactors.
  caf_cfg.set("scheduler.max-threads", 2);
  // Work sharing: idle workers sleep on a condition variable. CAF's default
  // work stealing polls (every 50 µs for a while after each message), and those
  // wake-ups steal the core a benchmark client or a reactor is running on.
  caf_cfg.set("scheduler.policy", caf::atom("sharing"));
  // Message types with an inspect() overload, as remote nodes will need them.
  register_message_types(caf_cfg);
  // Cluster mode: the bus between nodes is CAF's network layer (BASP).
  if (cfg.cluster_enabled.get() || local_nodes > 0) {
    caf_cfg.load<caf::io::middleman>();
    // A peer that stops answering is the cluster's business (PFAIL/FAIL), not
    // a reason for CAF to drop the connection on its own schedule.
    caf_cfg.set("middleman.enable-automatic-connections", false);
  }
  caf::actor_system sys{caf_cfg};

  std::vector<std::unique_ptr<server>> servers;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  for (size_t i = 0; i < configs.size(); i++) {
    auto& c = configs[i];
    servers.push_back(std::make_unique<server>(sys, *c));
    server& srv = *servers.back();
    srv.executable = n > 0 ? std::string(exe, size_t(n)) : argv[0];
    srv.config_file_path = c->config_file();
    if (sentinel_mode) srv.enable_sentinel(sentinel_confs[i]);
    if (proxy_mode) srv.enable_proxy(pool);
    if (!srv.start()) {
      spdlog::default_logger()->flush();
      _exit(1);
    }
  }
  std::thread signals([&servers, sigs] {
    int sig = 0;
    while (sigwait(&sigs, &sig) == 0) {
      const char* name = sig == SIGINT ? "SIGINT" : "SIGTERM";
      log_warning("Received {} scheduling shutdown...", name);
      for (auto& sp : servers) {
        server* srv = sp.get();
        server_config& c = srv->config();
        uint32_t flags = sig == SIGINT ? c.shutdown_on_sigint.get() : c.shutdown_on_sigterm.get();
        // On reactor 0, like the cron that may finish it; a failed final save
        // leaves the server running and the next signal tries again.
        srv->reactor_at(0).post(
            [srv, flags, name] { srv->shutdown().begin(flags, nullptr, name); });
      }
    }
  });
  signals.detach();
  int code = 0;
  for (size_t i = 0; i < servers.size(); i++) {
    int c = servers[i]->wait_and_stop();
    if (i == 0) code = c;
  }
  spdlog::default_logger()->flush();
  // Hosted actors belong to the stopped reactors: leave without waiting for them.
  _exit(code);
}
