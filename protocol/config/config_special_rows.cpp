#include "protocol/config/config_special_rows.hpp"

#include <strings.h>

#include <cstdio>

#include "protocol/config/config_rows.hpp"
#include "protocol/text/numbers.hpp"

namespace troupe {

// -- save ---------------------------------------------------------------------------

config_error save_row::stage(const std::vector<std::string>& args, bool add) {
  // `save ""` (one empty argument) disables snapshots.
  if (args.size() == 1 && args[0].empty()) {
    stage_value({});
    return std::nullopt;
  }
  if (args.empty() || args.size() % 2 != 0) return "Invalid save parameters";
  std::vector<save_point> points;
  if (add) points = *get();
  for (size_t i = 0; i < args.size(); i += 2) {
    auto secs = parse_int64(args[i]), changes = parse_int64(args[i + 1]);
    if (!secs || !changes || *secs < 0 || *changes < 0) return "Invalid save parameters";
    points.push_back({*secs, *changes});
  }
  stage_value(std::move(points));
  return std::nullopt;
}

std::string save_row::text() const {
  std::string o;
  for (auto& p : *get()) {
    if (!o.empty()) o += ' ';
    o += std::to_string(p.seconds) + " " + std::to_string(p.changes);
  }
  return o;
}

std::vector<std::string> save_row::lines() const {
  auto points = get();
  if (points->empty()) return {name() + " \"\""};
  std::vector<std::string> out;
  for (auto& p : *points)
    out.push_back(name() + " " + std::to_string(p.seconds) + " " + std::to_string(p.changes));
  return out;
}

// -- client-output-buffer-limit -------------------------------------------------------

namespace {
const char* const class_names[3] = {"normal", "slave", "pubsub"};
}

output_limits_row::output_limits_row(config_table& t, std::string name, output_limits def,
                                     std::string comment, row_options o)
    : config_row(t, std::move(name), std::move(comment), std::move(o)),
      default_(def),
      staged_(def),
      backup_(def) {
  store(def);
}

output_limit output_limits_row::get(client_class c) const {
  size_t i = size_t(c) * 3;
  return {cells_[i].load(std::memory_order_relaxed), cells_[i + 1].load(std::memory_order_relaxed),
          cells_[i + 2].load(std::memory_order_relaxed)};
}

output_limits output_limits_row::all() const {
  return {get(client_class::normal), get(client_class::replica), get(client_class::pubsub)};
}

void output_limits_row::store(const output_limits& v) {
  for (size_t c = 0; c < 3; ++c) {
    cells_[c * 3].store(v[c].hard, std::memory_order_relaxed);
    cells_[c * 3 + 1].store(v[c].soft, std::memory_order_relaxed);
    cells_[c * 3 + 2].store(v[c].soft_seconds, std::memory_order_relaxed);
  }
}

config_error output_limits_row::stage(const std::vector<std::string>& args, bool) {
  // The classes not named keep their current limits.
  output_limits next = all();
  if (args.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  for (size_t i = 0; i < args.size(); i += 4) {
    size_t c = 3;
    const std::string& cls = args[i];
    if (strcasecmp(cls.c_str(), "normal") == 0)
      c = 0;
    else if (strcasecmp(cls.c_str(), "slave") == 0 || strcasecmp(cls.c_str(), "replica") == 0)
      c = 1;
    else if (strcasecmp(cls.c_str(), "pubsub") == 0)
      c = 2;
    if (c == 3) return "Invalid client class specified in buffer limit configuration.";
    int64_t v[3];
    for (size_t k = 0; k < 3; ++k) {
      auto x = parse_memory(args[i + 1 + k]);
      if (!x || *x < 0)
        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      v[k] = *x;
    }
    next[c] = {v[0], v[1], v[2]};
  }
  staged_ = next;
  return std::nullopt;
}

bool output_limits_row::commit() {
  bool changed = !(all() == staged_);
  store(staged_);
  return changed;
}

std::string output_limits_row::text() const {
  std::string o;
  auto v = all();
  for (size_t c = 0; c < 3; ++c) {
    if (c) o += ' ';
    o += std::string(class_names[c]) + " " + std::to_string(v[c].hard) + " " +
         std::to_string(v[c].soft) + " " + std::to_string(v[c].soft_seconds);
  }
  return o;
}

std::vector<std::string> output_limits_row::lines() const {
  std::vector<std::string> out;
  auto v = all();
  for (size_t c = 0; c < 3; ++c)
    out.push_back(name() + " " + class_names[c] + " " + format_memory(v[c].hard) + " " +
                  format_memory(v[c].soft) + " " + std::to_string(v[c].soft_seconds));
  return out;
}

// -- notify-keyspace-events -----------------------------------------------------------

config_error notify_events_row::stage(const std::vector<std::string>& args, bool) {
  if (args.size() != 1) return "wrong number of arguments";
  auto f = parse_notify_flags(args[0]);
  if (!f) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
  staged_ = *f;
  return std::nullopt;
}

// -- shutdown-on-sigterm / shutdown-on-sigint ------------------------------------------

namespace {
constexpr std::pair<const char*, uint32_t> shutdown_flag_names[] = {
    {"default", 0},        {"save", shutdown_save},   {"nosave", shutdown_nosave},
    {"now", shutdown_now}, {"force", shutdown_force},
};
}  // namespace

config_error shutdown_flags_row::stage(const std::vector<std::string>& args, bool) {
  uint32_t flags = 0;
  for (auto& arg : args) {
    bool known = false;
    for (auto& [name, bit] : shutdown_flag_names)
      if (strcasecmp(arg.c_str(), name) == 0) {
        flags |= bit;
        known = true;
      }
    if (!known)
      return "argument(s) must be one of the following: default, save, nosave, now, force";
  }
  if ((flags & shutdown_save) && (flags & shutdown_nosave))
    return "shutdown options SAVE and NOSAVE can't be used simultaneously";
  staged_ = flags;
  return std::nullopt;
}

std::string shutdown_flags_row::text() const {
  uint32_t flags = get();
  if (flags == 0) return "default";
  std::string out;
  for (auto& [name, bit] : shutdown_flag_names) {
    if (bit == 0 || !(flags & bit)) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

// -- replicaof ------------------------------------------------------------------------

config_error replicaof_row::stage(const std::vector<std::string>& args, bool) {
  if (args.size() != 2) return "wrong number of arguments";
  if (strcasecmp(args[0].c_str(), "no") == 0 && strcasecmp(args[1].c_str(), "one") == 0) {
    stage_value({});
    return std::nullopt;
  }
  auto port = parse_int64(args[1]);
  if (!port || *port < 0 || *port > 65535) return "Invalid master port";
  stage_value({args[0], int(*port)});
  return std::nullopt;
}

std::string replicaof_row::text() const {
  auto v = get();
  if (v->host.empty()) return "";
  return join_quoted({v->host, std::to_string(v->port)});
}

std::vector<std::string> replicaof_row::lines() const {
  std::string t = text();
  if (t.empty()) return {};
  return {name() + " " + t};
}

// -- latency-tracking-info-percentiles -------------------------------------------------

std::string percentile_text(double p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", p);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

config_error percentiles_row::stage(const std::vector<std::string>& args, bool) {
  std::vector<double> v;
  for (auto& a : args) {
    if (a.empty() && args.size() == 1) break;  // "": none
    auto d = parse_double(a);
    if (!d) return "Invalid " + name() + " parameters";
    if (*d < 0 || *d > 100) return name() + " parameters should sit between [0.0,100.0]";
    v.push_back(*d);
  }
  stage_value(std::move(v));
  return std::nullopt;
}

std::string percentiles_row::text() const {
  std::string o;
  for (double p : *get()) {
    if (!o.empty()) o += ' ';
    o += percentile_text(p);
  }
  return o;
}

std::vector<std::string> percentiles_row::lines() const {
  std::string t = text();
  return {name() + " " + (t.empty() ? std::string("\"\"") : t)};
}

}  // namespace troupe
