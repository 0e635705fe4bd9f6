// Reading nutcracker's YAML configuration: yaml-cpp's event parser feeds a
// small state machine with nutcracker's shape rules (one document, a mapping of
// pools, each a mapping of scalar directives and one `servers` block sequence;
// no flow collections, anchors, aliases or tags), then each directive is read
// and each pool validated with nutcracker 0.5.0's rules and messages.
#include "topology/proxy/pool_config.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <climits>
#include <exception>
#include <sstream>

namespace troupe::proxy {

namespace {

constexpr size_t pool_config_max_text = 4u << 20;  // a configuration file is small
constexpr int pool_config_ketama_port = 11211;
// Not a nutcracker limit: it bounds what one file can make a ring allocate
// (160 ketama points per server).
constexpr size_t pool_config_max_servers = 10000;

// nutcracker's nc_atoi: decimal digits only, no sign, no blanks; nullopt when
// it is not a number. (nutcracker lets a value past INT_MAX wrap; here it is
// refused.)
std::optional<int> pool_config_atoi(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
    if (v > INT_MAX) return std::nullopt;
  }
  return static_cast<int>(v);
}

bool pool_config_valid_port(int p) {
  return p >= 1 && p <= 65535;
}

// strtol(s, NULL, 8) as nutcracker calls it for the unix socket permissions:
// leading blanks, an optional sign, octal digits, the rest ignored; no digits
// gives 0. nullopt where strtol would report ERANGE.
std::optional<long> pool_config_strtol8(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  long v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '7'; i++) {
    if (v > (LONG_MAX - 7) / 8) return std::nullopt;
    v = v * 8 + (s[i] - '0');
  }
  return neg ? -v : v;
}

// nutcracker refuses the document markers ("---", "...") and directives
// ("%YAML", "%TAG"), which yaml-cpp's events do not show. At the start of a line
// they can only be those (YAML forbids them there inside a scalar).
std::string pool_config_markers(std::string_view text) {
  size_t line = 1;
  for (size_t i = 0; i < text.size(); line++) {
    std::string_view rest = text.substr(i);
    auto marker = [&](std::string_view m) {
      if (rest.substr(0, m.size()) != m) return false;
      if (rest.size() == m.size()) return true;
      char c = rest[m.size()];
      return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    };
    if (marker("---"))
      return "conf: line " + std::to_string(line) + ": document start \"---\" is disallowed";
    if (marker("..."))
      return "conf: line " + std::to_string(line) + ": document end \"...\" is disallowed";
    if (!rest.empty() && rest[0] == '%') {
      return "conf: line " + std::to_string(line) + ": directives are disallowed";
    }
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) break;
    i = nl + 1;
  }
  return "";
}

std::string pool_config_directive_error(std::string_view key, std::string_view what) {
  return "conf: directive \"" + std::string(key) + "\" " + std::string(what);
}

std::string pool_config_set_listen(pool_config& p, const std::string& v) {
  p.listen = v;
  if (!v.empty() && v[0] == '/') {
    size_t sp = v.rfind(' ');
    if (sp == std::string::npos) {
      p.listen_host = v;
    } else {
      p.listen_host = v.substr(0, sp);
      auto perm = pool_config_strtol8(std::string_view(v).substr(sp + 1));
      if (!perm || *perm < 0 || *perm > 0777) {
        return pool_config_directive_error(
            "listen", "has an invalid file permission in \"socket_path permission\" format string");
      }
      p.listen_perm = static_cast<int>(*perm);
    }
    p.listen_port = 0;
    return "";
  }
  size_t colon = v.rfind(':');
  if (colon == std::string::npos) {
    return pool_config_directive_error("listen", "has an invalid \"hostname:port\" format string");
  }
  auto port = pool_config_atoi(std::string_view(v).substr(colon + 1));
  if (!port || !pool_config_valid_port(*port)) {
    return pool_config_directive_error("listen",
                                       "has an invalid port in \"hostname:port\" format string");
  }
  p.listen_host = v.substr(0, colon);
  p.listen_port = *port;
  return "";
}

// What a directive of the pool is: which setter, and whether it was set.
struct pool_config_seen {
  bool listen = false, hash = false, hash_tag = false, distribution = false, timeout = false,
       backlog = false, client_connections = false, tcpkeepalive = false, redis = false,
       redis_auth = false, redis_db = false, preconnect = false, auto_eject_hosts = false,
       server_connections = false, server_retry_timeout = false, server_failure_limit = false;
};

struct pool_config_entry {
  pool_config pool;
  pool_config_seen seen;
};

