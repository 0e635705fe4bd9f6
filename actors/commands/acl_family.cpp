// ACL: SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT GENPASS LOG SAVE LOAD
// DRYRUN HELP, on the user table of storage/acl/. Here (not in storage/) because
// DELUSER and LOAD disconnect the clients of the users they remove.
#include <caf/all.hpp>

#include <fstream>
#include <random>

#include "actors/commands/server_of.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/security.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/acl/acl_denial.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
namespace {

const char* const no_acl_file =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

void cmd_acl(exec_context&) {}

// Redis checks ACL's argument counts itself, with this error.
void too_many_arguments(exec_context& c) {
  c.out.error("ERR unknown subcommand or wrong number of arguments for '" +
              std::string(as_c_string(c.arg(1))) + "'. Try ACL HELP.");
}

void cmd_acl_setuser(exec_context& c) {
  std::vector<std::string_view> rules(c.argv.begin() + 3, c.argv.end());
  std::shared_ptr<const acl_user> before;
  if (auto err = c.srv.acl.set_user(c.arg(2), rules, &before)) return c.out.error("ERR " + *err);
  // Subscribers of channels the user may no longer use are disconnected.
  if (before != nullptr)
    if (acl_user_ptr slot = c.srv.acl.find(c.arg(2)))
      disconnect_revoked_subscribers(srv_of(c), slot, *before, c.client);
  c.out.ok();
}

void reply_selector(exec_context& c, const acl_selector& s, bool root) {
  (void)root;
  c.out.bulk("commands");
  c.out.bulk(s.describe_commands());
  c.out.bulk("keys");
  c.out.bulk(s.describe_keys());
  c.out.bulk("channels");
  c.out.bulk(s.describe_channels());
}

void cmd_acl_getuser(exec_context& c) {
  acl_user_ptr slot = c.srv.acl.find(c.arg(2));
  if (slot == nullptr) return c.out.null();
  auto u = slot->rules();
  c.out.map(6);
  c.out.bulk("flags");
  std::vector<const char*> flags{u->enabled ? "on" : "off"};
  if (u->nopass) flags.push_back("nopass");
  if (u->payload == acl_user::sanitize::skip_sanitize_payload)
    flags.push_back("skip-sanitize-payload");
  if (u->payload == acl_user::sanitize::sanitize_payload) flags.push_back("sanitize-payload");
  c.out.array(flags.size());
  for (const char* f : flags) c.out.bulk(f);
  c.out.bulk("passwords");
  c.out.array(u->passwords.size());
  for (const std::string& p : u->passwords) c.out.bulk(p);
  reply_selector(c, u->root, true);
  c.out.bulk("selectors");
  c.out.array(u->selectors.size());
  for (const acl_selector& s : u->selectors) {
    c.out.map(3);
    reply_selector(c, s, false);
  }
}

void cmd_acl_deluser(exec_context& c) {
  std::vector<std::string_view> names;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (c.arg(i) == "default") return c.out.error("ERR The 'default' user cannot be removed");
    names.push_back(c.arg(i));
  }
  auto removed = c.srv.acl.delete_users(names);
  disconnect_users(srv_of(c), removed, c.client);
  c.out.integer(int64_t(removed.size()));
}

void cmd_acl_list(exec_context& c) {
  auto lines = c.srv.acl.list();
  c.out.array(lines.size());
  for (const std::string& l : lines) c.out.bulk(l);
}

void cmd_acl_users(exec_context& c) {
  auto names = c.srv.acl.usernames();
  c.out.array(names.size());
  for (const std::string& n : names) c.out.bulk(n);
}

void cmd_acl_whoami(exec_context& c) {
  std::string name;
  {
    std::lock_guard<std::mutex> g(c.client.mutex);
    name = c.client.user;
  }
  c.out.bulk(name);
}

void cmd_acl_cat(exec_context& c) {
  if (c.argc() == 2) {
    const auto& names = all_acl_category_names();
    c.out.array(names.size());
    for (auto n : names) c.out.bulk(n);
    return;
  }
  if (c.argc() > 3) return too_many_arguments(c);
  uint32_t bit = acl_category_bit(c.arg(2));
  if (bit == 0)
    return c.out.error("ERR Unknown category '" + std::string(as_c_string(c.arg(2))) + "'");
  std::vector<const std::string*> names;
  for (const command_spec* top : command_table::instance().top_level()) {
    if (top->acl & bit) names.push_back(&top->name);
    for (const auto& sub : top->subcommands)
      if (sub->acl & bit) names.push_back(&sub->name);
  }
  c.out.array(names.size());
  for (const std::string* n : names) c.out.bulk(*n);
}

void cmd_acl_genpass(exec_context& c) {
  int64_t bits = 256;
  if (c.argc() > 3) return too_many_arguments(c);
  if (c.argc() == 3) {
    auto v = parse_int64(c.arg(2));
    if (!v) return c.out.error("ERR value is not an integer or out of range");
    if (*v <= 0 || *v > 4096)
      return c.out.error(
          "ERR ACL GENPASS argument must be the number of bits for the output password, a "
          "positive number up to 4096");
    bits = *v;
  }
  size_t chars = size_t(bits + 3) / 4;
  static const char hex[] = "0123456789abcdef";
  std::random_device rd;  // the kernel's random source
  std::string out;
  out.reserve(chars);
  while (out.size() < chars) {
    uint32_t r = rd();
    for (int i = 0; i < 8 && out.size() < chars; ++i, r >>= 4) out.push_back(hex[r & 15]);
  }
  c.out.bulk(out);
}

