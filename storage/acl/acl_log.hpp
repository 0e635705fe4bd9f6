// ACL LOG: the latest denied commands and failed authentications. Entries that
// repeat (same reason, context, object and user within 60 seconds) are counted
// in one entry, moved to the front, as Redis does. Any thread may add.
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace troupe {

struct acl_log_entry {
  uint64_t count = 1;
  std::string reason;   // command, key, channel, auth
  std::string context;  // toplevel, multi
  std::string object;   // the command, key, channel, or AUTH / HELLO
  std::string username;
  int64_t created_ms = 0;
  std::string client_info;  // as CLIENT LIST shows the client
};

class acl_log {
 public:
  void add(acl_log_entry e, size_t max_len);
  // The newest `count` entries, newest first.
  std::vector<acl_log_entry> recent(size_t count) const;
  void reset();
  // acllog-max-len got smaller.
  void trim(size_t max_len);

 private:
  mutable std::mutex mutex_;
  std::deque<acl_log_entry> entries_;  // newest first
};

}  // namespace troupe