std::string pool_config_set(pool_config_entry& e, const std::string& key, const std::string& v) {
  pool_config& p = e.pool;
  pool_config_seen& s = e.seen;
  auto once = [&](bool& flag) {
    if (flag) return false;
    flag = true;
    return true;
  };
  auto num = [&](bool& flag, int& field) -> std::string {
    if (!once(flag)) return pool_config_directive_error(key, "is a duplicate");
    auto n = pool_config_atoi(v);
    if (!n) return pool_config_directive_error(key, "is not a number");
    field = *n;
    return "";
  };
  auto boolean = [&](bool& flag, bool& field) -> std::string {
    if (!once(flag)) return pool_config_directive_error(key, "is a duplicate");
    if (v == "true") {
      field = true;
    } else if (v == "false") {
      field = false;
    } else {
      return pool_config_directive_error(key, "is not \"true\" or \"false\"");
    }
    return "";
  };
  if (key == "listen") {
    if (!once(s.listen)) return pool_config_directive_error(key, "is a duplicate");
    return pool_config_set_listen(p, v);
  }
  if (key == "hash") {
    if (!once(s.hash)) return pool_config_directive_error(key, "is a duplicate");
    auto h = parse_hash_kind(v);
    if (!h) return pool_config_directive_error(key, "is not a valid hash");
    p.hash = *h;
    return "";
  }
  if (key == "hash_tag") {
    if (!once(s.hash_tag)) return pool_config_directive_error(key, "is a duplicate");
    if (v.size() != 2) {
      return pool_config_directive_error(key, "is not a valid hash tag string with two characters");
    }
    p.hash_tag = v;
    return "";
  }
  if (key == "distribution") {
    if (!once(s.distribution)) return pool_config_directive_error(key, "is a duplicate");
    auto d = parse_distribution(v);
    if (!d) return pool_config_directive_error(key, "is not a valid distribution");
    p.distribution = *d;
    return "";
  }
  if (key == "timeout") return num(s.timeout, p.timeout);
  if (key == "backlog") return num(s.backlog, p.backlog);
  if (key == "client_connections") return num(s.client_connections, p.client_connections);
  if (key == "tcpkeepalive") return boolean(s.tcpkeepalive, p.tcpkeepalive);
  if (key == "redis") return boolean(s.redis, p.redis);
  if (key == "redis_auth") {
    if (!once(s.redis_auth)) return pool_config_directive_error(key, "is a duplicate");
    p.redis_auth = v;
    return "";
  }
  if (key == "redis_db") return num(s.redis_db, p.redis_db);
  if (key == "preconnect") return boolean(s.preconnect, p.preconnect);
  if (key == "auto_eject_hosts") return boolean(s.auto_eject_hosts, p.auto_eject_hosts);
  if (key == "server_connections") return num(s.server_connections, p.server_connections);
  if (key == "server_retry_timeout") return num(s.server_retry_timeout, p.server_retry_timeout);
  if (key == "server_failure_limit") return num(s.server_failure_limit, p.server_failure_limit);
  if (key == "servers") {
    if (p.servers.size() >= pool_config_max_servers) {
      return "conf: pool '" + p.name + "' has more than " +
             std::to_string(pool_config_max_servers) + " servers";
    }
    server_config sc;
    std::string err = parse_server_line(v, sc);
    if (!err.empty()) return pool_config_directive_error(key, err);
    p.servers.push_back(std::move(sc));
    return "";
  }
  return "conf: directive \"" + key + "\" is unknown";
}

