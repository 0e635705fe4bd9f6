// One ACL selector: which commands (by command id, plus allowed first
// arguments), which keys (glob patterns with read/write flags) and which pub/sub
// channels a user may use. A user has a root selector and any number of extra
// ones "(...)"; a command is allowed when one selector allows all of it.
//
// Rules apply with Redis 7.0's syntax and error texts; describe() rebuilds the
// rules from the bitmaps with Redis's greedy category fit, so ACL LIST shows
// what Redis shows (single commands come in command-table order; Redis's order
// there is its hash table's, which changes from run to run).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace troupe {

struct command_spec;

enum key_permission : uint8_t { key_read = 1, key_write = 2, key_read_write = 3 };

struct key_pattern {
  std::string pattern;
  uint8_t flags = key_read_write;
};

// Why a command is refused, in Redis's order of relevance (the highest of the
// selectors' reasons is reported).
enum class acl_denial : uint8_t { none = 0, command = 1, key = 2, auth = 3, channel = 4 };

class acl_selector {
 public:
  // New selectors start with no commands, no keys, and every channel when
  // acl-pubsub-default is allchannels.
  explicit acl_selector(bool all_channels_default = false) : all_channels_(all_channels_default) {}

  // Applies one rule ("~k*", "+get", "-@write", "allkeys"...): nullopt, or the
  // error text ACL SETUSER shows after "Error in ACL SETUSER modifier '...': ".
  std::optional<std::string> apply(std::string_view rule, bool all_channels_default);

  // Whether it allows every command (and every command added later), every key
  // and every channel: the fast path skips all other checks.
  bool unrestricted() const;

  // Checks a command with its arguments. On a key or channel denial, `failed`
  // is the index of the refused argument.
  acl_denial check(const command_spec& cmd, const std::vector<std::string_view>& args,
                   size_t& failed) const;
  // Only the command (for DRYRUN and EXEC's second look).
  bool command_allowed(const command_spec& cmd, const std::vector<std::string_view>& args) const;
  // Whether a channel (or, for PSUBSCRIBE, a pattern taken literally) is allowed.
  bool channel_allowed(std::string_view channel, bool is_pattern) const;

  std::string describe() const;  // "~* &* +@all", as in ACL LIST
  std::string describe_commands() const;
  std::string describe_keys() const;      // "%R~a* ~b", "~*" or ""
  std::string describe_channels() const;  // "&*", "&c*" or ""

  bool all_keys() const { return all_keys_; }
  // Whether it may read any key (allkeys, or a "*" pattern that reads).
  bool reads_every_key() const;
  bool all_channels() const { return all_channels_; }
  const std::vector<std::string>& channels() const { return channels_; }

 private:
  bool has_command(int id) const;
  void set_command(int id, bool on);
  // Sets a command's bit and its subcommands'; clears its first-arg list.
  void change_command(const command_spec& cmd, bool on);
  void set_category(uint32_t bit, bool on);
  std::optional<std::string> apply_command_rule(std::string_view rule);

  // Bits by command id; ids beyond the vector take `future_`, which +@all sets
  // and -@all clears (commands registered later).
  std::vector<uint64_t> commands_;
  bool future_ = false;
  // Allowed first arguments (lower case) of commands not allowed as a whole.
  std::unordered_map<int, std::vector<std::string>> first_args_;
  bool all_keys_ = false;
  bool all_channels_ = false;
  std::vector<key_pattern> keys_;
  std::vector<std::string> channels_;
};

// The channels a command names (PUBLISH, SUBSCRIBE, PSUBSCRIBE...): argument
// positions, and whether they are patterns.
void channel_positions(const command_spec& cmd, size_t argc, std::vector<size_t>& out,
                       bool& patterns);
// The key permission a command needs on the key at position `nth` of `count`.
uint8_t key_access_needed(const command_spec& cmd, size_t nth, size_t count);
// Looks a category up by name ("read"); 0 when unknown.
uint32_t acl_category_bit(std::string_view name);

}  // namespace troupe
