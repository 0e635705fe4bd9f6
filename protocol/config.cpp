#include "protocol/config.hpp"

#include <unistd.h>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "protocol/glob.hpp"
#include "protocol/numbers.hpp"
#include "protocol/split_args.hpp"

namespace troupe {
namespace {

std::string lowered(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = char(tolower(static_cast<unsigned char>(c)));
  return o;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) o += sep;
    o += v[i];
  }
  return o;
}

const std::string empty_string;

}  // namespace

std::optional<bool> parse_yes_no(std::string_view s) {
  std::string l = lowered(s);
  if (l == "yes") return true;
  if (l == "no") return false;
  return std::nullopt;
}

std::string config_load_error::format() const {
  std::ostringstream o;
  o << "\n*** FATAL CONFIG FILE ERROR (Troupe) ***\n";
  if (file.empty())
    o << "Reading the command line arguments, at argument line " << line << "\n";
  else
    o << "Reading the configuration file " << file << ", at line " << line << "\n";
  o << ">>> '" << text << "'\n" << reason << "\n";
  return o.str();
}

void config_registry::define(config_directive d) {
  size_t i = defs_.size();
  by_name_[d.name] = i;
  for (auto& a : d.aliases) by_name_[a] = i;
  values_.push_back(d.default_value);
  seen_in_file_.push_back(false);
  defs_.push_back(std::move(d));
}

size_t config_registry::index_of(std::string_view name) const {
  auto it = by_name_.find(lowered(name));
  return it == by_name_.end() ? SIZE_MAX : it->second;
}

const config_directive* config_registry::find(std::string_view name) const {
  size_t i = index_of(name);
  return i == SIZE_MAX ? nullptr : &defs_[i];
}

void config_registry::set_apply(std::string_view name, config_applier fn) {
  size_t i = index_of(name);
  if (i != SIZE_MAX) defs_[i].apply = std::move(fn);
}

const std::string& config_registry::get(std::string_view name) const {
  size_t i = index_of(name);
  return i == SIZE_MAX ? empty_string : values_[i];
}

int64_t config_registry::get_int(std::string_view name) const {
  auto v = parse_int64(get(name));
  return v ? *v : 0;
}

bool config_registry::get_bool(std::string_view name) const {
  return get(name) == "yes";
}

std::optional<std::string> config_registry::parse_value(const config_directive& d,
                                                        const std::vector<std::string>& args,
                                                        const std::string& current,
                                                        bool first_in_file,
                                                        std::string& value) const {
  if (d.type == config_type::special) return d.parse(args, current, first_in_file, value);
  if (args.size() != 1) return "wrong number of arguments";
  const std::string& a = args[0];
  switch (d.type) {
    case config_type::boolean: {
      auto b = parse_yes_no(a);
      if (!b) return "argument must be 'yes' or 'no'";
      value = *b ? "yes" : "no";
      return std::nullopt;
    }
    case config_type::integer:
    case config_type::memory: {
      std::optional<int64_t> v;
      if (d.type == config_type::memory) {
        v = parse_memory(a);
        if (!v) return "argument must be a memory value";
      } else {
        v = parse_int64(a);
        if (!v) {
          // Redis also accepts a memory-style value for plain integers.
          return "argument couldn't be parsed into an integer";
        }
      }
      int64_t x = *v;
      if (x < d.min || x > d.max)
        return "argument must be between " + std::to_string(d.min) + " and " +
               std::to_string(d.max) + " inclusive";
      if (d.clamp) x = d.clamp(x);  // after the range check, as Redis (hz 0 is allowed, then 1)
      value = std::to_string(x);
      return std::nullopt;
    }
    case config_type::enumeration: {
      std::string l = lowered(a);
      for (auto& c : d.choices)
        if (c == l) {
          value = c;
          return std::nullopt;
        }
      return "argument(s) must be one of the following: " + join(d.choices, ", ");
    }
    case config_type::string:
      value = a;
      return std::nullopt;
    case config_type::special:
      break;
  }
  return "unsupported directive";
}

std::optional<config_load_error> config_registry::load(
    const std::string& file, const std::vector<std::vector<std::string>>& cli) {
  if (!file.empty()) {
    file_ = file;
    std::string text;
    if (file == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      text = ss.str();
    } else {
      std::ifstream in(file);
      if (!in) {
        config_load_error e;
        e.file = file;
        e.reason = "Fatal error, can't open config file '" + file + "': " + strerror(errno);
        return e;
      }
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    if (auto err = load_text(text, file)) return err;
    // A real path lets CONFIG REWRITE find the file after a chdir (dir).
    if (file != "-") {
      char* abs = realpath(file.c_str(), nullptr);
      if (abs != nullptr) {
        file_ = abs;
        free(abs);
      }
    }
  }
  int n = 0;
  for (auto& args : cli) {
    ++n;
    std::string text;
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) text += ' ';
      text += quote_arg(args[i]);
    }
    // Command-line directives override the file: accumulating ones start afresh.
    size_t idx = index_of(args[0]);
    if (idx != SIZE_MAX && defs_[idx].type == config_type::special) seen_in_file_[idx] = false;
    if (auto err = load_text(text, "")) {
      err->line = n;
      return err;
    }
  }
  return std::nullopt;
}

