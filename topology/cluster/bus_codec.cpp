#include "topology/cluster/bus_codec.hpp"

#include <cstring>

namespace troupe::cluster {
namespace {

constexpr uint8_t codec_version = 1;
// A peer cannot make us allocate more than this for one string (channel and
// payload of PUBLISH are the big ones; Redis bounds them by its 512 MB bulk).
constexpr uint32_t max_string = 512u << 20;
constexpr uint32_t max_gossip = 65536;

class writer {
 public:
  void u8(uint8_t v) { out_.push_back(char(v)); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void str(std::string_view s) {
    u32(uint32_t(s.size()));
    out_.append(s);
  }
  void bits(const slot_bitmap& b) {
    char buf[slot_count / 8] = {};
    for (int i = 0; i < slot_count; i++)
      if (b.test(size_t(i))) buf[i / 8] = char(uint8_t(buf[i / 8]) | (1u << (i % 8)));
    out_.append(buf, sizeof(buf));
  }
  std::string take() { return std::move(out_); }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; i++) out_.push_back(char((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  uint8_t u8() { return uint8_t(get(1)); }
  uint16_t u16() { return uint16_t(get(2)); }
  uint32_t u32() { return uint32_t(get(4)); }
  uint64_t u64() { return get(8); }
  std::string str() {
    uint32_t n = u32();
    if (!ok_ || n > max_string || n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  void bits(slot_bitmap& b) {
    constexpr size_t n = slot_count / 8;
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return;
    }
    b.reset();
    for (int i = 0; i < slot_count; i++)
      if (uint8_t(in_[pos_ + size_t(i / 8)]) & (1u << (i % 8))) b.set(size_t(i));
    pos_ += n;
  }

 private:
  uint64_t get(int n) {
    if (!ok_ || in_.size() - pos_ < size_t(n)) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= uint64_t(uint8_t(in_[pos_ + size_t(i)])) << (8 * i);
    pos_ += size_t(n);
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

bool is_node_id(const std::string& s) {
  return s.size() == 40;
}

bool carries_gossip(message_type t) {
  return t == message_type::ping || t == message_type::pong || t == message_type::meet;
}

}  // namespace

std::string encode_message(const cluster_message& m) {
  writer w;
  w.u8(codec_version);
  w.u8(uint8_t(m.type));
  w.str(m.sender);
  w.u64(m.current_epoch);
  w.u64(m.config_epoch);
  w.u64(uint64_t(m.repl_offset));
  w.str(m.ip);
  w.u16(uint16_t(m.port));
  w.u16(uint16_t(m.cport));
  w.u16(m.flags);
  w.u8(m.mflags);
  w.u8(m.state_ok ? 1 : 0);
  w.bits(m.slots);
  w.str(m.master_id);
  w.str(m.hostname);
  if (carries_gossip(m.type)) {
    w.u32(uint32_t(m.gossip.size()));
    for (const gossip_entry& g : m.gossip) {
      w.str(g.node_id);
      w.u32(g.ping_sent_s);
      w.u32(g.pong_received_s);
      w.str(g.ip);
      w.u16(uint16_t(g.port));
      w.u16(uint16_t(g.cport));
      w.u16(g.flags);
    }
  }
  if (m.type == message_type::fail || m.type == message_type::update) w.str(m.about);
  if (m.type == message_type::update) {
    w.u64(m.update_config_epoch);
    w.bits(m.update_slots);
  }
  if (m.type == message_type::publish || m.type == message_type::publishshard) {
    w.str(m.channel);
    w.str(m.payload);
  }
  return w.take();
}

std::optional<cluster_message> decode_message(std::string_view bytes) {
  reader r(bytes);
  if (r.u8() != codec_version) return std::nullopt;
  cluster_message m;
  uint8_t type = r.u8();
  if (type >= message_type_count) return std::nullopt;
  m.type = message_type(type);
  m.sender = r.str();
  m.current_epoch = r.u64();
  m.config_epoch = r.u64();
  m.repl_offset = int64_t(r.u64());
  m.ip = r.str();
  m.port = r.u16();
  m.cport = r.u16();
  m.flags = r.u16();
  m.mflags = r.u8();
  m.state_ok = r.u8() != 0;
  r.bits(m.slots);
  m.master_id = r.str();
  m.hostname = r.str();
  if (!r.ok() || !is_node_id(m.sender) || (!m.master_id.empty() && !is_node_id(m.master_id)))
    return std::nullopt;
  if (carries_gossip(m.type)) {
    uint32_t n = r.u32();
    if (!r.ok() || n > max_gossip) return std::nullopt;
    for (uint32_t i = 0; i < n && r.ok(); i++) {
      gossip_entry g;
      g.node_id = r.str();
      g.ping_sent_s = r.u32();
      g.pong_received_s = r.u32();
      g.ip = r.str();
      g.port = r.u16();
      g.cport = r.u16();
      g.flags = r.u16();
      if (!r.ok() || !is_node_id(g.node_id)) return std::nullopt;
      m.gossip.push_back(std::move(g));
    }
  }
  if (m.type == message_type::fail || m.type == message_type::update) {
    m.about = r.str();
    if (!r.ok() || !is_node_id(m.about)) return std::nullopt;
  }
  if (m.type == message_type::update) {
    m.update_config_epoch = r.u64();
    r.bits(m.update_slots);
  }
  if (m.type == message_type::publish || m.type == message_type::publishshard) {
    m.channel = r.str();
    m.payload = r.str();
  }
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return m;
}

}  // namespace troupe::cluster
