#include "storage/acl/acl_registry.hpp"

namespace troupe {
namespace {

std::shared_ptr<acl_user> initial_default_user() {
  auto u = std::make_shared<acl_user>("default", true);
  for (const char* r : {"on", "nopass", "~*", "&*", "+@all"}) (void)u->apply(r, true);
  return u;
}

// Splits an acl file line at spaces (Redis does not unquote them).
std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    size_t end = line.find_first_of(" \t\r", i);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(i, end - i));
    i = end;
  }
  return out;
}

}  // namespace

acl_registry::acl_registry() {
  default_ = std::make_shared<acl_user_slot>("default", initial_default_user());
  users_.emplace("default", default_);
  refresh_auth_required();
}

void acl_registry::refresh_auth_required() {
  auto d = default_->rules();
  auth_required_.store(!(d->enabled && d->nopass), std::memory_order_relaxed);
}

acl_user_ptr acl_registry::default_user() const {
  return default_;
}

acl_user_ptr acl_registry::find(std::string_view name) const {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

acl_user_ptr acl_registry::authenticate(std::string_view name, std::string_view pass) const {
  acl_user_ptr slot = find(name);
  if (slot == nullptr) return nullptr;
  auto rules = slot->rules();
  if (!rules->enabled || !rules->password_matches(pass)) return nullptr;
  return slot;
}

std::optional<std::string> acl_registry::set_user(std::string_view name,
                                                  const std::vector<std::string_view>& rules,
                                                  std::shared_ptr<const acl_user>* before) {
  if (!valid_username(name)) return "Usernames can't contain spaces or null characters";
  std::string error;
  auto merged = merge_selector_arguments(rules, error);
  if (!merged) return error;
  bool all_channels = all_channels_default.load(std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(mutex_);
  auto it = users_.find(name);
  std::shared_ptr<const acl_user> old = it == users_.end() ? nullptr : it->second->rules();
  auto updated = old ? std::make_shared<acl_user>(*old)
                     : std::make_shared<acl_user>(std::string(name), all_channels);
  for (const std::string& r : *merged)
    if (auto err = updated->apply(r, all_channels))
      return "Error in ACL SETUSER modifier '" + r + "': " + *err;
  if (before != nullptr) *before = old;
  if (it == users_.end())
    users_.emplace(std::string(name), std::make_shared<acl_user_slot>(std::string(name), updated));
  else
    it->second->publish(updated);
  if (name == "default") refresh_auth_required();
  return std::nullopt;
}

std::vector<acl_user_ptr> acl_registry::delete_users(const std::vector<std::string_view>& names) {
  std::vector<acl_user_ptr> removed;
  std::lock_guard<std::mutex> g(mutex_);
  for (std::string_view n : names) {
    if (n == "default") continue;  // the caller refuses it first
    auto it = users_.find(n);
    if (it == users_.end()) continue;
    it->second->mark_deleted();
    removed.push_back(it->second);
    users_.erase(it);
  }
  return removed;
}

void acl_registry::set_default_password(const std::string& pass) {
  std::lock_guard<std::mutex> g(mutex_);
  auto u = std::make_shared<acl_user>(*default_->rules());
  (void)u->apply("resetpass", false);
  (void)u->apply(pass.empty() ? std::string_view("nopass") : std::string_view(">" + pass), false);
  default_->publish(u);
  refresh_auth_required();
}

std::vector<std::string> acl_registry::list() const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<std::string> out;
  for (auto& [name, slot] : users_) out.push_back("user " + name + " " + slot->rules()->describe());
  return out;
}

std::vector<std::string> acl_registry::usernames() const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<std::string> out;
  for (auto& [name, slot] : users_) out.push_back(name);
  return out;
}

std::optional<std::string> acl_registry::load(const std::vector<std::string>& lines,
                                              const std::string& source,
                                              std::vector<acl_user_ptr>& dropped) {
  bool all_channels = all_channels_default.load(std::memory_order_relaxed);
  std::map<std::string, std::shared_ptr<acl_user>, std::less<>> loaded;
  std::string errors;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    auto args = split_spaces(line);
    if (args.empty() || args[0][0] == '#') continue;
    std::string where = source + ":" + std::to_string(i + 1) + ": ";
    if (args[0] != "user" || args.size() < 2) {
      errors += where + "should start with user keyword. ";
      continue;
    }
    std::string_view name = args[1];
    if (!valid_username(name)) {
      errors += where + "'" + std::string(name) + "' is not a valid username. ";
      continue;
    }
    if (loaded.count(name)) {
      errors += where + "Duplicate user '" + std::string(name) + "' found. ";
      continue;
    }
    std::string merge_error;
    auto merged = merge_selector_arguments({args.begin() + 2, args.end()}, merge_error);
    if (!merged) {
      errors += where + merge_error + " ";
      continue;
    }
    auto u = std::make_shared<acl_user>(std::string(name), all_channels);
    for (const std::string& r : *merged)
      if (auto err = u->apply(r, all_channels)) {
        errors += where + "Error in applying operation '" + r + "': " + *err + ". ";
        break;
      }
    loaded.emplace(std::string(name), std::move(u));
  }
  if (!errors.empty())
    return errors +
           "WARNING: ACL errors detected, no change to the previously active ACL rules was "
           "performed";
  std::lock_guard<std::mutex> g(mutex_);
  for (auto& [name, slot] : users_)
    if (slot != default_) {
      slot->mark_deleted();
      dropped.push_back(slot);
    }
  users_.clear();
  auto d = loaded.find("default");
  default_->publish(d == loaded.end() ? initial_default_user() : d->second);
  users_.emplace("default", default_);
  for (auto& [name, u] : loaded)
    if (name != "default") users_.emplace(name, std::make_shared<acl_user_slot>(name, u));
  refresh_auth_required();
  return std::nullopt;
}

std::string acl_registry::save_text() const {
  std::string out;
  for (const std::string& l : list()) out += l + "\n";
  return out;
}

}  // namespace troupe
