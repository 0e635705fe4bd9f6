#include "actors/sentinel/sentinel_control.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include <caf/all.hpp>

#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/sentinel/sentinel_monitor.hpp"
#include "actors/server/server.hpp"
#include "protocol/resp/resp_value.hpp"
#include "storage/keyspace/clock.hpp"
#include "topology/sentinel/sentinel_admin.hpp"

extern char** environ;

namespace troupe {
namespace {

using namespace sentinel;

constexpr size_t sentinel_script_max_running = 16;
constexpr size_t sentinel_script_max_queue = 256;
constexpr int sentinel_script_max_retry = 10;

// Host names as redis-sentinel resolves them (resolve-hostnames): IP literals
// always, names through the resolver only when allowed.
std::optional<std::string> sentinel_resolve_host(const std::string& host, bool names) {
  if (auto ip = default_resolve(host, false)) return ip;
  if (!names || host.empty()) return std::nullopt;
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {0};
  const void* a =
      res->ai_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr);
  const char* ok = inet_ntop(res->ai_family, a, buf, sizeof(buf));
  freeaddrinfo(res);
  if (ok == nullptr) return std::nullopt;
  return std::string(buf);
}

std::string sentinel_encode(const std::vector<std::string>& argv) {
  return encode_command(argv);
}

}  // namespace

std::optional<std::string> load_sentinel_conf(const std::string& file_text, sentinel_conf& out) {
  config_hooks hooks;
  hooks.resolve = sentinel_resolve_host;
  auto lines = sentinel_lines_of(file_text);
  if (auto err = apply_sentinel_lines(out, lines, hooks)) return fatal_error_text(*err);
  return std::nullopt;
}

sentinel_control::sentinel_control(server& srv, sentinel_conf conf) : srv_(srv) {
  sentinel_options opts;
  opts.port = int(srv.config().port.get());
  opts.resolve = sentinel_resolve_host;
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  state_ = std::make_unique<sentinel_state>(
      conf, std::move(opts), [rng] { return (*rng)(); }, now_ms());
}

sentinel_control::~sentinel_control() = default;

int64_t sentinel_control::now_ms() {
  return wall_clock_ms();
}

void sentinel_control::start() {
  std::unique_lock<std::mutex> g(mutex_);
  started_ = true;
  log_notice("Sentinel ID is {}", state_->myid());
  for (auto& m : state_->masters())
    log_warning("+monitor master {} {} {} quorum {}", m->name, m->addr.ip, m->addr.port, m->quorum);
  for (auto& m : state_->masters()) monitor_of(m->id);
  actor_ = spawn_actor<function_actor>(
      srv_.registry(), placement::scheduler(), {"sentinel"}, "sentinel",
      [this](function_actor* self) -> caf::behavior {
        self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
        return {[this, self](tick_atom) {
          tick();
          run_scripts();
          self->delayed_send(self, std::chrono::milliseconds(100), tick_atom::value);
        }};
      });
  carry_out(g);
}

void sentinel_control::stop() {
  std::lock_guard<std::mutex> g(mutex_);
  if (actor_) caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  for (auto& [id, m] : monitors_) caf::anon_send(m, stop_atom::value);
  monitors_.clear();
}

caf::actor sentinel_control::monitor_of(uint64_t master_id) {
  auto it = monitors_.find(master_id);
  if (it != monitors_.end()) return it->second;
  const instance* m = state_->find(master_id);
  std::string label = m ? m->name : std::to_string(master_id);
  reactor& r = srv_.reactor_at(next_reactor_++ % srv_.reactor_count());
  caf::actor a =
      spawn_actor<sentinel_monitor>(srv_.registry(), placement::on(r), {"master " + label}, *this);
  monitors_[master_id] = a;
  return a;
}

void sentinel_control::tick() {
  std::unique_lock<std::mutex> g(mutex_);
  // tick() returns everything queued, its own output and the inputs' since.
  sentinel_output out = state_->tick(now_ms());
  carry_out(g, &out);
}

