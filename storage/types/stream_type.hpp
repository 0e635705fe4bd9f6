// The stream value: entries keyed by 128-bit IDs (milliseconds-sequence), kept
// in an ordered map of nodes. Each node is one listpack in the layout of
// Redis's stream nodes, so RDB writes it as it is and a node of 100 small
// entries costs one allocation:
//
//   master entry: count | deleted | num-fields | field... | 0
//   each entry:   flags | ms-diff | seq-diff | [num-fields | field value...]
//                 or, when its fields are the master's (flag 2), value...
//                 then lp-count (elements of the entry before it)
//
// IDs are stored as differences from the node's master ID (its map key, the
// first ID added to the node). A deleted entry keeps its place with flag 1
// until its whole node is empty. The stream also holds its consumer groups:
// each has a pending entries list (PEL) of delivered, unacknowledged IDs, and
// consumers that own part of it.
#pragma once
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/encodings/listpack.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

struct stream_id {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const stream_id&) const = default;
  bool is_zero() const { return ms == 0 && seq == 0; }
  static stream_id max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next ID; false at the last possible one.
  bool increment() {
    if (seq == UINT64_MAX) {
      if (ms == UINT64_MAX) return false;
      ++ms;
      seq = 0;
    } else {
      ++seq;
    }
    return true;
  }
  bool decrement() {
    if (seq == 0) {
      if (ms == 0) return false;
      --ms;
      seq = UINT64_MAX;
    } else {
      --seq;
    }
    return true;
  }
  std::string str() const { return std::to_string(ms) + "-" + std::to_string(seq); }
  // The 16 big-endian bytes Redis keys nodes and PEL entries with (RDB).
  void encode(unsigned char* out) const;
  static stream_id decode(const unsigned char* in);
};

struct stream_consumer;
struct stream_nack {
  int64_t delivery_time = 0;
  uint64_t delivery_count = 1;
  stream_consumer* consumer = nullptr;
};
struct stream_consumer {
  std::string name;
  int64_t seen_time = 0;
  std::map<stream_id, stream_nack*> pel;  // points into its group's PEL
};
inline constexpr int64_t invalid_entries_read = -1;
struct stream_group {
  stream_id last_id;
  int64_t entries_read = 0;  // invalid_entries_read when unknown
  std::map<stream_id, stream_nack> pel;
  std::map<std::string, std::unique_ptr<stream_consumer>, std::less<>> consumers;

  stream_consumer* find_consumer(std::string_view name) const {
    auto it = consumers.find(name);
    return it == consumers.end() ? nullptr : it->second.get();
  }
  stream_consumer* create_consumer(std::string_view name, int64_t now);
  // Removes a consumer and its pending entries; returns how many it had.
  size_t delete_consumer(std::string_view name);
};

// One entry as read from a node; fields stay valid until the stream changes.
struct stream_entry {
  stream_id id;
  int64_t num_fields = 0;
  unsigned char* lp = nullptr;
  unsigned char* master_fields = nullptr;  // the master's first field
  unsigned char* fields = nullptr;         // first field, or first value (same fields)
  bool same_fields = false;

  // f(field, value) for each field in order.
  template <class F>
  void for_each_field(F&& f) const {
    char fb[24], vb[24];
    unsigned char* mf = master_fields;
    unsigned char* p = fields;
    for (int64_t i = 0; i < num_fields; ++i) {
      if (same_fields) {
        std::string_view field = lp::get(mf).view(fb);
        std::string_view value = lp::get(p).view(vb);
        f(field, value);
        mf = lp::next(lp, mf);
        p = lp::next(lp, p);
      } else {
        unsigned char* v = lp::next(lp, p);
        std::string_view field = lp::get(p).view(fb);
        std::string_view value = lp::get(v).view(vb);
        f(field, value);
        p = lp::next(lp, v);
      }
    }
  }
};

struct stream_node_limits {
  size_t max_bytes = 4096;    // 0: no limit
  int64_t max_entries = 100;  // 0: no limit
};

enum class trim_strategy : uint8_t { none, maxlen, minid };
struct trim_spec {
  trim_strategy strategy = trim_strategy::none;
  bool approx = false;
  int64_t limit = 0;  // 0: unlimited
  uint64_t maxlen = 0;
  stream_id minid;
};

class stream {
 public:
  stream() = default;
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  ~stream();

  std::map<stream_id, unsigned char*> nodes;  // master ID -> listpack
  uint64_t length = 0;
  stream_id last_id;
  stream_id first_id;
  stream_id max_deleted_id;
  uint64_t entries_added = 0;
  std::map<std::string, std::unique_ptr<stream_group>, std::less<>> groups;

