// One monitored master's links (see sentinel_control.hpp): for each of its
// instances (the master, its replicas, the other Sentinels) a command link
// and, for masters and replicas, a pub/sub link subscribed to
// __sentinel__:hello. Hosted on a reactor; the links are actors/net/resp_link.
//
// Messages (from sentinel_control):
//   (connect_atom, id, host, port, pubsub_setup)  open the links of instance
//       `id`; pubsub_setup: the RESP bytes the pub/sub link sends first (AUTH,
//       CLIENT SETNAME, SUBSCRIBE), empty for a Sentinel (no pub/sub link)
//   (command_atom, id, kind, bytes)  one command on the command link; its reply
//       goes to the state by kind (sentinel::command_kind)
//   (close_atom, id)  close the links (the state already counts them down)
//   (close_atom, id, report)  close them and, if report, tell the state they
//       went down (SENTINEL DEBUG-LINK-FILTER DROP)
//   (stop_atom)  close everything and quit
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "actors/net/resp_link.hpp"
#include "actors/runtime/hosted_actor.hpp"

namespace troupe {

class sentinel_control;

class sentinel_monitor : public hosted_actor {
 public:
  sentinel_monitor(caf::actor_config& cfg, reactor& home, sentinel_control& ctl);
  ~sentinel_monitor() override;
  const char* name() const override { return "sentinel_monitor"; }
  caf::behavior make_behavior() override;

 private:
  struct links {
    uint64_t id = 0;
    uint64_t generation = 0;
    std::unique_ptr<resp_link> cmd;
    std::unique_ptr<resp_link> pubsub;  // null for a Sentinel
    bool cmd_up = false, pubsub_up = false, reported_up = false;
    std::deque<int> pending;  // kinds of the commands awaiting replies
    std::string queued;       // commands sent before the link was up
  };
  void open(uint64_t id, const std::string& host, int port, const std::string& pubsub_setup);
  void close_links(uint64_t id, bool report);
  void maybe_up(links& l);
  void read_cmd(links& l);
  void read_pubsub(links& l);

  sentinel_control& ctl_;
  std::map<uint64_t, std::unique_ptr<links>> links_;
  uint64_t generation_ = 0;
  bool stopped_ = false;
};

}  // namespace troupe