// nutcracker's string_compare: the shorter string first, then bytes.
bool pool_config_name_less(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

std::string pool_config_validate(pool_config_entry& e) {
  pool_config& p = e.pool;
  if (!e.seen.listen) return "conf: directive \"listen:\" is missing";
  if (e.seen.server_connections && p.server_connections == 0) {
    return "conf: directive \"server_connections:\" cannot be 0";
  }
  if (e.seen.redis_auth && !p.redis) {
    return "conf: directive \"redis_auth:\" is only valid for a redis pool";
  }
  if (p.servers.empty()) return "conf: pool '" + p.name + "' has no servers";
  std::vector<const std::string*> names;
  names.reserve(p.servers.size());
  for (const auto& s : p.servers) names.push_back(&s.name);
  std::sort(names.begin(), names.end(), [](const std::string* a, const std::string* b) {
    return pool_config_name_less(*a, *b);
  });
  for (size_t i = 0; i + 1 < names.size(); i++) {
    if (*names[i] == *names[i + 1]) {
      return "conf: pool '" + p.name + "' has servers with same name '" + *names[i] + "'";
    }
  }
  return "";
}

// The shape nutcracker allows, checked event by event.
class pool_config_events : public YAML::EventHandler {
 public:
  struct stop {};  // the first error ends the parse

  std::vector<pool_config_entry> pools;
  std::string error;
  int documents = 0;

  void OnDocumentStart(const YAML::Mark&) override {
    if (++documents > 1) fail("conf: the file must contain only 1 document");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override {
    check_anchor(m, a);
    switch (state_) {
      case st::pool_key:
      case st::root_key:
        fail(at(m) + "an empty key is not allowed");
      case st::pool_value:
        fail(pool_config_directive_error(key_, "has no value"));
      case st::root_value:
        fail(at(m) + "pool '" + current().pool.name + "' is empty");
      case st::servers:
        fail(pool_config_directive_error("servers", "has an empty entry"));
      default:
        fail(at(m) + "a configuration must be a mapping of pools");
    }
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override {
    fail(at(m) + "aliases are not allowed");
  }
  void OnAnchor(const YAML::Mark& m, const std::string&) override {
    fail(at(m) + "anchors are not allowed");
  }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a,
                const std::string& value) override {
    check_anchor(m, a);
    check_tag(m, tag);
    switch (state_) {
      case st::root_key:
        pools.emplace_back();
        pools.back().pool.name = value;
        state_ = st::root_value;
        return;
      case st::pool_key:
        key_ = value;
        state_ = st::pool_value;
        return;
      case st::pool_value:
        if (key_ == "servers") fail(at(m) + "directive \"servers\" must be a sequence");
        if (value.empty()) fail(pool_config_directive_error(key_, "has no value"));
        set(value);
        state_ = st::pool_key;
        return;
      case st::servers:
        if (value.empty()) fail(pool_config_directive_error("servers", "has an empty entry"));
        set(value);
        return;
      case st::root_value:
        fail(at(m) + "pool '" + current().pool.name + "' must be a mapping of directives");
      default:
        fail(at(m) + "a configuration must be a mapping of pools");
    }
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a,
                       YAML::EmitterStyle::value style) override {
    check_anchor(m, a);
    check_tag(m, tag);
    if (style == YAML::EmitterStyle::Flow) fail(at(m) + "flow sequences are not allowed");
    if (state_ == st::start) fail(at(m) + "a configuration must be a mapping of pools");
    if (state_ != st::pool_value) fail(at(m) + "a sequence is only allowed as \"servers\"");
    if (key_ != "servers") {
      fail(at(m) + "directive \"" + key_ + "\" must be a scalar, only \"servers\" is a sequence");
    }
    if (servers_seen_)
      fail(at(m) + "pool '" + current().pool.name + "' has more than one sequence directive");
    servers_seen_ = true;
    state_ = st::servers;
  }
  void OnSequenceEnd() override { state_ = st::pool_key; }
  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t a,
                  YAML::EmitterStyle::value style) override {
    check_anchor(m, a);
    check_tag(m, tag);
    if (style == YAML::EmitterStyle::Flow) fail(at(m) + "flow mappings are not allowed");
    if (state_ == st::start) {
      state_ = st::root_key;
    } else if (state_ == st::root_value) {
      state_ = st::pool_key;
      servers_seen_ = false;
    } else {
      fail(at(m) + "the configuration has a depth greater than 2");
    }
  }
  void OnMapEnd() override {
    if (state_ == st::pool_key) {
      if (!servers_seen_) {
        fail("conf: pool '" + current().pool.name + "' missing sequence directive \"servers\"");
      }
      state_ = st::root_key;
    } else if (state_ == st::root_key) {
      state_ = st::done;
    }
  }

  bool finished() const { return state_ == st::done; }

 private:
  enum class st { start, root_key, root_value, pool_key, pool_value, servers, done };

  [[noreturn]] void fail(std::string msg) {
    error = std::move(msg);
    throw stop{};
  }
  static std::string at(const YAML::Mark& m) {
    return "conf: line " + std::to_string(m.line + 1) + ": ";
  }
  void check_anchor(const YAML::Mark& m, YAML::anchor_t a) {
    if (a != YAML::NullAnchor) fail(at(m) + "anchors are not allowed");
  }
  void check_tag(const YAML::Mark& m, const std::string& tag) {
    if (!tag.empty() && tag != "?" && tag != "!") fail(at(m) + "tags are not allowed");
  }
  pool_config_entry& current() { return pools.back(); }
  void set(const std::string& value) {
    std::string err = pool_config_set(current(), key_, value);
    if (!err.empty()) fail(std::move(err));
  }

  st state_ = st::start;
  std::string key_;
  bool servers_seen_ = false;
};

}  // namespace

std::string_view distribution_name(distribution_kind d) {
  switch (d) {
    case distribution_kind::ketama:
      return "ketama";
    case distribution_kind::modula:
      return "modula";
    case distribution_kind::random:
      return "random";
  }
  return "";
}

std::optional<distribution_kind> parse_distribution(std::string_view name) {
  if (name == "ketama") return distribution_kind::ketama;
  if (name == "modula") return distribution_kind::modula;
  if (name == "random") return distribution_kind::random;
  return std::nullopt;
}