  // Appends an entry with an ID greater than last_id; fields as pairs. Does not
  // touch last_id / entries_added (the caller decides, as XADD does).
  void append(stream_id id,
              const std::vector<std::pair<std::string_view, std::string_view>>& fields,
              const stream_node_limits& lim);

  // Walks live entries in [start, end], forward or backward, while f(entry)
  // returns true.
  template <class F>
  void range(stream_id start, stream_id end, bool rev, F&& f) const;

  bool exists(stream_id id) const;
  // Deletes one entry (XDEL's work, without the first/max-deleted bookkeeping).
  bool remove(stream_id id);
  // XTRIM / XADD's trimming; returns the number of entries removed.
  int64_t trim(const trim_spec& t);
  // First or last live entry's ID; false when empty.
  bool edge_id(bool first, stream_id& out) const;
  // Recomputes first_id from the entries (0-0 when empty).
  void refresh_first_id();

  stream_group* find_group(std::string_view name) const {
    auto it = groups.find(name);
    return it == groups.end() ? nullptr : it->second.get();
  }
  stream_group* create_group(std::string_view name, stream_id id, int64_t entries_read);

  // Redis's lag helpers (XINFO, XREADGROUP's entries_read bookkeeping).
  bool range_has_tombstones(stream_id start, stream_id end) const;
  int64_t estimate_distance_from_first_ever(stream_id id) const;
  // The consumer group's lag, or -1 when it cannot be known.
  int64_t group_lag(const stream_group& g) const;

  // Bytes used by nodes and groups (MEMORY USAGE).
  size_t memory() const;
  std::unique_ptr<stream> clone() const;

 private:
  // Walks one node's entries in order; f(entry, flags_pos, flags) returns false to stop.
  template <class F>
  static bool walk_node(unsigned char* lp, stream_id master, F&& f);
};

// -- node parsing --------------------------------------------------------------

struct stream_node_header {
  int64_t count = 0, deleted = 0, master_fields = 0;
  unsigned char* master_field_pos = nullptr;  // first master field
  unsigned char* first_entry = nullptr;       // flags of the first entry, or nullptr
};
stream_node_header read_node_header(unsigned char* lp);
// Reads the entry whose flags are at p; returns the position after it.
unsigned char* read_node_entry(unsigned char* lp, const stream_node_header& h, stream_id master,
                               unsigned char* p, stream_entry& out, int64_t& flags);
inline constexpr int64_t stream_flag_deleted = 1;
inline constexpr int64_t stream_flag_same_fields = 2;

template <class F>
bool stream::walk_node(unsigned char* lp, stream_id master, F&& f) {
  stream_node_header h = read_node_header(lp);
  for (unsigned char* p = h.first_entry; p != nullptr;) {
    stream_entry e;
    int64_t flags;
    unsigned char* flags_pos = p;
    p = read_node_entry(lp, h, master, p, e, flags);
    if (!f(e, flags_pos, flags)) return false;
  }
  return true;
}

template <class F>
void stream::range(stream_id start, stream_id end, bool rev, F&& f) const {
  if (start > end || nodes.empty()) return;
  if (!rev) {
    auto it = nodes.upper_bound(start);
    if (it != nodes.begin()) --it;
    for (; it != nodes.end() && it->first <= end; ++it) {
      bool go =
          walk_node(it->second, it->first, [&](const stream_entry& e, unsigned char*, int64_t fl) {
            if (fl & stream_flag_deleted) return true;
            if (e.id < start) return true;
            if (e.id > end) return false;
            return bool(f(e));
          });
      if (!go) return;
    }
    return;
  }
  auto it = nodes.upper_bound(end);
  std::vector<stream_entry> batch;
  while (it != nodes.begin()) {
    --it;
    batch.clear();
    walk_node(it->second, it->first, [&](const stream_entry& e, unsigned char*, int64_t fl) {
      if (!(fl & stream_flag_deleted) && e.id >= start && e.id <= end) batch.push_back(e);
      return e.id <= end;
    });
    for (auto b = batch.rbegin(); b != batch.rend(); ++b)
      if (!f(*b)) return;
    if (it->first <= start) return;
  }
}

// A new, empty stream value at key.
kv_entry* make_stream_entry(std::string_view key, bool with_expire, std::unique_ptr<stream> s = {});
inline stream& stream_of(const kv_entry* e) {
  return *static_cast<stream*>(e->object());
}
void destroy_stream(void* obj, value_encoding enc);
void* copy_stream(const void* obj, value_encoding enc);

}  // namespace troupe
