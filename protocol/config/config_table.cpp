#include "protocol/config/config_table.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "protocol/resp/split_args.hpp"
#include "protocol/text/glob.hpp"

namespace troupe {
namespace {

std::string lowered(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = char(tolower(static_cast<unsigned char>(c)));
  return o;
}

bool read_whole_file(const std::string& path, std::string& text) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return true;
}

std::string_view trimmed(std::string_view v) {
  while (!v.empty() && isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
  while (!v.empty() && isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
  return v;
}

}  // namespace

config_row::config_row(config_table& table, std::string name, std::string comment, row_options opts)
    : name_(std::move(name)), comment_(std::move(comment)), opts_(std::move(opts)) {
  table.add(this);
}

std::vector<std::string> config_row::lines() const {
  std::string v = text();
  return {name_ + " " + (v.empty() ? std::string("\"\"") : quote_arg(v))};
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

void config_table::add(config_row* row) {
  row->index_ = rows_.size();
  rows_.push_back(row);
  seen_in_file_.push_back(false);
  by_name_[lowered(row->name())] = row;
  for (auto& a : row->aliases()) by_name_[lowered(a)] = row;
}

config_row* config_table::find(std::string_view name) const {
  auto it = by_name_.find(lowered(name));
  return it == by_name_.end() ? nullptr : it->second;
}

std::string config_table::text_of(std::string_view name) const {
  config_row* r = find(name);
  return r ? r->text() : std::string();
}

std::optional<config_load_error> config_table::load(
    const std::string& file, const std::vector<std::vector<std::string>>& cli) {
  std::lock_guard<std::mutex> g(writer_);
  if (!file.empty()) {
    file_ = file;
    std::string text;
    if (file == "-") {
      std::ostringstream ss;
      ss << std::cin.rdbuf();
      text = ss.str();
    } else if (!read_whole_file(file, text)) {
      config_load_error e;
      e.file = file;
      e.reason = "Fatal error, can't open config file '" + file + "': " + strerror(errno);
      return e;
    }
    if (auto err = load_locked(text, file, 0)) return err;
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
    // As in Redis, the command line continues the file: a `--save` adds to the
    // file's save points (the first `save` line of either replaces the defaults).
    if (auto err = load_locked(text, "", 0)) {
      err->line = n;
      return err;
    }
  }
  return std::nullopt;
}

std::optional<config_load_error> config_table::load_text(const std::string& text,
                                                         const std::string& file) {
  std::lock_guard<std::mutex> g(writer_);
  return load_locked(text, file, 0);
}

std::optional<config_load_error> config_table::load_locked(const std::string& text,
                                                           const std::string& file, int depth) {
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string_view v = trimmed(line);
    if (v.empty() || v[0] == '#') continue;
    auto fail = [&](std::string reason) {
      return config_load_error{file, lineno, std::string(v), std::move(reason)};
    };
    auto parts = split_args(v);
    if (!parts) return fail("Unbalanced quotes in configuration line");
    if (parts->empty()) continue;
    std::string name = lowered((*parts)[0]);
    std::vector<std::string> args(parts->begin() + 1, parts->end());
    if (!skipped_keyword_.empty() && name == skipped_keyword_) continue;
    if (name == "include") {
      if (args.size() != 1) return fail("Bad directive or wrong number of arguments");
      if (depth > 16) return fail("include nesting is too deep");
      std::string included;
      bool read =
          include_reader_ ? include_reader_(args[0], included) : read_whole_file(args[0], included);
      if (!read) return fail("Fatal error, can't open config file '" + args[0] + "'");
      if (auto err = load_locked(included, args[0], depth + 1)) return err;
      continue;
    }
    config_row* row = find(name);
    if (row == nullptr) return fail("Bad directive or wrong number of arguments");
    if (!row->multi_arg() && args.size() != 1) return fail("wrong number of arguments");
    // As Redis 7: one quoted argument of a multi-argument directive is split
    // (`--save "900 1 300 10"`, `client-output-buffer-limit "pubsub 1mb 512k 60"`).
    if (row->multi_arg() && args.size() == 1 && !args[0].empty()) {
      auto split = split_args(args[0]);
      if (split && !split->empty()) args = std::move(*split);
    }
    bool add = row->accumulates() && seen_in_file_[row->index()];
    if (auto err = row->stage(args, add)) return fail(*err);
    row->commit();
    seen_in_file_[row->index()] = true;
  }
  return std::nullopt;
}

config_error config_table::apply_all() {
  std::lock_guard<std::mutex> g(writer_);
  for (config_row* r : rows_)
    if (r->has_hook())
      if (auto err = r->apply()) return r->name() + ": " + *err;
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> config_table::get_matching(
    const std::vector<std::string_view>& patterns) const {
  // As Redis: a plain name answers under the name as given, a glob under the
  // names it matches; each name (in any case) answers once.
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (auto pat : patterns) {
    std::string p = lowered(pat);
    if (p.find_first_of("*?[") == std::string::npos) {
      if (config_row* r = find(p); r != nullptr && !r->file_only())
        if (seen.insert(p).second) out.emplace_back(std::string(pat), r->text());
      continue;
    }
    for (config_row* r : rows_) {
      if (r->file_only() || r->hidden()) continue;
      std::vector<const std::string*> names{&r->name()};
      for (auto& a : r->aliases()) names.push_back(&a);
      for (const std::string* n : names)
        if (glob_match(p, *n, true) && seen.insert(*n).second) out.emplace_back(*n, r->text());
    }
  }
  return out;
}

bool config_table::set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                       std::string& err, bool allow_protected) {
  std::lock_guard<std::mutex> g(writer_);
  // Redis prints a name as a C string: it ends at a NUL byte.
  auto c_str = [](std::string_view s) { return std::string(s.substr(0, s.find('\0'))); };
  auto fail = [&](std::string_view name, const std::string& why) {
    err = "CONFIG SET failed (possibly related to argument '" + c_str(name) + "') - " + why;
    return false;
  };
  // 1. Every name: known, settable, given once. An alias is a name of its own,
  //    as in Redis (`hash-max-ziplist-entries 1 hash-max-listpack-entries 2` is
  //    no duplicate: the last one wins).
  struct item {
    config_row* row;
    std::string name;  // as looked up (lower case): error texts of later passes
    std::string_view value;
  };
  std::vector<item> items;
  for (auto& [given, value] : pairs) {
    config_row* row = find(given);
    if (row == nullptr || row->file_only()) {
      err = "Unknown option or number of arguments for CONFIG SET - '" + c_str(given) + "'";
      return false;
    }
    if (row->immutable()) return fail(given, "can't set immutable config");
    if (row->protected_config() && !allow_protected)
      return fail(given, "can't set protected config");
    std::string name = lowered(given);
    for (auto& it : items)
      if (it.name == name) return fail(given, "duplicate parameter");
    items.push_back({row, std::move(name), value});
  }
  // 2. Parse and set every value, remembering the old ones.
  std::vector<config_row*> touched, to_apply;
  auto once = [](std::vector<config_row*>& v, config_row* r) {
    for (config_row* x : v)
      if (x == r) return false;
    v.push_back(r);
    return true;
  };
  for (auto& it : items)
    if (once(touched, it.row)) it.row->keep();
  auto restore_all = [&] {
    for (config_row* r : touched) r->restore();
  };
  for (auto& it : items) {
    std::vector<std::string> args;
    if (it.row->multi_arg()) {
      auto parts = split_args(it.value);
      if (!parts) {
        restore_all();
        return fail(it.name, "unbalanced quotes");
      }
      args = std::move(*parts);
      if (args.empty()) args.push_back("");
    } else {
      args.emplace_back(it.value);
    }
    if (auto e = it.row->stage(args, false)) {
      restore_all();
      return fail(it.name, *e);
    }
    bool changed = it.row->commit();
    if ((changed || it.row->volatile_value()) && it.row->has_hook()) once(to_apply, it.row);
  }
  // 3. The live effects, once every value is in place (a hook may read others).
  for (size_t i = 0; i < to_apply.size(); ++i) {
    if (auto e = to_apply[i]->apply()) {
      restore_all();
      for (size_t j = 0; j <= i; ++j) to_apply[j]->apply();
      std::string name = to_apply[i]->name();
      for (auto& it : items)
        if (it.row == to_apply[i]) {
          name = it.name;
          break;
        }
      return fail(name, *e);
    }
  }
  return true;
}

std::string config_table::rewritten_text(const std::string& original) const {
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
    config_row* row = name == "include" ? nullptr : find(name);
    if (row == nullptr) {
      out.push_back(l);
      continue;
    }
    if (!written.insert(row->index()).second) continue;  // later lines fold into the first
    for (auto& nl : row->lines()) out.push_back(nl);
  }
  bool marker_added = false;
  for (config_row* r : rows_) {
    if (written.count(r->index()) || r->at_default()) continue;
    auto nl = r->lines();
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

bool config_table::rewrite(std::string& err,
                           const std::function<std::string(const std::string&)>& also) {
  std::lock_guard<std::mutex> g(writer_);
  if (file_.empty() || file_ == "-") {
    err = "The server is running without a config file";
    return false;
  }
  std::string original;
  read_whole_file(file_, original);
  std::string text = rewritten_text(original);
  if (also) text = also(text);
  // Write a temporary file, fsync it and rename it over the original, so a
  // crash never leaves a half-written config.
  std::string tmp = file_ + ".tmp-" + std::to_string(getpid());
  {
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      err = "Rewriting config file: " + std::string(strerror(errno));
      return false;
    }
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += size_t(n);
    }
    bool ok = done == text.size() && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      err = "Rewriting config file: write failed";
      unlink(tmp.c_str());
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

std::string config_table::default_conf() {
  std::string text =
      "# Troupe configuration: every directive Troupe knows, at its default.\n"
      "# Syntax as redis.conf: one directive per line, \"quoted\" arguments,\n"
      "# units such as 100mb or 1gb, yes/no booleans, `include other.conf`.\n"
      "# Any directive can also be given on the command line: --port 6380\n\n";
  for (config_row* r : rows_) {
    if (!r->sample().empty()) {
      auto args = split_args(r->sample()).value_or(std::vector<std::string>{r->sample()});
      if (!r->stage(args, false)) r->commit();
    }
    if (!r->comment().empty()) text += "# " + r->comment() + "\n";
    auto lines = r->lines();
    if (lines.empty()) text += "# " + r->name() + " <value>\n";
    for (auto& l : lines) text += l + "\n";
    text += "\n";
  }
  return text;
}

}  // namespace troupe