std::string parse_server_line(std::string_view v, server_config& out) {
  out = server_config{};
  const std::string bad_format =
      "has an invalid \"hostname:port:weight [name]\"or \"/path/unix_socket:weight [name]\" "
      "format string";
  if (v.empty()) return bad_format;
  const bool unix_socket = v[0] == '/';
  // nutcracker scans backwards for ' ' (optional), ':' (weight), ':' (port,
  // TCP only) and then a NUL byte, which must not be found.
  std::string_view rest = v;
  std::optional<std::string_view> name, weight, port;
  size_t sp = rest.rfind(' ');
  if (sp != std::string_view::npos) {
    name = rest.substr(sp + 1);
    rest = rest.substr(0, sp);
  }
  size_t c1 = rest.rfind(':');
  if (c1 == std::string_view::npos) return bad_format;
  weight = rest.substr(c1 + 1);
  rest = rest.substr(0, c1);
  if (!unix_socket) {
    size_t c2 = rest.rfind(':');
    if (c2 == std::string_view::npos) return bad_format;
    port = rest.substr(c2 + 1);
    rest = rest.substr(0, c2);
  } else if (rest.find(':') != std::string_view::npos) {
    return bad_format;
  }
  if (rest.find('\0') != std::string_view::npos) return bad_format;
  std::string_view addr = rest;

  auto w = pool_config_atoi(*weight);
  if (!w) return "has an invalid weight in \"hostname:port:weight [name]\" format string";
  if (*w == 0) return "has a zero weight in \"hostname:port:weight [name]\" format string";
  int p = 0;
  if (!unix_socket) {
    auto pn = pool_config_atoi(*port);
    if (!pn || !pool_config_valid_port(*pn)) {
      return "has an invalid port in \"hostname:port:weight [name]\" format string";
    }
    p = *pn;
  }
  out.pname = std::string(name ? v.substr(0, v.size() - name->size() - 1) : v);
  out.host = std::string(addr);
  out.port = p;
  out.weight = static_cast<uint32_t>(*w);
  if (name) {
    out.has_name = true;
    out.name = std::string(*name);
  } else if (p == pool_config_ketama_port) {
    out.name = out.host;
  } else {
    // host, the colon after it and the port's text as written (for a unix
    // socket there is no port: "path:").
    out.name = std::string(v.substr(0, addr.size() + 1 + (port ? port->size() : 0)));
  }
  return "";
}

std::string parse_nutcracker_yaml(std::string_view text, std::vector<pool_config>& out) {
  out.clear();
  if (text.size() > pool_config_max_text) return "conf: the file is too large";
  if (std::string m = pool_config_markers(text); !m.empty()) return m;
  pool_config_events h;
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(h)) {
    }
  } catch (const pool_config_events::stop&) {
    return h.error;
  } catch (const YAML::DeepRecursion&) {
    return "conf: the file is nested too deeply";
  } catch (const YAML::Exception& e) {
    return "conf: YAML error at line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
  } catch (const std::exception& e) {
    return std::string("conf: ") + e.what();
  } catch (...) {
    return "conf: unreadable file";
  }
  if (h.documents != 1 || !h.finished()) {
    if (h.documents == 0) return "conf: the file must contain only 1 document; found 0";
    if (!h.finished()) return "conf: a configuration must be a mapping of pools";
  }
  if (h.pools.empty()) return "conf: the file has no pools";
  for (auto& e : h.pools) {
    std::string err = pool_config_validate(e);
    if (!err.empty()) return err;
  }
  // Pools with the same listen address, then with the same name (sorted, as
  // nutcracker finds them, so a file of many pools stays fast).
  std::vector<const pool_config*> order;
  order.reserve(h.pools.size());
  for (const auto& e : h.pools) order.push_back(&e.pool);
  std::sort(order.begin(), order.end(), [](const pool_config* a, const pool_config* b) {
    return pool_config_name_less(a->listen, b->listen);
  });
  for (size_t i = 0; i + 1 < order.size(); i++) {
    if (order[i]->listen == order[i + 1]->listen) {
      return "conf: pools '" + order[i]->name + "' and '" + order[i + 1]->name +
             "' have the same listen address '" + order[i]->listen + "'";
    }
  }
  std::sort(order.begin(), order.end(), [](const pool_config* a, const pool_config* b) {
    return pool_config_name_less(a->name, b->name);
  });
  for (size_t i = 0; i + 1 < order.size(); i++) {
    if (order[i]->name == order[i + 1]->name) {
      return "conf: the file has pools with the same name '" + order[i]->name + "'";
    }
  }
  out.reserve(h.pools.size());
  for (auto& e : h.pools) out.push_back(std::move(e.pool));
  return "";
}

}  // namespace troupe::proxy
