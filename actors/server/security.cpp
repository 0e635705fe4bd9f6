#include "actors/server/security.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <caf/all.hpp>

#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"

namespace troupe {
namespace {

bool apply_renames(server& srv) {
  for (const auto& args : *srv.config().rename_command.get()) {
    std::string err;
    if (!command_table::instance().rename(args[0], args[1], err)) {
      log_warning("rename-command {} {}: {}", args[0], args[1], err);
      return false;
    }
  }
  return true;
}

}  // namespace

void attach_security_hooks(server& srv) {
  server_config& cfg = srv.config();
  cfg.requirepass.on_apply([&srv](const std::string& pass) -> config_error {
    srv.acl.set_default_password(pass);
    return std::nullopt;
  });
  cfg.acl_pubsub_default.on_apply([&srv](pubsub_default v) -> config_error {
    srv.acl.all_channels_default.store(v == pubsub_default::allchannels);
    return std::nullopt;
  });
  cfg.acllog_max_len.on_apply([&srv](int64_t n) -> config_error {
    srv.acl.log.trim(size_t(n));
    return std::nullopt;
  });
  // CONFIG REWRITE writes the users as they are now, unless an aclfile keeps them.
  cfg.user.set_live_lines([&srv]() -> std::vector<std::string> {
    if (!srv.config().aclfile.empty()) return {};
    return srv.acl.list();
  });
}

bool load_security(server& srv) {
  server_config& cfg = srv.config();
  std::string aclfile = cfg.aclfile.str();
  if (!aclfile.empty() && !cfg.user.get()->empty()) {
    log_warning(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.");
    return false;
  }
  if (!aclfile.empty()) {
    std::vector<acl_user_ptr> dropped;  // none: no client is connected yet
    if (auto err = load_acl_file(srv, aclfile, dropped)) {
      log_warning("Aborting Redis startup because of ACL errors: {}", *err);
      return false;
    }
  } else {
    // Each line defines a user on top of the table (`user default` starts
    // from a reset default user), as Redis loads its configured users.
    std::set<std::string> seen;
    for (const auto& args : *cfg.user.get()) {
      if (!seen.insert(args[0]).second) {
        log_warning(
            "Error in user declaration '{}': Duplicate user found. A user can only be "
            "defined once in config files",
            args[0]);
        return false;
      }
      std::vector<std::string_view> rules;
      if (args[0] == "default") rules.push_back("reset");
      for (size_t i = 1; i < args.size(); ++i) rules.push_back(args[i]);
      if (auto err = srv.acl.set_user(args[0], rules)) {
        log_warning("Error in user declaration '{}': {}", args[0], *err);
        return false;
      }
    }
  }
  return apply_renames(srv);
}

std::optional<std::string> load_acl_file(server& srv, const std::string& path,
                                         std::vector<acl_user_ptr>& dropped) {
  std::ifstream in(path);
  if (!in) return "Error loading ACLs, opening file '" + path + "': " + strerror(errno);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return srv.acl.load(lines, path, dropped);
}

bool save_acl_file(server& srv, const std::string& path) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream o(tmp, std::ios::trunc);
    o << srv.acl.save_text();
    o.flush();
    if (!o) {
      log_warning("Opening temp ACL file for ACL SAVE: {}", strerror(errno));
      unlink(tmp.c_str());
      return false;
    }
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    log_warning("Renaming ACL file for ACL SAVE: {}", strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

void disconnect_users(server& srv, const std::vector<acl_user_ptr>& users, session& current) {
  if (users.empty()) return;
  srv.for_each_client([&](uint64_t, client_record& r) {
    std::string name;
    {
      std::lock_guard<std::mutex> g(r.s->mutex);
      name = r.s->user;
    }
    for (const auto& u : users)
      if (u->name() == name) {
        if (r.s == &current)
          current.set(client_close_after_reply);
        else
          caf::anon_send(r.handle, close_atom::value);
        break;
      }
  });
}

namespace {

// Whether some selector of the user allows the channel (a pattern literally).
bool user_allows_channel(const acl_user& u, const std::string& channel, bool pattern) {
  if (u.root.channel_allowed(channel, pattern)) return true;
  for (const acl_selector& s : u.selectors)
    if (s.channel_allowed(channel, pattern)) return true;
  return false;
}

}  // namespace

void disconnect_revoked_subscribers(server& srv, const acl_user_ptr& user, const acl_user& before,
                                    session& current) {
  auto now = user->rules();
  if (now->root.all_channels()) return;
  if (before.selectors.empty() && now->selectors.empty() &&
      before.root.describe_channels() == now->root.describe_channels())
    return;  // the channels did not change
  srv.for_each_client([&](uint64_t id, client_record& r) {
    if (r.s->subscriptions.load() == 0 && r.s->pattern_subscriptions.load() == 0 &&
        r.s->shard_subscriptions.load() == 0)
      return;
    {
      std::lock_guard<std::mutex> g(r.s->mutex);
      if (r.s->user != user->name()) return;
    }
    bool revoked = false;
    for (sub_kind kind : {sub_kind::channel, sub_kind::pattern, sub_kind::shard})
      for (const std::string& c : srv.pubsub().subscriptions_of(id, kind))
        revoked = revoked || !user_allows_channel(*now, c, kind == sub_kind::pattern);
    if (!revoked) return;
    if (r.s == &current)
      current.set(client_close_after_reply);
    else
      caf::anon_send(r.handle, close_atom::value);
  });
}

}  // namespace troupe