void sentinel_control::link_up(uint64_t id, const std::string& local_ip) {
  command([&](sentinel_state& s, int64_t now) { s.link_up(id, local_ip, now); });
}

void sentinel_control::link_down(uint64_t id) {
  command([&](sentinel_state& s, int64_t now) { s.link_down(id, now); });
}

void sentinel_control::hello_received(uint64_t id, const std::string& payload) {
  command([&](sentinel_state& s, int64_t now) { s.hello_received(id, payload, now); });
}

void sentinel_control::reply(uint64_t id, int kind, const resp_value& v) {
  command([&](sentinel_state& s, int64_t now) {
    switch (command_kind(kind)) {
      case command_kind::ping:
        if (v.type == resp_value::kind::simple || v.is_error())
          s.ping_reply(id, v.str, now);
        else
          s.command_reply(id);
        break;
      case command_kind::info:
        if (v.type == resp_value::kind::bulk || v.type == resp_value::kind::verbatim)
          s.info_reply(id, v.str, now);
        else
          s.command_reply(id);
        break;
      case command_kind::hello:
        s.hello_published(id, !v.is_error(), now);
        break;
      case command_kind::is_master_down:
        if (v.type == resp_value::kind::array && v.elements.size() == 3 &&
            v.elements[0].type == resp_value::kind::integer &&
            v.elements[1].type == resp_value::kind::bulk &&
            v.elements[2].type == resp_value::kind::integer)
          s.is_master_down_reply(id, v.elements[0].integer, v.elements[1].str,
                                 v.elements[2].integer, now);
        else
          s.command_reply(id);
        break;
      case command_kind::discard:
        s.command_reply(id);
        break;
      case command_kind::link_setup:
        break;
    }
  });
}

void sentinel_control::carry_out(std::unique_lock<std::mutex>& g, sentinel_output* given) {
  // Before the actors exist the output waits in the state for start().
  if (!started_) return;
  sentinel_output out = given ? std::move(*given) : state_->take_output();
  // Links first (a command may follow a connect in the same output).
  for (uint64_t id : out.disconnect) {
    auto it = owner_.find(id);
    if (it == owner_.end()) continue;
    auto m = monitors_.find(it->second);
    if (m != monitors_.end()) caf::anon_send(m->second, close_atom::value, id);
    if (state_->find(id) == nullptr) owner_.erase(it);  // the instance is gone
  }
  // SENTINEL REMOVE: the monitors of masters that are gone stop.
  if (!out.disconnect.empty()) {
    for (auto it = monitors_.begin(); it != monitors_.end();) {
      if (state_->find(it->first) == nullptr) {
        caf::anon_send(it->second, stop_atom::value);
        it = monitors_.erase(it);
      } else {
        ++it;
      }
    }
  }
  const std::string& myid = state_->myid();
  for (uint64_t id : out.connect) {
    const instance* ri = state_->find(id);
    if (ri == nullptr) continue;
    const instance* master = ri->is_master() ? ri : ri->master;
    if (master == nullptr) continue;
    owner_[id] = master->id;
    std::string setup;
    if (!ri->is_sentinel()) {
      if (master->auth_pass) {
        if (master->auth_user)
          setup += sentinel_encode({"AUTH", *master->auth_user, *master->auth_pass});
        else
          setup += sentinel_encode({"AUTH", *master->auth_pass});
      }
      setup += sentinel_encode({"CLIENT", "SETNAME", "sentinel-" + myid.substr(0, 8) + "-pubsub"});
      setup += sentinel_encode({"SUBSCRIBE", "__sentinel__:hello"});
    }
    caf::anon_send(monitor_of(master->id), connect_atom::value, id, ri->addr.ip,
                   int32_t(ri->addr.port), setup);
  }
  for (auto& c : out.commands) {
    auto it = owner_.find(c.target);
    if (it == owner_.end()) continue;
    auto m = monitors_.find(it->second);
    if (m == monitors_.end()) continue;
    caf::anon_send(m->second, command_atom::value, c.target, int32_t(c.kind),
                   sentinel_encode(c.argv));
  }
  std::optional<sentinel_conf> to_save;
  if (out.save_config) to_save = state_->to_conf();
  g.unlock();

  for (auto& e : out.events) {
    std::string line = e.message.empty() ? e.type : e.type + " " + e.message;
    switch (e.level) {
      case sentinel::log_level::warning:
        log_warning("{}", line);
        break;
      case sentinel::log_level::notice:
        log_notice("{}", line);
        break;
      default:
        log_verbose("{}", line);
        break;
    }
    if (e.level != sentinel::log_level::debug) {
      reactor* here = current_reactor();
      srv_.pubsub().publish(e.type, e.message, here ? here->index() : -1);
    }
  }
  for (auto& l : out.log) log_warning("{}", l);
  if (!out.scripts.empty()) {
    std::lock_guard<std::mutex> sg(scripts_mutex_);
    for (auto& argv : out.scripts) {
      if (scripts_.size() >= sentinel_script_max_queue) {
        // As Redis: the oldest one not running makes room.
        for (auto it = scripts_.begin(); it != scripts_.end(); ++it)
          if (it->pid == 0) {
            scripts_.erase(it);
            break;
          }
        if (scripts_.size() >= sentinel_script_max_queue) continue;
      }
      script_job j;
      j.argv = argv;
      scripts_.push_back(std::move(j));
    }
  }
  if (to_save) {
    std::string err;
    if (!save_config(*to_save, err))
      log_warning("WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
                  err);
  }
  g.lock();
}

