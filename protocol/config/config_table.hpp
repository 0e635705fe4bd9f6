// The enumeration of every config row: reads redis.conf syntax (quoting,
// `include`, units, yes/no) and command-line overrides, serves CONFIG GET
// (glob patterns) and CONFIG SET (several pairs, all or nothing), rewrites the
// file in place as CONFIG REWRITE does (comments and order kept) and writes
// default.conf. It knows rows only through config_row; server_config declares
// them.
//
// Changes (loading, CONFIG SET, REWRITE) are serialised by the table's writer
// lock; reading a row never locks.
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/config/config_row.hpp"

namespace troupe {

struct config_load_error {
  std::string file;
  int line = 0;
  std::string text;  // the offending line
  std::string reason;
  std::string format() const;  // Redis's "*** FATAL CONFIG FILE ERROR ***" block
};

// Reads the file an `include` names into text; false if it cannot be read. The
// default reads the file system; tests and the fuzzer substitute text.
using config_file_reader = std::function<bool(const std::string& path, std::string& text)>;

class config_table {
 public:
  config_table() = default;
  config_table(const config_table&) = delete;
  config_table& operator=(const config_table&) = delete;

  // Called by config_row's constructor: rows enumerate in declaration order.
  void add(config_row* row);
  // The row named `name` (or one of its aliases, any case), or nullptr.
  config_row* find(std::string_view name) const;
  const std::vector<config_row*>& rows() const { return rows_; }
  // A row's value as CONFIG GET shows it ("" for an unknown name).
  std::string text_of(std::string_view name) const;

  // -- start-up ----------------------------------------------------------------
  // Reads a file (following includes) and then the command-line directives
  // (already grouped: {"port", "6380"}, {"replicaof", "127.0.0.1", "6379"}).
  std::optional<config_load_error> load(const std::string& file,
                                        const std::vector<std::vector<std::string>>& cli);
  // Parses redis.conf text (used by load and by tests).
  std::optional<config_load_error> load_text(const std::string& text, const std::string& file);
  const std::string& config_file() const { return file_; }
  void set_include_reader(config_file_reader fn) { include_reader_ = std::move(fn); }
  // Runs every row's apply hook with its current value (once, at start-up);
  // the first error, prefixed with the row's name.
  config_error apply_all();

  // -- run time ----------------------------------------------------------------
  // CONFIG GET: every (name, value) whose name or alias matches one of the globs.
  std::vector<std::pair<std::string, std::string>> get_matching(
      const std::vector<std::string_view>& patterns) const;
  // CONFIG SET of several pairs, all or nothing, in Redis's three passes: check
  // every name, then parse and set every value, then run the hooks of the rows
  // that changed. On failure every row is restored (and the hooks that ran are
  // run again with the old values); `err` holds Redis's error text without "ERR ".
  bool set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
           std::string& err, bool allow_protected);
  // CONFIG REWRITE: rewrites the config file in place keeping comments and order.
  // `also` (Sentinel's own lines) rewrites the text once more before it is
  // written (fsync'd, then renamed over the file).
  bool rewrite(std::string& err,
               const std::function<std::string(const std::string&)>& also = nullptr);
  // Lines that start with `keyword` belong to another parser, not to this
  // table; load skips them: `sentinel ...` in sentinel mode
  // (topology/sentinel/sentinel_config), `proxy ...` in proxy mode
  // (topology/proxy/pool_config).
  void skip_lines_of(std::string keyword) { skipped_keyword_ = std::move(keyword); }
  // The text CONFIG REWRITE would produce from `original`.
  std::string rewritten_text(const std::string& original) const;
  // default.conf: every row with its comment and its value. Meant for a table
  // whose rows are at their defaults; rows with a sample value take it first.
  std::string default_conf();

 private:
  std::optional<config_load_error> load_locked(const std::string& text, const std::string& file,
                                               int depth);

  std::vector<config_row*> rows_;
  std::map<std::string, config_row*, std::less<>> by_name_;  // lower-case names and aliases
  std::vector<bool> seen_in_file_;                           // by row index
  std::string file_;
  config_file_reader include_reader_;
  std::mutex writer_;
  std::string skipped_keyword_;
};

}  // namespace troupe
