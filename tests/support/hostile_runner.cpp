#include "hostile_runner.hpp"

#include "dataset_compare.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "differential.hpp"
#include "hostile_catalog.hpp"
#include "hostile_generator.hpp"
#include "hostile_policy.hpp"

namespace troupe::test {
namespace {

// --- printing ---------------------------------------------------------------

// A value as redis-cli accepts it in double quotes, abbreviated when long.
std::string escaped(const std::string& s) {
  std::string out = "\"";
  size_t shown = s.size() > 80 ? 40 : s.size();
  for (size_t i = 0; i < shown; ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += char(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch < 32 || ch >= 127) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", ch);
      out += buf;
    } else {
      out += char(ch);
    }
  }
  out += '"';
  if (shown < s.size()) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string describe(const std::vector<std::string>& args) {
  std::string out;
  for (auto& a : args) out += (out.empty() ? "" : " ") + escaped(a);
  return out;
}

std::string describe(const resp_value& v, size_t budget = 600) {
  using k = resp_value::kind;
  std::string out;
  switch (v.type) {
    case k::simple:
      out = "+" + v.str;
      break;
    case k::error:
      out = "(error) " + v.str;
      break;
    case k::integer:
      out = "(integer) " + std::to_string(v.integer);
      break;
    case k::boolean:
      out = v.integer ? "(true)" : "(false)";
      break;
    case k::nil:
      out = "(nil)";
      break;
    case k::dbl:
      out = "(double) " + v.str;
      break;
    case k::bulk:
    case k::verbatim:
    case k::bignum:
      out = escaped(v.str);
      break;
    default: {
      out = v.type == k::map ? "{" : v.type == k::set ? "~[" : v.type == k::push ? ">[" : "[";
      for (size_t i = 0; i < v.elements.size(); ++i) {
        if (out.size() > budget) {
          out += "... " + std::to_string(v.elements.size()) + " elements";
          break;
        }
        out += (i ? ", " : "") + describe(v.elements[i], budget);
      }
      out += v.type == k::map ? "}" : "]";
    }
  }
  return out;
}

// The reply with its RESP types, elements of aggregates sorted when `sorted`
// (for replies that come from a hash table's iteration order).
std::string canonical(const resp_value& v, bool sorted) {
  std::string s = std::to_string(int(v.type)) + ":";
  if (!v.is_aggregate()) {
    if (v.type == resp_value::kind::integer || v.type == resp_value::kind::boolean)
      return s + std::to_string(v.integer);
    return s + std::to_string(v.str.size()) + ":" + v.str;
  }
  std::vector<std::string> parts;
  for (auto& e : v.elements) parts.push_back(canonical(e, sorted));
  if (sorted) std::sort(parts.begin(), parts.end());
  s += "[";
  for (auto& p : parts) s += p + ",";
  return s + "]";
}

bool is_io(const resp_value& v) {
  return v.is_error() && v.str.rfind("IO ", 0) == 0;
}
bool is_timeout(const resp_value& v) {
  return is_io(v) && v.str.find("timeout") != std::string::npos;
}
bool is_simple(const resp_value& v, const char* s) {
  return v.type == resp_value::kind::simple && v.str == s;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// splitmix64: one independent seed per round.
uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9e3779b97f4a7c15ull + b + 0x632be59bd9b4e019ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// --- one server's connections ----------------------------------------------

struct side {
  const char* name;
  server_process* proc;
  resp_client main, admin, watchdog;
  std::string own_id, own_addr;
  std::map<std::string, std::string> initial_config;
};

class session {
 public:
  explicit session(const hostile_options& o);
  hostile_report run();

 private:
  bool start();
  bool connect(side& s, resp_client& c, int timeout_ms);
  bool reset_dataset();
  void learn_own_client(side& s);
  bool ensure_connections();
  bool watchdogs(const std::vector<std::string>& args);
  void execute(const fuzz_command& cmd, const std::vector<std::string>& args);
  resp_value send(side& s, const fuzz_command& cmd, const std::vector<std::string>& args);
  void compare(const std::string& label, compare_mode mode, const resp_value& r,
               const resp_value& t);
  void track_transaction(const fuzz_command& cmd, const resp_value& r, compare_mode mode,
                         bool diverges);
  bool lex_order_unspecified(const fuzz_command& cmd, const std::vector<std::string>& args);
  void learn_selected_db();
  void sweep_volatile_keys();
  void expire_written_keys(const std::vector<std::vector<std::string>>& writes, int db);
  bool memory_high();
  std::string dataset(side& s);
  void compare_datasets(const std::string& after);
  // Restricted runs: the fixture keys the user may not touch are as loaded.
  static bool restricted_key(const std::string& key);
  void check_outside_keys();
  std::map<std::string, std::string> outside_keys();
  std::map<std::string, std::string> outside_;  // key -> DUMP reply, as loaded
  bool restricted_ready_ = false;               // the user exists: main connections AUTH
  void fail(const std::string& kind, const std::string& body, bool fatal = false);
  resp_value admin_call(side& s, const std::vector<std::string>& args);
  std::string where() const;

  hostile_options o_;
  differential* d_ = nullptr;
  std::unique_ptr<differential> servers_;
  side redis_{"redis", nullptr, {}, {}, {}, {}, {}, {}};
  side troupe_{"troupe", nullptr, {}, {}, {}, {}, {}, {}};
  std::vector<fuzz_command> catalog_;
  std::vector<std::string> directives_;
  std::set<std::string> touched_directives_;
  std::unique_ptr<hostile_generator> gen_;
  hostile_report report_;
  std::map<std::string, size_t> seen_;  // distinct failure -> occurrences
  // Coverage: per command, how many calls Redis answered without an error.
  std::map<std::string, std::pair<uint64_t, uint64_t>> answers_;  // name -> (calls, not errors)
  int64_t round_ = 0;
  int index_ = 0;
  std::vector<std::string> round_log_;
  std::vector<std::string> current_;
  bool stop_ = false;
  bool diverged_ = false;  // the round's state may legitimately differ (reset pending)
  // Transaction tracking, as redis-server sees it.
  bool in_multi_ = false;
  std::vector<compare_mode> queued_;
  std::vector<std::vector<std::string>> queued_args_;
  bool queued_diverges_ = false;
  int selected_db_ = 0;  // the main connections' database, as Redis says
};

session::session(const hostile_options& o) : o_(o) {}

bool session::connect(side& s, resp_client& c, int timeout_ms) {
  if (restricted_ready_ && &c == &s.main) {
    if (!c.connect("127.0.0.1", s.proc->port(), timeout_ms)) return false;
    return is_simple(c.call({"AUTH", "hostile", "hostile"}), "OK");
  }
  c.close();
  return c.connect("127.0.0.1", s.proc->port(), timeout_ms);
}

resp_value session::admin_call(side& s, const std::vector<std::string>& args) {
  resp_value v = s.admin.call(args);
  if (is_io(v) && !is_timeout(v) && connect(s, s.admin, o_.reply_timeout_ms))
    v = s.admin.call(args);  // killed by a fuzzed CLIENT KILL: once more
  return v;
}

void session::learn_own_client(side& s) {
  s.own_id = std::to_string(s.main.call({"CLIENT", "ID"}).integer);
  std::string info = s.main.call({"CLIENT", "INFO"}).str;
  size_t at = info.find("addr=");
  s.own_addr = at == std::string::npos ? "" : info.substr(at + 5, info.find(' ', at) - at - 5);
}

bool session::start() {
  std::vector<std::string> args = o_.troupe_args;
  args.insert(args.end(), {"--save", ""});
#if defined(__SANITIZE_ADDRESS__)
  // Troupe is built with ASan: address-space limits do not work with its
  // shadow memory, so ask ASan to stop it past 4 GB of RSS instead.
  std::string asan = getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "";
  setenv("ASAN_OPTIONS", (asan + (asan.empty() ? "" : ":") + "hard_rss_limit_mb=4096").c_str(), 1);
#endif
  servers_ = std::make_unique<differential>(args);
  d_ = servers_.get();
  if (!d_->ok()) {
    fail("SETUP", "the servers did not start", true);
    return false;
  }
  redis_.proc = &d_->redis();
  troupe_.proc = &d_->troupe();
  // A runaway allocation must cost the server under test, never the machine.
  rlimit lim{4ull << 30, 4ull << 30};
  prlimit(redis_.proc->pid(), RLIMIT_AS, &lim, nullptr);
#if !defined(__SANITIZE_ADDRESS__)
  prlimit(troupe_.proc->pid(), RLIMIT_AS, &lim, nullptr);
#endif
  // Align the client id counters, so CLIENT KILL ID / CLIENT UNBLOCK with a
  // small number name the same connection (or none) on both servers.
  for (int guard = 0; guard < 1000; ++guard) {
    resp_client a, b;
    connect(redis_, a, 5000);
    connect(troupe_, b, 5000);
    int64_t ra = a.call({"CLIENT", "ID"}).integer, tb = b.call({"CLIENT", "ID"}).integer;
    if (ra == tb) break;
    resp_client extra;
    connect(ra < tb ? redis_ : troupe_, extra, 5000);
  }
  for (side* s : {&redis_, &troupe_}) {
    if (!connect(*s, s->main, o_.reply_timeout_ms) || !connect(*s, s->admin, o_.reply_timeout_ms) ||
        !connect(*s, s->watchdog, o_.ping_timeout_ms)) {
      fail("SETUP", std::string("cannot connect to ") + s->name, true);
      return false;
    }
  }
  if (o_.restricted) {
    std::vector<std::string> setuser{"ACL", "SETUSER", "hostile"};
    for (auto& r : restricted_user_rules()) setuser.push_back(r);
    restricted_ready_ = true;
    for (side* s : {&redis_, &troupe_}) {
      if (!is_simple(s->admin.call(setuser), "OK") || !connect(*s, s->main, o_.reply_timeout_ms)) {
        fail("SETUP", std::string("restricted user on ") + s->name, true);
        return false;
      }
    }
  }
  std::string error;
  catalog_ = read_catalog(troupe_.admin, redis_.admin, error);
  if (catalog_.empty()) {
    fail("SETUP", error, true);
    return false;
  }
  std::vector<fuzz_command> fuzzed;
  for (auto& c : catalog_) {
    if (!exclusion_reason(c.name).empty()) continue;
    if (o_.restricted && (c.name == "auth" || c.name == "hello" || c.name == "reset")) continue;
    if (!o_.only.empty() && std::find(o_.only.begin(), o_.only.end(), c.name) == o_.only.end())
      continue;
    fuzzed.push_back(c);
  }
  catalog_ = fuzzed;
  if (catalog_.empty()) {
    fail("SETUP", "no command left to fuzz (HOSTILE_ONLY?)", true);
    return false;
  }
  // Directives both servers have, minus the ones that would end the test.
  std::map<std::string, std::string> tcfg;
  resp_value t = troupe_.admin.call({"CONFIG", "GET", "*"});
  resp_value r = redis_.admin.call({"CONFIG", "GET", "*"});
  for (size_t i = 0; i + 1 < t.elements.size(); i += 2)
    troupe_.initial_config[t.elements[i].str] = t.elements[i + 1].str;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    redis_.initial_config[r.elements[i].str] = r.elements[i + 1].str;
  for (auto& [name, value] : troupe_.initial_config)
    if (redis_.initial_config.count(name) && directive_exclusion_reason(name).empty())
      directives_.push_back(name);
  if (!reset_dataset()) return false;
  // Real DUMP payloads of every type, for RESTORE.
  std::vector<std::string> payloads;
  for (auto& k : hostile_fixture::keys()) {
    resp_value p = redis_.admin.call({"DUMP", k});
    if (p.type == resp_value::kind::bulk) payloads.push_back(p.str);
  }
  gen_ = std::make_unique<hostile_generator>(catalog_, directives_, payloads);
  return true;
}

bool session::reset_dataset() {
  for (side* s : {&redis_, &troupe_}) {
    if (!s->main.connected() || !is_simple(s->main.call({"RESET"}), "RESET")) {
      connect(*s, s->main, o_.reply_timeout_ms);
      s->main.call({"RESET"});
    }
    // RESET made the client the default user again.
    if (o_.restricted) s->main.call({"AUTH", "hostile", "hostile"});
    // The directives first, so the fixture gets its usual encodings.
    for (auto& dname : touched_directives_) {
      auto it = s->initial_config.find(dname);
      if (it != s->initial_config.end()) admin_call(*s, {"CONFIG", "SET", dname, it->second});
    }
    admin_call(*s, {"FLUSHALL"});
    for (auto& c : hostile_fixture::commands()) s->admin.append(c);
    s->admin.flush();
    for (size_t i = 0; i < hostile_fixture::commands().size(); ++i) {
      resp_value v = s->admin.read_reply();
      if (v.is_error()) {
        fail("SETUP", std::string("fixture on ") + s->name + ": " + describe(v), true);
        return false;
      }
    }
    learn_own_client(*s);
  }
  if (o_.restricted && outside_.empty()) outside_ = outside_keys();
  touched_directives_.clear();
  selected_db_ = 0;
  in_multi_ = false;
  queued_.clear();
  queued_diverges_ = false;
  diverged_ = false;
  return true;
}

std::string session::where() const {
  return "round " + std::to_string(round_) + ", command #" + std::to_string(index_) + " (seed " +
         std::to_string(o_.seed) + ")";
}

void session::fail(const std::string& kind, const std::string& body, bool fatal) {
  std::string message = kind + " in " + where() + "\n" + body;
  if (round_ >= 0 && kind != "SETUP") {
    // The round so far, so the failure can be read even after the generator
    // changed (a replay is exact only with the same code).
    if (kind != "DATASET DIFFERS") {
      message += "\n  the round's commands before it:";
      size_t from = round_log_.size() > 31 ? round_log_.size() - 31 : 0;
      for (size_t i = from; i + 1 < round_log_.size(); ++i)
        message += "\n    #" + std::to_string(i) + " " + round_log_[i];
    }
    message += "\n  replay: tools/hostile-input --seed " + std::to_string(o_.seed) + " --round " +
               std::to_string(round_) + " --verbose";
  }
  std::string key = kind + "|" + (current_.empty() ? "" : lower(current_[0])) + "|" +
                    body.substr(body.find("redis:") == std::string::npos ? 0 : body.find("redis:"));
  if (!fatal && seen_[key]++ > 0) return;
  if (fatal) seen_[key]++;
  std::cerr << "hostile-input: " << message << "\n";
  report_.failures.push_back(message);
  if (fatal) {
    report_.fatal = true;
    stop_ = true;
  }
  if (report_.failures.size() >= o_.max_failures) stop_ = true;
}

// A command with every placeholder replaced by this server's own value.
resp_value session::send(side& s, const fuzz_command& cmd, const std::vector<std::string>& args) {
  std::vector<std::string> a = args;
  for (auto& x : a) {
    if (x == own_id_placeholder) x = s.own_id;
    if (x == own_addr_placeholder) x = s.own_addr;
  }
  if (!multi_reply(cmd.name)) return s.main.call(a);
  // One reply per channel, then RESET's +RESET.
  s.main.append(a);
  s.main.append({"RESET"});
  if (!s.main.flush()) return s.main.read_reply();
  resp_value all;
  all.type = resp_value::kind::array;
  for (int i = 0; i < 10000; ++i) {
    resp_value v = s.main.read_reply();
    if (is_io(v)) return v;
    if (is_simple(v, "RESET")) break;
    all.elements.push_back(std::move(v));
  }
  // RESET made the client the default user again.
  if (restricted_ready_) s.main.call({"AUTH", "hostile", "hostile"});
  return all;
}

void session::compare(const std::string& label, compare_mode mode, const resp_value& r,
                      const resp_value& t) {
  if (mode == compare_mode::answered) return;
  std::string body = "  command: " + describe(current_) + label + "\n  redis:   " + describe(r) +
                     "\n  troupe:  " + describe(t);
  if (t.is_error() && t.str.rfind("ERR Out of memory executing", 0) == 0)
    return fail("ALLOCATION FAILURE (caught by the dispatcher's safety net)", body);
  if (r.is_error()) {
    if (!t.is_error())
      fail("NO ERROR (Redis answered an error)", body);
    else if (r.str != t.str)
      fail("ERROR TEXT", body);
    return;
  }
  if (t.is_error()) return fail("ERROR (Redis answered without one)", body);
  bool same = mode == compare_mode::shape ? r.type == t.type
                                          : canonical(r, mode == compare_mode::unordered) ==
                                                canonical(t, mode == compare_mode::unordered);
  if (!same) fail(mode == compare_mode::shape ? "REPLY TYPE" : "REPLY", body);
}

void session::track_transaction(const fuzz_command& cmd, const resp_value& r, compare_mode mode,
                                bool diverges) {
  const std::string& n = cmd.name;
  if (!in_multi_) {
    if (n == "multi" && is_simple(r, "OK")) {
      in_multi_ = true;
      queued_.clear();
      queued_args_.clear();
      queued_diverges_ = false;
    }
    return;
  }
  if (n == "exec" || n == "discard" || n == "reset" || multi_reply(n)) {
    if (n == "exec" && queued_diverges_ && !r.is_error()) diverged_ = true;
    in_multi_ = false;
    return;
  }
  if (is_simple(r, "QUEUED")) {
    queued_.push_back(mode);
    queued_args_.push_back(current_);
    queued_diverges_ |= diverges;
  }
}

// Checks that Troupe still answers PING within a second; reconnects a
// watchdog a fuzzed CLIENT KILL closed. False when the run must stop.
bool session::watchdogs(const std::vector<std::string>& args) {
  for (side* s : {&redis_, &troupe_}) {
    auto t0 = std::chrono::steady_clock::now();
    resp_value v = s->watchdog.call({"PING"});
    if (is_io(v) && !is_timeout(v) && s->proc->running()) {
      connect(*s, s->watchdog, o_.ping_timeout_ms);
      v = s->watchdog.call({"PING"});
    }
    if (is_simple(v, "PONG")) continue;
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::string body = "  command: " + describe(args) +
                       "\n  PING on a separate connection: " + describe(v) + " after " +
                       std::to_string(int(ms)) + " ms";
    if (s == &redis_)
      fail("REDIS STOPPED ANSWERING (the generator must not send this)", body, true);
    else if (!s->proc->running())
      fail("CRASH",
           body + "\n  troupe-server's output:\n" + read_file(s->proc->dir() + "/stderr.log"),
           true);
    else
      fail("PING NOT ANSWERED WITHIN " + std::to_string(o_.ping_timeout_ms) + " ms", body, true);
    return false;
  }
  return true;
}

// Admin and watchdog connections a fuzzed CLIENT KILL closed are reopened on
// both servers in the same order, so both keep the same clients (and ids).
bool session::ensure_connections() {
  for (auto member : {&side::admin, &side::watchdog})
    for (side* s : {&redis_, &troupe_}) {
      resp_client& c = s->*member;
      if (is_simple(c.call({"PING"}), "PONG")) continue;
      if (!connect(*s, c, member == &side::watchdog ? o_.ping_timeout_ms : o_.reply_timeout_ms))
        return false;
    }
  return true;
}

// Keys with a TTL shorter than a round would expire at slightly different
// moments on the two servers (the commands reach them microseconds apart):
// the SET ... PX 1 that made them was compared, their later life is deleted.
void session::sweep_volatile_keys() {
  std::set<int> dbs;
  for (side* s : {&redis_, &troupe_}) {
    std::istringstream info(admin_call(*s, {"INFO", "keyspace"}).str);
    std::string line;
    while (std::getline(info, line)) {
      int db = 0;
      long long keys = 0, expires = 0;
      if (sscanf(line.c_str(), "db%d:keys=%lld,expires=%lld", &db, &keys, &expires) == 3 &&
          expires > 0)
        dbs.insert(db);
    }
  }
  for (int db : dbs) {
    std::set<std::string> names;
    for (side* s : {&redis_, &troupe_}) {
      admin_call(*s, {"SELECT", std::to_string(db)});
      std::string cursor = "0";
      do {
        resp_value v = admin_call(*s, {"SCAN", cursor, "COUNT", "1000"});
        if (v.elements.size() != 2) break;
        cursor = v.elements[0].str;
        for (auto& e : v.elements[1].elements) names.insert(e.str);
      } while (cursor != "0");
    }
    std::vector<std::string> del = {"DEL"};
    for (auto& n : names) {
      int64_t r = admin_call(redis_, {"PTTL", n}).integer,
              t = admin_call(troupe_, {"PTTL", n}).integer;
      if ((r >= 0 && r < 60000) || (t >= 0 && t < 60000) || ((r == -2) != (t == -2)))
        del.push_back(n);
    }
    for (side* s : {&redis_, &troupe_}) {
      if (del.size() > 1) admin_call(*s, del);
      admin_call(*s, {"SELECT", "0"});
    }
  }
}

// A write may leave a key that is already expired (SET ... PXAT 1): each
// server reclaims it on its own schedule (on access, by its active cycle, or
// when SCAN meets it), so DBSIZE would differ for a while. Touch the keys the
// writes named, on both servers, which reclaims them at once.
void session::expire_written_keys(const std::vector<std::vector<std::string>>& writes, int db) {
  for (auto& w : writes) {
    if (w.empty()) continue;
    if (lower(w[0]) == "select" && w.size() == 2) db = std::atoi(w[1].c_str());
    std::vector<std::string> getkeys = {"COMMAND", "GETKEYS"};
    getkeys.insert(getkeys.end(), w.begin(), w.end());
    // Troupe's: redis-server 7.0 allocates numkeys entries before it checks
    // them (COMMAND GETKEYS ZMPOP 2147483647 ... allocates 16 GB).
    resp_value keys = admin_call(troupe_, getkeys);
    if (keys.elements.empty()) continue;
    for (side* s : {&redis_, &troupe_}) {
      admin_call(*s, {"SELECT", std::to_string(db)});
      for (auto& k : keys.elements) admin_call(*s, {"PTTL", k.str});
      admin_call(*s, {"SELECT", "0"});
    }
  }
}

// A SETBIT at offset 2^31 legitimately builds a 256 MB string; start afresh
// rather than drag it through the following commands.
bool session::memory_high() {
  std::string info = admin_call(redis_, {"INFO", "memory"}).str;
  size_t at = info.find("used_memory:");
  return at != std::string::npos &&
         std::strtoull(info.c_str() + at + 12, nullptr, 10) > (128ull << 20);
}

std::string session::dataset(side& s) {
  std::string out;
  std::istringstream info(admin_call(s, {"INFO", "keyspace"}).str);
  std::string line;
  std::vector<int> dbs;
  while (std::getline(info, line)) {
    int db = 0;
    if (sscanf(line.c_str(), "db%d:", &db) == 1) dbs.push_back(db);
  }
  for (int db : dbs) {
    admin_call(s, {"SELECT", std::to_string(db)});
    resp_value keys = admin_call(s, {"KEYS", "*"});
    std::vector<std::string> names;
    for (auto& k : keys.elements) names.push_back(k.str);
    std::sort(names.begin(), names.end());
    for (auto& k : names) {
      std::string type = admin_call(s, {"TYPE", k}).str;
      resp_value v;
      bool sorted = false;
      if (type == "string") {
        v = admin_call(s, {"GET", k});
      } else if (type == "list") {
        v = admin_call(s, {"LRANGE", k, "0", "-1"});
      } else if (type == "hash") {
        v = admin_call(s, {"HGETALL", k});
        // pairs, in any order
        resp_value pairs;
        pairs.type = resp_value::kind::array;
        for (size_t i = 0; i + 1 < v.elements.size(); i += 2) {
          resp_value p;
          p.type = resp_value::kind::array;
          p.elements = {v.elements[i], v.elements[i + 1]};
          pairs.elements.push_back(p);
        }
        v = pairs;
        sorted = true;
      } else if (type == "set") {
        v = admin_call(s, {"SMEMBERS", k});
        sorted = true;
      } else if (type == "zset") {
        v = admin_call(s, {"ZRANGE", k, "0", "-1", "WITHSCORES"});
      } else if (type == "stream") {
        // The entries, and each group's counters and PEL size (no clocks).
        v.type = resp_value::kind::array;
        v.elements = {admin_call(s, {"XRANGE", k, "-", "+"}),
                      admin_call(s, {"XINFO", "GROUPS", k})};
      }
      int64_t pttl = admin_call(s, {"PTTL", k}).integer;
      // One line per key: what is compared, a tab, what is shown.
      std::string name =
          "db" + std::to_string(db) + " " + escaped(k) + " " + type + (pttl >= 0 ? " (ttl)" : "");
      out += name + " " + canonical(v, sorted) + "\t" + name + " " + describe(v, 300) + "\n";
    }
    admin_call(s, {"SELECT", "0"});
  }
  return out;
}

void session::compare_datasets(const std::string& after) {
  std::string r = dataset(redis_), t = dataset(troupe_);
  auto compared_lines = [](const std::string& d) {
    std::string out;
    std::istringstream in(d);
    for (std::string l; std::getline(in, l);) out += l.substr(0, l.find('\t')) + "\n";
    return out;
  };
  if (compared_lines(r) == compared_lines(t)) return;
  std::istringstream rs(r), ts(t);
  std::string rl, tl, diff;
  auto compared = [](const std::string& l) { return l.substr(0, l.find('\t')); };
  auto shown = [](const std::string& l) { return l.substr(l.find('\t') + 1); };
  for (int n = 0; n < 6;) {
    bool rg = bool(std::getline(rs, rl)), tg = bool(std::getline(ts, tl));
    if (!rg && !tg) break;
    if (!rg) rl = "\t(nothing)";
    if (!tg) tl = "\t(nothing)";
    if (compared(rl) == compared(tl)) continue;
    diff += "\n  redis:  " + shown(rl) + "\n  troupe: " + shown(tl);
    ++n;
  }
  fail("DATASET DIFFERS", "  after " + after + diff);
}

void session::learn_selected_db() {
  std::string info = redis_.main.call({"CLIENT", "INFO"}).str;
  size_t at = info.find(" db=");
  if (at != std::string::npos) selected_db_ = std::atoi(info.c_str() + at + 4);
}

// Redis documents lex ranges on members of different scores as unspecified:
// on a skiplist the answer depends on the list's random levels. Such a reply
// is compared by shape, and a write made from it diverges the datasets.
bool session::lex_order_unspecified(const fuzz_command& cmd, const std::vector<std::string>& args) {
  const std::string& n = cmd.name;
  bool bylex = false;
  for (size_t i = 1; i < args.size(); ++i) bylex |= lower(args[i]) == "bylex";
  size_t key_at;
  if (n == "zrangebylex" || n == "zrevrangebylex" || n == "zlexcount" || n == "zremrangebylex" ||
      (n == "zrange" && bylex))
    key_at = 1;
  else if (n == "zrangestore" && bylex)
    key_at = 2;
  else
    return false;
  if (args.size() <= key_at) return false;
  admin_call(redis_, {"SELECT", std::to_string(selected_db_)});
  bool unsorted = false;
  if (admin_call(redis_, {"OBJECT", "ENCODING", args[key_at]}).str == "skiplist") {
    resp_value members = admin_call(redis_, {"ZRANGE", args[key_at], "0", "-1"});
    for (size_t i = 1; i < members.elements.size(); ++i)
      unsorted |= members.elements[i - 1].str > members.elements[i].str;
  }
  admin_call(redis_, {"SELECT", "0"});
  return unsorted;
}

void session::execute(const fuzz_command& cmd, const std::vector<std::string>& args) {
  current_ = args;
  int db_before = selected_db_;
  std::vector<std::vector<std::string>> queued_args = queued_args_;
  compare_mode mode = mode_of(cmd.name);
  bool diverges = diverges_state(cmd.name);
  if (lex_order_unspecified(cmd, args)) {
    mode = compare_mode::shape;
    diverges |= cmd.has_flag("write");
  }
  bool was_in_multi = in_multi_;
  std::vector<compare_mode> queued = queued_;
  resp_value r = send(redis_, cmd, args);
  resp_value t = send(troupe_, cmd, args);
  // An error may quote a placeholder's value, which is each server's own:
  // put the placeholder's name back, so both errors read the same.
  auto name_placeholders = [&](const side& sd, resp_value& reply) {
    if (!reply.is_error()) return;
    auto rename = [&](const std::string& placeholder, const std::string& value, const char* name) {
      if (value.empty() || std::find(args.begin(), args.end(), placeholder) == args.end()) return;
      for (size_t at; (at = reply.str.find(value)) != std::string::npos;)
        reply.str.replace(at, value.size(), name);
    };
    rename(own_addr_placeholder, sd.own_addr, "<own addr>");
    rename(own_id_placeholder, sd.own_id, "<own id>");
  };
  name_placeholders(redis_, r);
  name_placeholders(troupe_, t);
  if (o_.verbose)
    std::cerr << "#" << index_ << " " << describe(args) << "\n    redis:  " << describe(r)
              << "\n    troupe: " << describe(t) << "\n";
  std::string body = "  command: " + describe(args) + "\n  redis:   " + describe(r) +
                     "\n  troupe:  " + describe(t);
  if (is_io(t) && !troupe_.proc->running())
    return fail(
        "CRASH",
        body + "\n  troupe-server's output:\n" + read_file(troupe_.proc->dir() + "/stderr.log"),
        true);
  if (is_timeout(t)) {
    // Slow or stuck? Wait up to a minute more for the reply.
    auto t0 = std::chrono::steady_clock::now();
    troupe_.main.set_timeout(60000);
    resp_value late = troupe_.main.read_reply();
    troupe_.main.set_timeout(o_.reply_timeout_ms);
    long ms = long(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                       .count()) +
              o_.reply_timeout_ms;
    if (is_io(late)) return fail("HANG (no reply within a minute)", body, true);
    return fail("SLOW (answered after " + std::to_string(ms) + " ms: " + describe(late) + ")", body,
                true);
  }
  if (is_timeout(r) || !redis_.proc->running())
    return fail("REDIS STOPPED ANSWERING (the generator must not send this)", body, true);
  if (is_io(r) || is_io(t)) {
    // A fuzzed CLIENT KILL or QUIT closed the connection: fine when both did.
    if (is_io(r) != is_io(t)) fail("CONNECTION CLOSED BY ONE SERVER ONLY", body);
    for (side* s : {&redis_, &troupe_}) connect(*s, s->main, o_.reply_timeout_ms);
    in_multi_ = false;
  } else if (cmd.name == "exec" && was_in_multi && r.is_aggregate() && t.is_aggregate() &&
             r.elements.size() == queued.size() && t.elements.size() == queued.size()) {
    for (size_t i = 0; i < queued.size(); ++i)
      compare(" (EXEC reply " + std::to_string(i) + ")", queued[i], r.elements[i], t.elements[i]);
  } else {
    compare("", mode, r, t);
  }
  auto& [calls, fine] = answers_[cmd.name];
  ++calls;
  if (!r.is_error() && !is_simple(r, "QUEUED")) ++fine;
  track_transaction(cmd, r, mode, diverges);
  if (cmd.name == "quit") {
    for (side* s : {&redis_, &troupe_}) connect(*s, s->main, o_.reply_timeout_ms);
    in_multi_ = false;
  }
  if (stop_ || !watchdogs(args)) return;
  if (cmd.words[0] == "CLIENT" || cmd.name == "exec") {
    if (!ensure_connections()) return fail("SETUP", "cannot reconnect", true);
  }
  if (diverges && !was_in_multi && !r.is_error()) diverged_ = true;
  if (!in_multi_ && (cmd.name == "select" || cmd.name == "exec" || cmd.name == "reset" ||
                     cmd.name == "quit" || is_io(r)))
    learn_selected_db();
  if (diverged_ || ((cmd.has_flag("write") || cmd.name == "exec") && memory_high())) {
    if (!reset_dataset()) return;
  } else if (cmd.has_flag("write") || cmd.name == "exec") {
    if (!in_multi_)
      expire_written_keys(
          cmd.name == "exec" ? queued_args : std::vector<std::vector<std::string>>{args},
          db_before);
    sweep_volatile_keys();
  }
  if (cmd.name == "config|set")
    for (size_t i = 2; i < args.size(); i += 2) touched_directives_.insert(lower(args[i]));
  if (o_.state_every_command && !in_multi_) compare_datasets("command " + describe(args));
}

hostile_report session::run() {
  round_ = -1;
  if (!start()) return report_;
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed_min = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 60;
  };
  std::cerr << "hostile-input: seed " << o_.seed << ", " << catalog_.size() << " commands, "
            << o_.commands_per_round << " per round, "
            << (o_.minutes > 0
                    ? std::to_string(o_.minutes) + " minutes"
                    : std::to_string(o_.rounds) + " rounds from " + std::to_string(o_.first_round))
            << " (replay a round: tools/hostile-input --seed " << o_.seed << " --round R)\n";
  for (round_ = o_.first_round; !stop_; ++round_) {
    if (o_.minutes > 0 ? elapsed_min() >= o_.minutes : round_ >= o_.first_round + o_.rounds) break;
    if (!reset_dataset()) break;
    gen_->reseed(mix(o_.seed, uint64_t(round_)));
    round_log_.clear();
    for (index_ = 0; index_ < o_.commands_per_round && !stop_; ++index_) {
      const fuzz_command& cmd = gen_->pick_command();
      std::vector<std::string> args = gen_->arguments(cmd);
      keep_reference_alive(args, cmd);
      round_log_.push_back(describe(args));
      execute(cmd, args);
      ++report_.commands;
    }
    ++report_.rounds;
    if (!stop_ && !diverged_) {
      if (in_multi_)
        for (side* s : {&redis_, &troupe_}) s->main.call({"DISCARD"});
      std::string log;
      for (size_t i = 0; i < round_log_.size(); ++i)
        log += "\n    #" + std::to_string(i) + " " + round_log_[i];
      compare_datasets("the round's commands:" + log);
    }
    if (o_.restricted && !stop_) check_outside_keys();
    if (o_.minutes > 0 && report_.rounds % 100 == 0)
      std::cerr << "hostile-input: " << report_.rounds << " rounds, " << report_.commands
                << " commands, " << report_.failures.size() << " failures, "
                << int(elapsed_min() * 60) << " s\n";
  }
  std::ostringstream sum;
  sum << "hostile-input: seed " << o_.seed << ": " << report_.rounds << " rounds, "
      << report_.commands << " commands, " << report_.failures.size() << " distinct failures"
      << (report_.fatal ? " (stopped by a fatal one)" : "") << " in " << int(elapsed_min() * 60)
      << " s\n";
  for (auto& [key, n] : seen_)
    if (n > 1) sum << "  " << n << "x " << key.substr(0, key.find('\n')) << "\n";
  // Commands the run never got past their argument checks.
  uint64_t calls = 0, fine = 0;
  std::string never;
  for (auto& [name, counts] : answers_) {
    calls += counts.first;
    fine += counts.second;
    if (counts.second == 0) never += " " + name;
  }
  sum << "  " << fine << " of " << calls << " commands answered without an error";
  if (!never.empty()) sum << "; never without an error:" << never;
  sum << "\n";
  report_.summary = sum.str();
  return report_;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (ch == sep) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

hostile_options hostile_options::from_env(hostile_options o) {
  auto num = [](const char* name, auto& field) {
    if (const char* v = getenv(name); v && *v) field = decltype(field + 0)(std::strtod(v, nullptr));
  };
  if (const char* v = getenv("HOSTILE_SEED"); v && *v) o.seed = std::strtoull(v, nullptr, 10);
  num("HOSTILE_ROUNDS", o.rounds);
  num("HOSTILE_COMMANDS", o.commands_per_round);
  num("HOSTILE_MINUTES", o.minutes);
  num("HOSTILE_REPLY_TIMEOUT_MS", o.reply_timeout_ms);
  num("HOSTILE_MAX_FAILURES", o.max_failures);
  if (const char* v = getenv("HOSTILE_ROUND"); v && *v) {
    o.first_round = std::strtoll(v, nullptr, 10);
    o.rounds = 1;
    o.minutes = 0;
  }
  if (const char* v = getenv("HOSTILE_ONLY")) o.only = split(lower(v), ',');
  if (const char* v = getenv("HOSTILE_VERBOSE")) o.verbose = std::string(v) == "1";
  if (const char* v = getenv("HOSTILE_STATE_EVERY_COMMAND"))
    o.state_every_command = std::string(v) == "1";
  if (const char* v = getenv("HOSTILE_TROUPE_ARGS")) o.troupe_args = split(v, ' ');
  if (const char* v = getenv("HOSTILE_RESTRICTED")) o.restricted = std::string(v) == "1";
  return o;
}

const std::vector<std::string>& restricted_user_rules() {
  static const std::vector<std::string> rules = {"on",      ">hostile", "~s:*",       "~l:*",
                                                 "~h:*",    "&ch:*",    "+@all",      "-@dangerous",
                                                 "-@admin", "-scan",    "-randomkey", "-dbsize"};
  return rules;
}

bool session::restricted_key(const std::string& key) {
  return key.rfind("s:", 0) == 0 || key.rfind("l:", 0) == 0 || key.rfind("h:", 0) == 0;
}

// The content of the fixture's keys outside the user's patterns, in database
// 0, read through commands (DUMP's bytes depend on hash-table order).
std::map<std::string, std::string> session::outside_keys() {
  std::map<std::string, std::string> out;
  dataset_dump all = dump_dataset(*troupe_.proc, 1);
  for (auto& k : hostile_fixture::keys()) {
    if (restricted_key(k)) continue;
    auto it = all.find("0:" + k);
    out[k] = it == all.end() ? "(absent)" : it->second;
  }
  return out;
}

void session::check_outside_keys() {
  std::map<std::string, std::string> now = outside_keys();
  for (auto& [key, content] : outside_)
    if (now[key] != content)
      fail("KEY OUTSIDE THE RESTRICTED USER'S PATTERNS CHANGED",
           "  key: " + key + "\n  loaded: " + content.substr(0, 200) +
               "\n  now:    " + now[key].substr(0, 200));
}

hostile_report run_hostile(const hostile_options& options) {
  session s(options);
  return s.run();
}

}  // namespace troupe::test