void cmd_acl_log(exec_context& c) {
  if (c.argc() > 3) return too_many_arguments(c);
  size_t count = 10;
  if (c.argc() == 3) {
    if (c.arg_is(2, "reset")) {
      c.srv.acl.log.reset();
      return c.out.ok();
    }
    auto v = parse_int64(c.arg(2));
    if (!v) return c.out.error("ERR value is not an integer or out of range");
    count = *v < 0 ? 0 : size_t(*v);
  }
  auto entries = c.srv.acl.log.recent(count);
  int64_t now = wall_clock_ms();
  c.out.array(entries.size());
  for (const acl_log_entry& e : entries) {
    c.out.map(7);
    c.out.bulk("count");
    c.out.integer(int64_t(e.count));
    c.out.bulk("reason");
    c.out.bulk(e.reason);
    c.out.bulk("context");
    c.out.bulk(e.context);
    c.out.bulk("object");
    c.out.bulk(e.object);
    c.out.bulk("username");
    c.out.bulk(e.username);
    c.out.bulk("age-seconds");
    c.out.dbl(double(now - e.created_ms) / 1000.0);
    c.out.bulk("client-info");
    c.out.bulk(e.client_info);
  }
}

void cmd_acl_save(exec_context& c) {
  std::string path = c.srv.config().aclfile.str();
  if (path.empty()) return c.out.error(no_acl_file);
  if (!save_acl_file(srv_of(c), path))
    return c.out.error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
  c.out.ok();
}

void cmd_acl_load(exec_context& c) {
  std::string path = c.srv.config().aclfile.str();
  if (path.empty()) return c.out.error(no_acl_file);
  std::vector<acl_user_ptr> dropped;
  if (auto err = load_acl_file(srv_of(c), path, dropped)) return c.out.error("ERR " + *err);
  // The caller stays connected when it ran as default (whose slot is kept).
  disconnect_users(srv_of(c), dropped, c.client);
  c.out.ok();
}

void cmd_acl_dryrun(exec_context& c) {
  acl_user_ptr slot = c.srv.acl.find(c.arg(2));
  if (slot == nullptr)
    return c.out.error("ERR User '" + std::string(as_c_string(c.arg(2))) + "' not found");
  const command_spec* cmd = command_table::instance().find(c.arg(3));
  if (cmd == nullptr)
    return c.out.error("ERR Command '" + std::string(as_c_string(c.arg(3))) + "' not found");
  std::vector<std::string_view> args(c.argv.begin() + 3, c.argv.end());
  if (cmd->has_subcommands() && args.size() >= 2)
    if (const command_spec* sub = cmd->find_sub(args[1])) cmd = sub;
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity)
    return c.out.error("ERR wrong number of arguments for '" + cmd->full_name() + "' command");
  size_t failed = 0;
  acl_denial why = slot->rules()->check(*cmd, args, failed);
  if (why == acl_denial::none) return c.out.ok();
  c.out.bulk(acl_dryrun_message(why, *cmd, why == acl_denial::command ? "" : args[failed]));
}

void cmd_acl_help(exec_context& c) {
  static const char* lines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      // clang-format off
      "    Returns whether the user can execute the given command without executing the command.",
      // clang-format on
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

const command_def acl_commands[] = {
    {"acl", -2, "sentinel", 0, 0, 0, "", cmd_acl, "A container for Access List Control commands ",
     "6.0.0", "Depends on subcommand.", ""},
    {"acl|cat", -2, "noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_cat,
     "List the ACL categories or the commands inside a category", "6.0.0",
     "O(1) since the categories and commands are a fixed set.", "[categoryname]"},
    {"acl|deluser", -3, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_deluser,
     "Remove the specified ACL users and the associated rules", "6.0.0",
     "O(1) amortized time considering the typical user.", "username [username ...]"},
    {"acl|dryrun", -4, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_dryrun,
     "Returns whether the user can execute the given command without executing the command.",
     "7.0.0", "O(1).", "username command [arg [arg ...]]"},
    {"acl|genpass", -2, "noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_genpass,
     "Generate a pseudorandom secure password to use for ACL users", "6.0.0", "O(1)", "[bits]"},
    {"acl|getuser", 3, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_getuser,
     "Get the rules for a specific ACL user", "6.0.0",
     "O(N). Where N is the number of password, command and pattern rules that the user has.",
     "username"},
    {"acl|help", 2, "loading stale sentinel", 0, 0, 0, "", cmd_acl_help,
     "Show helpful text about the different subcommands", "6.0.0", "O(1)", ""},
    {"acl|list", 2, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_list,
     "List the current ACL rules in ACL config file format", "6.0.0",
     "O(N). Where N is the number of configured users.", ""},
    {"acl|load", 2, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_load,
     "Reload the ACLs from the configured ACL file", "6.0.0",
     "O(N). Where N is the number of configured users.", ""},
    {"acl|log", -2, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_log,
     "List latest events denied because of ACLs in place", "6.0.0",
     "O(N) with N being the number of entries shown.", "[count|RESET]"},
    {"acl|save", 2, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_save,
     "Save the current ACL rules in the configured ACL file", "6.0.0",
     "O(N). Where N is the number of configured users.", ""},
    {"acl|setuser", -3, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_setuser,
     "Modify or create the rules for a specific ACL user", "6.0.0",
     "O(N). Where N is the number of rules provided.", "username [rule [rule ...]]"},
    {"acl|users", 2, "admin noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_users,
     "List the username of all the configured ACL rules", "6.0.0",
     "O(N). Where N is the number of configured users.", ""},
    {"acl|whoami", 2, "noscript loading stale sentinel", 0, 0, 0, "", cmd_acl_whoami,
     "Return the name of the user associated to the current connection", "6.0.0", "O(1)", ""},
};

}  // namespace

void register_acl_family(command_table& t) {
  t.add_all("server", acl_commands);
}

}  // namespace troupe
