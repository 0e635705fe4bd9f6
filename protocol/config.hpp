// The configuration registry: one table of directives (name, type, default,
// validation, aliases, whether CONFIG SET may change it, how it applies) and the
// current value of each. It reads redis.conf syntax (quoting, `include`, units,
// yes/no), applies command-line overrides, serves CONFIG GET/SET and rewrites
// the file in place as CONFIG REWRITE does.
//
// Values are kept as the text CONFIG GET shows. The server attaches an `apply`
// hook to each directive with a live effect; CONFIG SET runs the hooks and rolls
// every change back if one fails, so a multi-pair SET is all-or-nothing.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

enum class config_type { boolean, integer, memory, string, enumeration, special };

// Parses the arguments of one directive occurrence into its new value text.
// `current` is the value so far; `first_in_file` tells whether this is the first
// occurrence while reading files (accumulating directives such as `save` reset
// their default on the first one). Returns an error message or nullopt.
using config_parser = std::function<std::optional<std::string>(
    const std::vector<std::string>& args, const std::string& current, bool first_in_file,
    std::string& value)>;
// Applies a value at run time; returns an error message or nullopt.
using config_applier = std::function<std::optional<std::string>(const std::string& value)>;
// Reads the file an `include` names into text; false if it cannot be read. The
// default reads the file system; tests and the fuzzer substitute text.
using config_file_reader = std::function<bool(const std::string& path, std::string& text)>;

struct config_directive {
  std::string name;
  std::vector<std::string> aliases;
  config_type type = config_type::string;
  std::string default_value;
  int64_t min = 0, max = INT64_MAX;
  std::vector<std::string> choices;  // enumeration
  bool immutable = false;            // CONFIG SET refuses it
  bool protected_config = false;     // needs enable-protected-configs
  bool multi_arg = false;            // special directive taking several arguments
  std::string comment;               // one line for default.conf
  std::string sample_value;          // written in default.conf instead of the default
  config_parser parse;               // special directives only
  config_applier apply;              // live effect (optional)
  // Redis clamps some values instead of refusing them (hz).
  std::function<int64_t(int64_t)> clamp;
};

struct config_load_error {
  std::string file;
  int line = 0;
  std::string text;  // the offending line
  std::string reason;
  std::string format() const;  // Redis's "*** FATAL CONFIG FILE ERROR ***" block
};

class config_registry {
 public:
  void define(config_directive d);
  const config_directive* find(std::string_view name) const;
  const std::vector<config_directive>& directives() const { return defs_; }
  void set_apply(std::string_view name, config_applier fn);

  // -- values ------------------------------------------------------------------
  const std::string& get(std::string_view name) const;
  int64_t get_int(std::string_view name) const;
  bool get_bool(std::string_view name) const;

  // -- start-up ----------------------------------------------------------------
  // Reads a file (following includes) and then the command-line directives
  // (already grouped: {"port", "6380"}, {"replicaof", "127.0.0.1", "6379"}).
  std::optional<config_load_error> load(const std::string& file,
                                        const std::vector<std::vector<std::string>>& cli);
  // Parses redis.conf text (used by load and by tests).
  std::optional<config_load_error> load_text(const std::string& text, const std::string& file,
                                             int depth = 0);
  const std::string& config_file() const { return file_; }
  // Where `include` reads from (the file system unless replaced).
  void set_include_reader(config_file_reader fn) { include_reader_ = std::move(fn); }

  // -- run time ----------------------------------------------------------------
  // CONFIG GET: every (name, value) whose name or alias matches one of the globs.
  std::vector<std::pair<std::string, std::string>> get_matching(
      const std::vector<std::string_view>& patterns) const;
  // CONFIG SET of several pairs, all or nothing. On failure `err` holds Redis's
  // full error text (without "ERR ").
  bool set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
           std::string& err, bool allow_protected);
  // Sets one value directly (internal changes, e.g. REPLICAOF); no hooks.
  void set_internal(std::string_view name, std::string value);
  // CONFIG REWRITE: rewrites the config file in place keeping comments and order.
  bool rewrite(std::string& err) const;
  // The text CONFIG REWRITE would produce from `original` (for tests).
  std::string rewritten_text(const std::string& original) const;
  // default.conf text: every directive with its default and comment.
  std::string default_conf() const;

 private:
  std::optional<std::string> parse_value(const config_directive& d,
                                         const std::vector<std::string>& args,
                                         const std::string& current, bool first_in_file,
                                         std::string& value) const;
  std::vector<std::string> lines_for(const config_directive& d) const;
  size_t index_of(std::string_view name) const;

  std::vector<config_directive> defs_;
  std::map<std::string, size_t, std::less<>> by_name_;  // names and aliases
  std::vector<std::string> values_;
  std::vector<bool> seen_in_file_;
  std::string file_;
  config_file_reader include_reader_;
};

// Redis's yes/no parsing.
std::optional<bool> parse_yes_no(std::string_view s);

}  // namespace troupe