std::string sentinel_control::rewrite_text(const std::string& text,
                                           const sentinel_conf& conf) const {
  // CONFIG REWRITE's text ends with a line end: without it the Sentinel's new
  // lines follow the generated ones directly, as in redis-sentinel's files
  // (one rewrite pass there).
  std::string_view body(text);
  while (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  return rewrite_config_text(body, sentinel_rewrite_plan(conf));
}

bool sentinel_control::save_config(const sentinel_conf& conf, std::string& err) {
  std::lock_guard<std::mutex> g(save_mutex_);
  return srv_.config().rewrite(
      err, [this, &conf](const std::string& text) { return rewrite_text(text, conf); });
}

bool sentinel_control::flush_config(std::string& err) {
  sentinel_conf conf;
  {
    std::lock_guard<std::mutex> g(mutex_);
    conf = state_->to_conf();
  }
  return save_config(conf, err);
}

// -- fault injection -----------------------------------------------------------------

bool sentinel_control::set_link_filter(const std::string& ip, int port, bool drop) {
  {
    std::lock_guard<std::mutex> g(filter_mutex_);
    if (drop && dropped_.size() >= max_link_filters && dropped_.count({ip, port}) == 0)
      return false;
    if (drop)
      dropped_.insert({ip, port});
    else
      dropped_.erase({ip, port});
    any_dropped_.store(!dropped_.empty());
  }
  // PASS: the state opens the links again on its next ticks (they are down).
  if (!drop) return true;
  std::lock_guard<std::mutex> g(mutex_);
  if (!started_) return true;
  auto close = [&](const instance& ri, const instance& master) {
    if (ri.addr.ip != ip || ri.addr.port != port) return;
    auto m = monitors_.find(master.id);
    // The monitor closes the links and reports them down if they were up.
    if (m != monitors_.end()) caf::anon_send(m->second, close_atom::value, ri.id, true);
  };
  for (auto& m : state_->masters()) {
    close(*m, *m);
    for (auto& r : m->replicas) close(*r, *m);
    for (auto& s : m->sentinels) close(*s, *m);
  }
  return true;
}

bool sentinel_control::link_dropped(const std::string& ip, int port) const {
  if (!any_dropped_.load(std::memory_order_relaxed)) return false;
  std::lock_guard<std::mutex> g(filter_mutex_);
  return dropped_.count({ip, port}) != 0;
}

std::vector<std::string> sentinel_control::link_filters() const {
  std::lock_guard<std::mutex> g(filter_mutex_);
  std::vector<std::string> v;
  for (auto& [ip, port] : dropped_)
    v.push_back((ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" +
                std::to_string(port));
  return v;
}

// -- scripts ------------------------------------------------------------------------

void sentinel_control::run_scripts() {
  // SENTINEL DEBUG may have changed these.
  int64_t script_max_runtime, script_retry_delay;
  {
    std::lock_guard<std::mutex> g(mutex_);
    script_max_runtime = state_->timing().script_max_runtime;
    script_retry_delay = state_->timing().script_retry_delay;
  }
  std::lock_guard<std::mutex> g(scripts_mutex_);
  int64_t now = now_ms();
  // Reap the ones that ended (only our own children).
  for (auto it = scripts_.begin(); it != scripts_.end();) {
    if (it->pid <= 0) {
      ++it;
      continue;
    }
    int status = 0;
    pid_t r = waitpid(it->pid, &status, WNOHANG);
    if (r == 0) {
      if (now - it->start_time > script_max_runtime) {
        log_warning("-script-timeout {} {}", it->argv[0], int(it->pid));
        kill(it->pid, SIGKILL);
      }
      ++it;
      continue;
    }
    bool by_signal = r > 0 && WIFSIGNALED(status);
    int code = r > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    if (by_signal || code != 0)
      log_warning("-script-error {} {} {}", it->argv[0], by_signal ? WTERMSIG(status) : 0, code);
    if ((by_signal || code == 1) && it->retries < sentinel_script_max_retry) {
      it->retries++;
      it->pid = 0;
      // Redis: the delay doubles with each retry (saturating here).
      int64_t delay = std::max<int64_t>(script_retry_delay, 0);
      for (int k = 0; k < it->retries && delay < INT64_MAX / 4; k++) delay *= 2;
      it->start_time = now + std::min<int64_t>(delay, INT64_MAX / 4);
      ++it;
    } else {
      it = scripts_.erase(it);
    }
  }
  size_t running = 0;
  for (auto& j : scripts_)
    if (j.pid > 0) running++;
  for (auto& j : scripts_) {
    if (running >= sentinel_script_max_running) break;
    if (j.pid != 0 || j.start_time > now) continue;
    std::vector<char*> argv;
    for (auto& a : j.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      log_warning("-script-error {} (could not run it)", j.argv[0]);
      j.pid = -1;  // dropped below
      continue;
    }
    log_verbose("+script-child {}", int(pid));
    j.pid = pid;
    j.start_time = now;
    running++;
  }
  std::erase_if(scripts_, [](const script_job& j) { return j.pid < 0; });
}

std::vector<sentinel_control::script_job> sentinel_control::pending_scripts() const {
  std::lock_guard<std::mutex> g(scripts_mutex_);
  return scripts_;
}

size_t sentinel_control::running_scripts() const {
  std::lock_guard<std::mutex> g(scripts_mutex_);
  size_t n = 0;
  for (auto& j : scripts_)
    if (j.pid > 0) n++;
  return n;
}

// -- INFO -----------------------------------------------------------------------------

std::string sentinel_control::info_fields() {
  int running = 0;
  int64_t queued = 0;
  {
    std::lock_guard<std::mutex> g(scripts_mutex_);
    for (auto& j : scripts_) {
      if (j.pid > 0)
        running++;
      else
        queued++;
    }
  }
  std::lock_guard<std::mutex> g(mutex_);
  state_->set_script_counts(running, queued);
  std::string s = sentinel::sentinel_info_section(*state_);
  // INFO writes the section header itself.
  const std::string header = "# Sentinel\r\n";
  if (s.rfind(header, 0) == 0) s.erase(0, header.size());
  return s;
}

}  // namespace troupe