std::optional<config_load_error> config_registry::load_text(const std::string& text,
                                                            const std::string& file, int depth) {
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string_view v(line);
    while (!v.empty() && isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    if (v.empty() || v[0] == '#') continue;
    auto fail = [&](std::string reason) {
      return config_load_error{file, lineno, std::string(v), std::move(reason)};
    };
    auto parts = split_args(v);
    if (!parts) return fail("Unbalanced quotes in configuration line");
    if (parts->empty()) continue;
    std::string name = lowered((*parts)[0]);
    std::vector<std::string> args(parts->begin() + 1, parts->end());
    if (name == "include") {
      if (args.size() != 1) return fail("Bad directive or wrong number of arguments");
      if (depth > 16) return fail("include nesting is too deep");
      std::ifstream inc(args[0]);
      if (!inc) return fail("Fatal error, can't open config file '" + args[0] + "'");
      std::ostringstream ss;
      ss << inc.rdbuf();
      if (auto err = load_text(ss.str(), args[0], depth + 1)) return err;
      continue;
    }
    size_t idx = index_of(name);
    if (idx == SIZE_MAX) return fail("Bad directive or wrong number of arguments");
    const config_directive& d = defs_[idx];
    if (d.type != config_type::special && args.size() != 1)
      return fail("wrong number of arguments");
    // As Redis 7: one quoted argument of a multi-argument directive is split
    // (`--save "900 1 300 10"`, `client-output-buffer-limit "pubsub 1mb 512k 60"`).
    if (d.multi_arg && args.size() == 1 && !args[0].empty()) {
      auto parts = split_args(args[0]);
      if (parts && !parts->empty()) args = std::move(*parts);
    }
    std::string value;
    bool first = !seen_in_file_[idx];
    if (auto err = parse_value(d, args, values_[idx], first, value)) return fail(*err);
    values_[idx] = value;
    seen_in_file_[idx] = true;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> config_registry::get_matching(
    const std::vector<std::string_view>& patterns) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (auto pat : patterns) {
    std::string p = lowered(pat);
    bool has_glob = p.find_first_of("*?[") != std::string::npos;
    for (size_t i = 0; i < defs_.size(); ++i) {
      const auto& d = defs_[i];
      std::vector<const std::string*> names{&d.name};
      for (auto& a : d.aliases) names.push_back(&a);
      for (const std::string* n : names) {
        bool match = has_glob ? glob_match(p, *n, true) : p == *n;
        if (match && seen.insert(*n).second) out.emplace_back(*n, values_[i]);
      }
    }
  }
  return out;
}

bool config_registry::set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                          std::string& err, bool allow_protected) {
  struct change {
    size_t idx;
    std::string old_value, new_value;
  };
  std::vector<change> changes;
  // Redis prints the name as a C string: it ends at a NUL byte.
  auto c_str = [](std::string_view s) { return std::string(s.substr(0, s.find('\0'))); };
  auto fail = [&](std::string_view name, const std::string& why) {
    err = "CONFIG SET failed (possibly related to argument '" + c_str(name) + "') - " + why;
    return false;
  };
  // First every name, in order, as Redis: the first unknown, immutable,
  // protected or repeated one is the error, before any value is looked at. A
  // name and its alias are two names (Redis 7.0 accepts both in one call).
  std::set<std::string> names;
  for (auto& [name, value] : pairs) {
    size_t idx = index_of(name);
    if (idx == SIZE_MAX) {
      err = "Unknown option or number of arguments for CONFIG SET - '" + c_str(name) + "'";
      return false;
    }
    const auto& d = defs_[idx];
    if (d.immutable) return fail(name, "can't set immutable config");
    if (d.protected_config && !allow_protected) return fail(name, "can't set protected config");
    if (!names.insert(lowered(std::string(name))).second) return fail(name, "duplicate parameter");
  }
  for (auto& [name, value] : pairs) {
    size_t idx = index_of(name);
    const auto& d = defs_[idx];
    std::vector<std::string> args;
    if (d.multi_arg) {
      auto parts = split_args(value);
      if (!parts) return fail(name, "unbalanced quotes");
      args = std::move(*parts);
      if (args.empty()) args.push_back("");
    } else {
      args.emplace_back(value);
    }
    std::string parsed;
    if (auto e = parse_value(d, args, values_[idx], true, parsed)) return fail(name, *e);
    changes.push_back({idx, values_[idx], parsed});
  }
  // Apply in order; on failure restore what was applied so far.
  for (size_t i = 0; i < changes.size(); ++i) {
    auto& c = changes[i];
    values_[c.idx] = c.new_value;
    const auto& d = defs_[c.idx];
    if (d.apply) {
      if (auto e = d.apply(c.new_value)) {
        for (size_t j = i + 1; j-- > 0;) {
          values_[changes[j].idx] = changes[j].old_value;
          const auto& dj = defs_[changes[j].idx];
          if (j < i && dj.apply) dj.apply(changes[j].old_value);
        }
        return fail(d.name, *e);
      }
    }
  }
  return true;
}

