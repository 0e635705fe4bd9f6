#include "actors/cluster/cluster_node.hpp"

#include <chrono>
#include <mutex>
#include <set>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>

#include "actors/cluster/cluster_control.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "topology/cluster/bus_codec.hpp"

namespace troupe {

using cluster::cluster_message;
using cluster::link_info;
using cluster::link_origin;
using cluster::outgoing_message;

namespace {

constexpr auto tick_period = std::chrono::milliseconds(100);

// The cluster nodes of this process by bus port: a link to one of them is
// its handle, with no socket in between.
struct local_directory {
  std::mutex mutex;
  std::map<uint16_t, caf::actor> nodes;
};
local_directory& directory() {
  static local_directory d;
  return d;
}

bool is_local_address(const std::string& ip) {
  return ip == "127.0.0.1" || ip == "::1" || ip == "localhost" || ip.rfind("127.", 0) == 0;
}

caf::actor local_node(const std::string& ip, int cport) {
  if (!is_local_address(ip) || cport <= 0 || cport > 65535) return {};
  std::lock_guard<std::mutex> g(directory().mutex);
  auto it = directory().nodes.find(uint16_t(cport));
  return it == directory().nodes.end() ? caf::actor{} : it->second;
}

// "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) as Redis names it.
std::string plain_address(const std::string& addr) {
  if (addr.rfind("::ffff:", 0) == 0 && addr.find('.') != std::string::npos) return addr.substr(7);
  return addr;
}

}  // namespace

std::optional<std::string> publish_cluster_bus(caf::actor_system& sys, const caf::actor& bus,
                                               uint16_t port, const std::string& in) {
  auto r = sys.middleman().publish(bus, port, in.empty() ? nullptr : in.c_str(), true);
  if (!r)
    return "Could not bind the cluster bus port " + std::to_string(port) + ": " +
           sys.render(r.error());
  std::lock_guard<std::mutex> g(directory().mutex);
  directory().nodes[port] = bus;
  return std::nullopt;
}

void unpublish_cluster_bus(uint16_t port) {
  std::lock_guard<std::mutex> g(directory().mutex);
  directory().nodes.erase(port);
}

cluster_node::cluster_node(caf::actor_config& cfg, cluster_control& ctl)
    : registered_actor(cfg), ctl_(ctl) {}

caf::behavior cluster_node::make_behavior() {
  set_down_handler([this](caf::down_msg& dm) {
    // A peer's process went away (or the in-process node stopped): every
    // link to that handle is down.
    std::vector<std::string> gone;
    for (auto& [id, l] : links_)
      if (l.handle && l.handle.address() == dm.source) gone.push_back(id);
    for (auto it = inbound_.begin(); it != inbound_.end();)
      it = it->second.first == dm.source ? inbound_.erase(it) : std::next(it);
    for (const std::string& id : gone) {
      links_.erase(id);
      ctl_.link_down(id);
    }
    publish_links();
    drain(nullptr);
  });
  return {
      [this](tick_atom) {
        ctl_.tick();
        drain(nullptr);
        delayed_send(this, tick_period, tick_atom::value);
      },
      [this](wake_atom) { drain(nullptr); },
      [this](cluster_packet& p) {
        caf::strong_actor_ptr from = current_sender();
        if (!p.from_ip.empty() || !from) return on_packet(p, p.from_ip, from);
        caf::node_id peer = from->node();
        if (peer == system().node()) return on_packet(p, "127.0.0.1", from);
        if (auto it = peer_addrs_.find(peer); it != peer_addrs_.end())
          return on_packet(p, it->second, from);
        // The sender does not know its own address yet (a node that never
        // got a MEET): the socket's peer address, as Redis would read it.
        auto mm = system().middleman().actor_handle();
        request(mm, std::chrono::seconds(5), caf::get_atom::value, peer)
            .then(
                [this, p, from](const caf::node_id& n, const std::string& addr, uint16_t) {
                  peer_addrs_[n] = plain_address(addr);
                  on_packet(p, peer_addrs_[n], from);
                },
                [](caf::error&) {});
      },
  };
}

void cluster_node::on_packet(const cluster_packet& p, const std::string& peer_ip,
                             const caf::strong_actor_ptr& from) {
  std::optional<cluster_message> msg = cluster::decode_message(p.bytes);
  if (!msg) return;  // garbage from a peer: dropped, as Redis drops a bad packet
  link_origin origin;
  origin.peer_ip = peer_ip;
  origin.local_ip = p.to_ip;
  if (p.reply && from) origin.node_id = id_of_outbound(caf::actor_cast<caf::actor_addr>(from));
  if (!p.reply && from && !inbound_.count(msg->sender)) {
    inbound_[msg->sender] = {caf::actor_cast<caf::actor_addr>(from), cluster_control::now_ms()};
    publish_links();
  }
  ctl_.receive(*msg, origin);
  drain(from);
}

std::string cluster_node::id_of_outbound(const caf::actor_addr& a) const {
  for (const auto& [id, l] : links_)
    if (l.handle && l.handle.address() == a) return id;
  return {};
}

void cluster_node::drain(const caf::strong_actor_ptr& reply_to) {
  // Link changes may come with messages; several rounds when answering one
  // changes the state again (link_up sends the first PING).
  for (int round = 0; round < 8; round++) {
    bus_outbox out = ctl_.take_outbox();
    if (out.messages.empty() && out.links.empty()) return;
    my_ip_ = out.my_ip;
    for (bus_link_op& op : out.links) {
      switch (op.what) {
        case bus_link_op::kind::connect:
          connect(op.node_id, op.ip, op.cport);
          break;
        case bus_link_op::kind::disconnect:
        case bus_link_op::kind::remove:
          if (auto it = links_.find(op.node_id); it != links_.end()) {
            if (it->second.handle) demonitor(it->second.handle);
            links_.erase(it);
          }
          if (op.what == bus_link_op::kind::remove) inbound_.erase(op.node_id);
          publish_links();
          break;
        case bus_link_op::kind::rename:
          if (auto it = links_.find(op.node_id); it != links_.end()) {
            link l = std::move(it->second);
            links_.erase(it);
            links_[op.new_id] = std::move(l);
          }
          if (auto it = inbound_.find(op.node_id); it != inbound_.end()) {
            auto in = it->second;
            inbound_.erase(it);
            inbound_[op.new_id] = in;
          }
          publish_links();
          break;
      }
    }
    for (outgoing_message& m : out.messages) {
      cluster_packet p;
      p.from_ip = my_ip_;
      p.bytes = cluster::encode_message(m.msg);
      if (m.reply) {
        if (!reply_to || ctl_.link_filter(m.target) < 0) continue;
        p.reply = true;
        send(caf::actor_cast<caf::actor>(reply_to), std::move(p));
        continue;
      }
      auto it = links_.find(m.target);
      if (it == links_.end() || !it->second.handle) continue;  // not connected: Redis drops it too
      p.to_ip = it->second.ip;
      int64_t filter = ctl_.link_filter(m.target);
      if (filter < 0) continue;
      if (filter > 0)
        delayed_send(it->second.handle, std::chrono::milliseconds(filter), std::move(p));
      else
        send(it->second.handle, std::move(p));
    }
  }
}

void cluster_node::publish_links() {
  std::vector<link_info> v;
  for (const auto& [id, l] : links_) {
    if (!l.handle) continue;
    link_info i;
    i.outbound = true;
    i.node_id = id;
    i.create_time_ms = l.created_ms;
    v.push_back(std::move(i));
  }
  for (const auto& [id, in] : inbound_) {
    link_info i;
    i.outbound = false;
    i.node_id = id;
    i.create_time_ms = in.second;
    v.push_back(std::move(i));
  }
  ctl_.set_links(std::move(v));
}

void cluster_node::connect(const std::string& id, const std::string& ip, int cport) {
  uint64_t gen = next_generation_++;
  link& l = links_[id];
  if (l.handle) demonitor(l.handle);
  l = link{{}, gen, ip};
  if (caf::actor local = local_node(ip, cport)) return connected(gen, local);
  if (cport <= 0 || cport > 65535) return failed(gen);
  auto mm = system().middleman().actor_handle();
  request(mm, std::chrono::seconds(10), caf::connect_atom::value, ip, uint16_t(cport))
      .then(
          [this, gen](const caf::node_id&, caf::strong_actor_ptr& p, const std::set<std::string>&) {
            if (!p) return failed(gen);
            connected(gen, caf::actor_cast<caf::actor>(p));
          },
          [this, gen](caf::error&) { failed(gen); });
}

void cluster_node::connected(uint64_t generation, const caf::actor& handle) {
  for (auto& [id, l] : links_) {
    if (l.generation != generation || l.handle) continue;
    l.handle = handle;
    l.created_ms = cluster_control::now_ms();
    monitor(handle);
    publish_links();
    std::string node = id;  // link_up may rename or drop the entry
    ctl_.link_up(node);
    return drain(nullptr);
  }
}

void cluster_node::failed(uint64_t generation) {
  for (auto it = links_.begin(); it != links_.end(); ++it) {
    if (it->second.generation != generation || it->second.handle) continue;
    std::string id = it->first;
    links_.erase(it);
    ctl_.link_down(id);
    return drain(nullptr);
  }
}

}  // namespace troupe
