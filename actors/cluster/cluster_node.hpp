// The cluster bus of one node: the actor other nodes' cluster_node actors send
// their messages to, over CAF's network layer (the middleman, published on
// cluster-port) or directly when they live in the same process. It owns the
// links (an actor handle per node it talks to), ticks its node's state every
// 100 ms, turns packets into cluster_state inputs and sends what comes out.
//
// A link to a node is the node's cluster_node handle, got from the middleman
// (connect_atom: a TCP connection, BASP's handshake) or from the in-process
// directory. A message goes out as a cluster_packet: the cluster_message in its
// wire form (bus_codec) plus what a socket would have told the receiver: the
// address the sender dialed (how it sees the receiver) and the sender's own.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/runtime/registered_actor.hpp"

namespace troupe {

class cluster_control;
struct cluster_packet;

// Publishes `bus` on `port` (any address when `in` is empty); the error text
// when the port cannot be bound. Nodes of this process find each other
// through a directory keyed by bus port, without the network.
std::optional<std::string> publish_cluster_bus(caf::actor_system& sys, const caf::actor& bus,
                                               uint16_t port, const std::string& in);
void unpublish_cluster_bus(uint16_t port);

class cluster_node : public registered_actor {
 public:
  cluster_node(caf::actor_config& cfg, cluster_control& ctl);
  caf::behavior make_behavior() override;
  const char* name() const override { return "cluster_node"; }

 private:
  struct link {
    caf::actor handle;        // empty while connecting
    uint64_t generation = 0;  // of the connect that made (or is making) it
    std::string ip;           // as dialed
    int64_t created_ms = 0;
  };
  // Tells cluster_control the links as they are now (CLUSTER LINKS).
  void publish_links();
  void drain(const caf::strong_actor_ptr& reply_to);
  void connect(const std::string& id, const std::string& ip, int cport);
  void connected(uint64_t generation, const caf::actor& handle);
  void failed(uint64_t generation);
  // `from`: the sender's handle (replies go back to it).
  void on_packet(const cluster_packet& p, const std::string& peer_ip,
                 const caf::strong_actor_ptr& from);
  std::string id_of_outbound(const caf::actor_addr& a) const;

  cluster_control& ctl_;
  std::unordered_map<std::string, link> links_;  // by node id
  uint64_t next_generation_ = 1;
  std::string my_ip_;
  // Addresses of remote actor systems (the socket's peer, asked once).
  std::map<caf::node_id, std::string> peer_addrs_;
  // Inbound links: nodes whose messages (not replies) arrive, by node id, with
  // their handle and when the first came.
  std::unordered_map<std::string, std::pair<caf::actor_addr, int64_t>> inbound_;
};

}  // namespace troupe
