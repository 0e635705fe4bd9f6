#include "actors/sentinel/sentinel_monitor.hpp"

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"
#include "actors/sentinel/sentinel_control.hpp"

namespace troupe {
namespace {

// "ip:port" / "[v6]:port" -> the ip.
std::string link_ip_of(const std::string& addr) {
  size_t colon = addr.rfind(':');
  std::string ip = colon == std::string::npos ? addr : addr.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

}  // namespace

sentinel_monitor::sentinel_monitor(caf::actor_config& cfg, reactor& home, sentinel_control& ctl)
    : hosted_actor(cfg, home), ctl_(ctl) {}

sentinel_monitor::~sentinel_monitor() {
  for (auto& [id, l] : links_) {
    if (l->cmd) l->cmd->close();
    if (l->pubsub) l->pubsub->close();
  }
}

caf::behavior sentinel_monitor::make_behavior() {
  return {
      [this](connect_atom, uint64_t id, const std::string& host, int32_t port,
             const std::string& pubsub_setup) {
        if (!stopped_) open(id, host, port, pubsub_setup);
      },
      [this](command_atom, uint64_t id, int32_t kind, const std::string& bytes) {
        auto it = links_.find(id);
        if (stopped_ || it == links_.end() || !it->second->cmd || !it->second->cmd->is_open())
          return;  // the link went down: the state already knows
        links& l = *it->second;
        l.pending.push_back(kind);
        l.cmd->send(bytes);
      },
      [this](close_atom, uint64_t id) { close_links(id, false); },
      // SENTINEL DEBUG-LINK-FILTER DROP: closed under the state, which is told.
      [this](close_atom, uint64_t id, bool report) { close_links(id, report); },
      [this](stop_atom) {
        stopped_ = true;
        for (auto& [id, l] : links_) {
          if (l->cmd) l->cmd->close();
          if (l->pubsub) l->pubsub->close();
        }
        quit();
      },
  };
}

void sentinel_monitor::open(uint64_t id, const std::string& host, int port,
                            const std::string& pubsub_setup) {
  close_links(id, false);
  // A dropped address (SENTINEL DEBUG-LINK-FILTER) is not connected to: the
  // state sees a link that never comes up and keeps retrying.
  if (ctl_.link_dropped(host, port)) return;
  auto l = std::make_unique<links>();
  l->id = id;
  l->generation = ++generation_;
  uint64_t gen = l->generation;
  links* raw = l.get();
  // A callback finds its links by id and generation: a newer connection to the
  // same instance replaces the struct only from a message handler.
  auto current = [this, id, gen]() -> links* {
    auto it = links_.find(id);
    return it != links_.end() && it->second->generation == gen ? it->second.get() : nullptr;
  };
  auto fail = [this, current](std::string) {
    links* cur = current();
    if (cur == nullptr) return;
    if (cur->cmd) cur->cmd->close();
    if (cur->pubsub) cur->pubsub->close();
    cur->pending.clear();
    bool was = cur->cmd_up || cur->reported_up;
    cur->cmd_up = cur->pubsub_up = cur->reported_up = false;
    if (was) ctl_.link_down(cur->id);
  };
  raw->cmd = std::make_unique<resp_link>(home());
  raw->cmd->set_callbacks({
      [this, current] {
        if (links* cur = current()) {
          cur->cmd_up = true;
          maybe_up(*cur);
        }
      },
      [this, current](size_t) {
        if (links* cur = current()) read_cmd(*cur);
      },
      fail,
  });
  if (!pubsub_setup.empty()) {
    raw->pubsub = std::make_unique<resp_link>(home());
    raw->pubsub->set_callbacks({
        [this, current, pubsub_setup] {
          if (links* cur = current()) {
            cur->pubsub->send(pubsub_setup);
            cur->pubsub_up = true;
            maybe_up(*cur);
          }
        },
        [this, current](size_t) {
          if (links* cur = current()) read_pubsub(*cur);
        },
        fail,
    });
  }
  links_[id] = std::move(l);
  std::string err;
  if (!raw->cmd->connect(host, port, err) ||
      (raw->pubsub && !raw->pubsub->connect(host, port, err))) {
    raw->cmd->close();
    if (raw->pubsub) raw->pubsub->close();
    // The state retries after its reconnect period; it never saw the link up.
    return;
  }
}

void sentinel_monitor::close_links(uint64_t id, bool report) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  links& l = *it->second;
  bool was = l.reported_up;
  if (l.cmd) l.cmd->close();
  if (l.pubsub) l.pubsub->close();
  links_.erase(it);
  if (report && was) ctl_.link_down(id);
}

void sentinel_monitor::maybe_up(links& l) {
  if (l.reported_up || !l.cmd_up || (l.pubsub && !l.pubsub_up)) return;
  l.reported_up = true;
  ctl_.link_up(l.id, link_ip_of(l.cmd->local_address()));
}

void sentinel_monitor::read_cmd(links& l) {
  uint64_t id = l.id, gen = l.generation;
  for (;;) {
    auto it = links_.find(id);
    if (it == links_.end() || it->second->generation != gen || !it->second->cmd->is_open()) return;
    links& cur = *it->second;
    resp_value v;
    auto r = cur.cmd->next_reply(v);
    if (r == reply_parser::result::incomplete) return;
    if (r == reply_parser::result::error) {
      cur.cmd->close();
      if (cur.pubsub) cur.pubsub->close();
      cur.pending.clear();
      bool was = cur.reported_up;
      cur.cmd_up = cur.pubsub_up = cur.reported_up = false;
      if (was) ctl_.link_down(id);
      return;
    }
    if (cur.pending.empty()) continue;  // a reply nobody asked for
    int kind = cur.pending.front();
    cur.pending.pop_front();
    ctl_.reply(id, kind, v);
  }
}

void sentinel_monitor::read_pubsub(links& l) {
  uint64_t id = l.id, gen = l.generation;
  for (;;) {
    auto it = links_.find(id);
    if (it == links_.end() || it->second->generation != gen || !it->second->pubsub ||
        !it->second->pubsub->is_open())
      return;
    links& cur = *it->second;
    resp_value v;
    auto r = cur.pubsub->next_reply(v);
    if (r == reply_parser::result::incomplete) return;
    if (r == reply_parser::result::error) {
      cur.cmd->close();
      cur.pubsub->close();
      cur.pending.clear();
      bool was = cur.reported_up;
      cur.cmd_up = cur.pubsub_up = cur.reported_up = false;
      if (was) ctl_.link_down(id);
      return;
    }
    // ["message", "__sentinel__:hello", payload]; subscribe confirmations and
    // AUTH / SETNAME replies are ignored.
    if (v.is_aggregate() && v.elements.size() == 3 && v.elements[0].str == "message" &&
        v.elements[2].type == resp_value::kind::bulk)
      ctl_.hello_received(id, v.elements[2].str);
  }
}

}  // namespace troupe
