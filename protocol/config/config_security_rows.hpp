// Directives of security: ACL users (`user` lines or an `aclfile`), the ACL
// log's length, what channels new users get, protected mode, and
// `rename-command`. The user table itself lives in storage/acl/.
#pragma once
#include <climits>
#include <functional>
#include <string>
#include <vector>

#include "protocol/config/config_rows.hpp"

namespace troupe {

// A directive that may repeat, each line a list of arguments (user,
// rename-command). `live` (set by the server) gives the lines CONFIG REWRITE
// writes when they come from elsewhere (the users as ACL SETUSER left them).
class directive_lines_row : public snapshot_row<std::vector<std::vector<std::string>>> {
 public:
  directive_lines_row(config_table& t, std::string name, size_t min_args, size_t max_args,
                      std::string comment, row_options o = {})
      : snapshot_row(t, std::move(name), {}, std::move(comment), std::move(o)),
        min_args_(min_args),
        max_args_(max_args) {}

  bool multi_arg() const override { return true; }
  bool accumulates() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override {
    if (args.size() < min_args_ || args.size() > max_args_) return "wrong number of arguments";
    std::vector<std::vector<std::string>> v;
    if (add) v = *get();
    v.push_back(args);
    stage_value(std::move(v));
    return std::nullopt;
  }
  std::string text() const override {
    std::string out;
    for (const auto& l : *get()) out += (out.empty() ? "" : " ") + join_quoted(l);
    return out;
  }
  bool at_default() const override { return live_ ? false : snapshot_row::at_default(); }
  std::vector<std::string> lines() const override {
    if (live_) return live_();
    std::vector<std::string> out;
    for (const auto& l : *get()) out.push_back(name() + " " + join_quoted(l));
    return out;
  }
  void set_live_lines(std::function<std::vector<std::string>()> f) { live_ = std::move(f); }

 private:
  size_t min_args_, max_args_;
  std::function<std::vector<std::string>()> live_;
};

enum class pubsub_default { resetchannels, allchannels };

struct security_rows {
  explicit security_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  directive_lines_row user{
      t_,
      "user",
      1,
      SIZE_MAX,
      "An ACL user: user <name> [rule ...], e.g. user alice on >secret ~cached:* +get. "
      "Repeat for more users; not with aclfile.",
      row_file_only()};
  string_row aclfile{t_, "aclfile", "",
                     "File of ACL users (one 'user' line each) for ACL LOAD and ACL SAVE.",
                     row_immutable()};
  int_row acllog_max_len{t_,      "acllog-max-len",
                         128,     0,
                         INT_MAX, "Entries kept by ACL LOG (denied commands, failed AUTH)."};
  enum_row<pubsub_default> acl_pubsub_default{
      t_,
      "acl-pubsub-default",
      pubsub_default::resetchannels,
      {{"allchannels", pubsub_default::allchannels},
       {"resetchannels", pubsub_default::resetchannels}},
      "Pub/Sub channels new ACL users may use: resetchannels (none) or allchannels."};
  bool_row protected_mode{t_, "protected-mode", true,
                          "With no password on the default user, refuse clients that are not "
                          "local (loopback or unix socket)."};
  directive_lines_row rename_command{
      t_,
      "rename-command",
      2,
      2,
      "rename-command <command> <new name>: a new name for a command, \"\" to disable it "
      "(config file only).",
      row_file_only()};
};

}  // namespace troupe
