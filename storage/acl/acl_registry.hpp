// The ACL user table of a running server. Connections hold a user's slot; ACL
// SETUSER builds the new rules aside and swaps them into the slot, so a
// connection sees them on its next command. The slot keeps whether its user may
// do anything (every command, key and channel) in an atomic flag: the check on
// every command reads that flag and, for the default user, goes no further.
//
// requirepass is the default user's password (CONFIG SET requirepass resets its
// passwords to that one, or to nopass when empty), as in Redis 7.0.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/acl/acl_log.hpp"
#include "storage/acl/acl_user.hpp"

namespace troupe {

class acl_user_slot {
 public:
  acl_user_slot(std::string name, std::shared_ptr<const acl_user> rules) : name_(std::move(name)) {
    publish(std::move(rules));
  }
  const std::string& name() const { return name_; }
  std::shared_ptr<const acl_user> rules() const { return rules_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<const acl_user> r) {
    unrestricted_.store(r->unrestricted(), std::memory_order_relaxed);
    rules_.store(std::move(r), std::memory_order_release);
  }
  bool unrestricted() const { return unrestricted_.load(std::memory_order_relaxed); }
  // DELUSER or ACL LOAD removed the user: its clients are being disconnected.
  bool deleted() const { return deleted_.load(std::memory_order_relaxed); }
  void mark_deleted() { deleted_.store(true, std::memory_order_relaxed); }

 private:
  std::string name_;
  std::atomic<std::shared_ptr<const acl_user>> rules_;
  std::atomic<bool> unrestricted_{false};
  std::atomic<bool> deleted_{false};
};

using acl_user_ptr = std::shared_ptr<acl_user_slot>;

class acl_registry {
 public:
  acl_registry();

  acl_user_ptr default_user() const;
  acl_user_ptr find(std::string_view name) const;
  // Clients must authenticate: the default user has a password or is off.
  bool auth_required() const { return auth_required_.load(std::memory_order_relaxed); }
  // The user if it is on and the password is one of its own (any, for nopass).
  acl_user_ptr authenticate(std::string_view name, std::string_view pass) const;

  // ACL SETUSER, all or nothing. The error is the text after "ERR ".
  // `before` receives the rules the user had (null for a new user).
  std::optional<std::string> set_user(std::string_view name,
                                      const std::vector<std::string_view>& rules,
                                      std::shared_ptr<const acl_user>* before = nullptr);
  // ACL DELUSER: the slots removed (their clients are to be disconnected).
  std::vector<acl_user_ptr> delete_users(const std::vector<std::string_view>& names);
  // requirepass: the default user's only password, or nopass when empty.
  void set_default_password(const std::string& pass);

  // "user <name> <rules>" per user, sorted by name (ACL LIST, acl files).
  std::vector<std::string> list() const;
  std::vector<std::string> usernames() const;

  // Replaces every user with those of an acl file's (or the config's `user`
  // lines') text; nothing changes on an error, whose text (Redis's) is returned.
  // `source` names the file in errors. The default user keeps its slot (its
  // clients stay); every other user's old slot lands in `dropped`. Without a
  // `user default` line the default user is reset to its initial rules.
  std::optional<std::string> load(const std::vector<std::string>& lines, const std::string& source,
                                  std::vector<acl_user_ptr>& dropped);
  // The text of ACL SAVE.
  std::string save_text() const;

  // acl-pubsub-default: new users and `reset` get allchannels.
  std::atomic<bool> all_channels_default{false};
  acl_log log;

 private:
  void refresh_auth_required();

  mutable std::mutex mutex_;
  std::map<std::string, acl_user_ptr, std::less<>> users_;
  acl_user_ptr default_;
  std::atomic<bool> auth_required_{false};
};

}  // namespace troupe
