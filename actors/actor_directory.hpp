// The registry of every live actor: its type name, parent and peers, so the
// admin endpoint can draw the running graph (/topology) and INFO can count them.
// Actors register when they start and leave when they stop.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace troupe {

struct actor_record {
  uint64_t id = 0;
  std::string type;   // "connection", "shard", "listener", ...
  std::string label;  // e.g. "127.0.0.1:50012" or "shard 3"
  uint64_t parent = 0;
  int reactor = -1;  // hosting reactor, -1 for CAF's scheduler
  std::vector<uint64_t> peers;
};

class actor_directory {
 public:
  void add(actor_record r);
  void remove(uint64_t id);
  void add_peer(uint64_t id, uint64_t peer);
  std::vector<actor_record> snapshot() const;
  size_t count(const std::string& type) const;

 private:
  mutable std::mutex mutex_;
  std::map<uint64_t, actor_record> actors_;
};

}  // namespace troupe