void config_registry::set_internal(std::string_view name, std::string value) {
  size_t idx = index_of(name);
  if (idx != SIZE_MAX) values_[idx] = std::move(value);
}

// The lines a directive contributes to a rewritten file.
std::vector<std::string> config_registry::lines_for(const config_directive& d) const {
  const std::string& v = values_[size_t(&d - defs_.data())];
  std::vector<std::string> out;
  if (d.name == "save") {
    auto parts = split_args(v).value_or(std::vector<std::string>{});
    if (parts.empty()) out.push_back("save \"\"");
    for (size_t i = 0; i + 1 < parts.size(); i += 2)
      out.push_back("save " + parts[i] + " " + parts[i + 1]);
    return out;
  }
  if (d.name == "client-output-buffer-limit") {
    auto parts = split_args(v).value_or(std::vector<std::string>{});
    for (size_t i = 0; i + 3 < parts.size(); i += 4)
      out.push_back(d.name + " " + parts[i] + " " + parts[i + 1] + " " + parts[i + 2] + " " +
                    parts[i + 3]);
    return out;
  }
  if (d.multi_arg) {
    if (v.empty()) return out;  // e.g. replicaof with no master: omit the line
    out.push_back(d.name + " " + v);
    return out;
  }
  out.push_back(d.name + " " + quote_arg(v));
  if (v.empty()) out.back() = d.name + " \"\"";
  return out;
}

std::string config_registry::rewritten_text(const std::string& original) const {
  // Which directives the file names, and where their first line is.
  std::vector<std::string> lines;
  {
    std::istringstream in(original);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  const std::string marker = "# Generated by CONFIG REWRITE";
  std::vector<std::string> out;
  std::set<size_t> written;
  for (auto& l : lines) {
    std::string_view v(l);
    while (!v.empty() && isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    if (v.empty() || v[0] == '#') {
      if (l == marker) continue;  // re-added at the end when needed
      out.push_back(l);
      continue;
    }
    auto parts = split_args(v);
    if (!parts || parts->empty()) {
      out.push_back(l);
      continue;
    }
    std::string name = lowered((*parts)[0]);
    if (name == "include") {
      out.push_back(l);
      continue;
    }
    size_t idx = index_of(name);
    if (idx == SIZE_MAX) {
      out.push_back(l);
      continue;
    }
    if (written.count(idx)) continue;  // later occurrences are folded into the first
    written.insert(idx);
    for (auto& nl : lines_for(defs_[idx])) out.push_back(nl);
  }
  bool marker_added = false;
  for (size_t i = 0; i < defs_.size(); ++i) {
    if (written.count(i)) continue;
    const auto& d = defs_[i];
    if (values_[i] == d.default_value) continue;
    auto nl = lines_for(d);
    if (nl.empty()) continue;
    if (!marker_added) {
      out.push_back(marker);
      marker_added = true;
    }
    for (auto& x : nl) out.push_back(x);
  }
  std::string text;
  for (auto& l : out) text += l + "\n";
  return text;
}

bool config_registry::rewrite(std::string& err) const {
  if (file_.empty() || file_ == "-") {
    err = "The server is running without a config file";
    return false;
  }
  std::string original;
  {
    std::ifstream in(file_);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      original = ss.str();
    }
  }
  std::string text = rewritten_text(original);
  // Write a temporary file and rename it over the original, so a crash never
  // leaves a half-written config.
  std::string tmp = file_ + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream o(tmp, std::ios::trunc);
    if (!o) {
      err = "Rewriting config file: " + std::string(strerror(errno));
      return false;
    }
    o << text;
    o.flush();
    if (!o) {
      err = "Rewriting config file: write failed";
      return false;
    }
  }
  if (rename(tmp.c_str(), file_.c_str()) != 0) {
    err = "Rewriting config file: " + std::string(strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::string config_registry::default_conf() const {
  std::string text =
      "# Troupe configuration: every directive Troupe knows, at its default.\n"
      "# Syntax as redis.conf: one directive per line, \"quoted\" arguments,\n"
      "# units such as 100mb or 1gb, yes/no booleans, `include other.conf`.\n"
      "# Any directive can also be given on the command line: --port 6380\n\n";
  for (size_t i = 0; i < defs_.size(); ++i) {
    const auto& d = defs_[i];
    if (!d.comment.empty()) text += "# " + d.comment + "\n";
    // lines_for reads current values: format the default through a scratch registry.
    config_registry tmp;
    config_directive copy = d;
    copy.apply = nullptr;
    if (!copy.sample_value.empty()) copy.default_value = copy.sample_value;
    tmp.define(copy);
    auto lines = tmp.lines_for(tmp.defs_[0]);
    if (lines.empty()) text += "# " + d.name + " <value>\n";
    for (auto& l : lines) text += l + "\n";
    text += "\n";
  }
  return text;
}

}  // namespace troupe
