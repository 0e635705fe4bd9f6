#include "storage/types/stream_type.hpp"

#include <malloc.h>

#include <string>

namespace troupe {

namespace {

int64_t int_at(const unsigned char* p) {
  int64_t v = 0;
  lp::get(p).as_int(v);
  return v;
}

// Sets the integer entry at p (the block may move); returns its new position.
unsigned char* set_int_at(unsigned char*& l, unsigned char* p, int64_t v) {
  return lp::replace(l, p, std::to_string(v));
}

constexpr size_t listpack_max_size = size_t(1) << 30;
constexpr size_t map_node_overhead = 64;  // an rb-tree node with its key and value

}  // namespace

void stream_id::encode(unsigned char* out) const {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(ms >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) out[8 + i] = static_cast<unsigned char>(seq >> (56 - 8 * i));
}

stream_id stream_id::decode(const unsigned char* in) {
  stream_id id;
  for (int i = 0; i < 8; ++i) id.ms = (id.ms << 8) | in[i];
  for (int i = 0; i < 8; ++i) id.seq = (id.seq << 8) | in[8 + i];
  return id;
}

stream_node_header read_node_header(unsigned char* l) {
  stream_node_header h;
  unsigned char* p = lp::first(l);
  h.count = int_at(p);
  p = lp::next(l, p);
  h.deleted = int_at(p);
  p = lp::next(l, p);
  h.master_fields = int_at(p);
  p = lp::next(l, p);
  h.master_field_pos = p;
  for (int64_t i = 0; i < h.master_fields; ++i) p = lp::next(l, p);
  h.first_entry = lp::next(l, p);  // past the master entry's terminating 0
  return h;
}

unsigned char* read_node_entry(unsigned char* l, const stream_node_header& h, stream_id master,
                               unsigned char* p, stream_entry& out, int64_t& flags) {
  flags = int_at(p);
  p = lp::next(l, p);
  out.id.ms = master.ms + uint64_t(int_at(p));
  p = lp::next(l, p);
  out.id.seq = master.seq + uint64_t(int_at(p));
  p = lp::next(l, p);
  out.lp = l;
  out.master_fields = h.master_field_pos;
  out.same_fields = flags & stream_flag_same_fields;
  int64_t skip;
  if (out.same_fields) {
    out.num_fields = h.master_fields;
    skip = h.master_fields;
  } else {
    out.num_fields = int_at(p);
    p = lp::next(l, p);
    skip = out.num_fields * 2;
  }
  out.fields = p;
  for (int64_t i = 0; i < skip; ++i) p = lp::next(l, p);
  return lp::next(l, p);  // past lp-count
}

stream::~stream() {
  for (auto& [id, l] : nodes) lp::destroy(l);
}

void stream::append(stream_id id,
                    const std::vector<std::pair<std::string_view, std::string_view>>& fields,
                    const stream_node_limits& lim) {
  size_t element_bytes = 0;
  for (auto& [f, v] : fields) element_bytes += f.size() + v.size();
  unsigned char* l = nullptr;
  stream_id master;
  if (!nodes.empty()) {
    auto last = std::prev(nodes.end());
    l = last->second;
    master = last->first;
    size_t max_bytes = lim.max_bytes;
    if (max_bytes == 0 || max_bytes > listpack_max_size) max_bytes = listpack_max_size;
    if (lp::bytes(l) + element_bytes >= max_bytes) {
      l = nullptr;
    } else if (lim.max_entries > 0) {
      stream_node_header h = read_node_header(l);
      if (h.count + h.deleted >= lim.max_entries) l = nullptr;
    }
  }
  if (l == nullptr) {
    // A new node whose master entry carries this entry's fields.
    l = lp::create();
    lp::append_int(l, 1);
    lp::append_int(l, 0);
    lp::append_int(l, int64_t(fields.size()));
    for (auto& [f, v] : fields) lp::append(l, f);
    lp::append_int(l, 0);
    master = id;
    nodes.emplace(id, l);
  } else {
    unsigned char* p = lp::first(l);
    set_int_at(l, p, int_at(p) + 1);
  }
  stream_node_header h = read_node_header(l);
  bool same = h.master_fields == int64_t(fields.size());
  if (same) {
    unsigned char* mf = h.master_field_pos;
    for (auto& [f, v] : fields) {
      if (!lp::get(mf).equals(f)) {
        same = false;
        break;
      }
      mf = lp::next(l, mf);
    }
  }
  lp::append_int(l, same ? stream_flag_same_fields : 0);
  lp::append_int(l, int64_t(id.ms - master.ms));
  lp::append_int(l, int64_t(id.seq - master.seq));
  if (!same) lp::append_int(l, int64_t(fields.size()));
  for (auto& [f, v] : fields) {
    if (!same) lp::append(l, f);
    lp::append(l, v);
  }
  int64_t lp_count = int64_t(fields.size()) + 3;
  if (!same) lp_count += int64_t(fields.size()) + 1;
  lp::append_int(l, lp_count);
  nodes[master] = l;
  ++length;
}

bool stream::exists(stream_id id) const {
  bool found = false;
  range(id, id, false, [&](const stream_entry&) {
    found = true;
    return false;
  });
  return found;
}

bool stream::remove(stream_id id) {
  auto it = nodes.upper_bound(id);
  if (it == nodes.begin()) return false;
  --it;
  unsigned char* l = it->second;
  unsigned char* target = nullptr;
  int64_t target_flags = 0;
  walk_node(l, it->first, [&](const stream_entry& e, unsigned char* flags_pos, int64_t fl) {
    if (e.id == id && !(fl & stream_flag_deleted)) {
      target = flags_pos;
      target_flags = fl;
      return false;
    }
    return e.id < id;
  });
  if (target == nullptr) return false;
  --length;
  unsigned char* p = lp::first(l);
  int64_t count = int_at(p);
  if (count <= 1) {
    lp::destroy(l);
    nodes.erase(it);
    return true;
  }
  set_int_at(l, target, target_flags | stream_flag_deleted);
  p = lp::first(l);
  p = set_int_at(l, p, count - 1);
  p = lp::next(l, p);
  set_int_at(l, p, int_at(p) + 1);
  it->second = l;
  return true;
}

int64_t stream::trim(const trim_spec& t) {
  if (t.strategy == trim_strategy::none) return 0;
  int64_t removed = 0;
  for (auto it = nodes.begin(); it != nodes.end();) {
    if (t.strategy == trim_strategy::maxlen && length <= t.maxlen) break;
    unsigned char* l = it->second;
    stream_node_header h = read_node_header(l);
    if (t.limit > 0 && removed + h.count > t.limit) break;
    bool whole;
    if (t.strategy == trim_strategy::maxlen) {
      whole = length - uint64_t(h.count) >= t.maxlen;
    } else {
      // The node's last ID (live or not) is below MINID.
      stream_id last = it->first;
      walk_node(l, it->first, [&](const stream_entry& e, unsigned char*, int64_t) {
        last = e.id;
        return true;
      });
      whole = last < t.minid;
    }
    if (whole) {
      lp::destroy(l);
      it = nodes.erase(it);
      length -= uint64_t(h.count);
      removed += h.count;
      continue;
    }
    if (t.approx) break;
    // Mark entries deleted from the front of this node, then stop: the rest
    // of the stream is past the threshold.
    std::vector<std::pair<size_t, int64_t>> marks;  // flags offset, flags
    walk_node(l, it->first, [&](const stream_entry& e, unsigned char* flags_pos, int64_t fl) {
      bool stop =
          t.strategy == trim_strategy::maxlen ? length - marks.size() <= t.maxlen : e.id >= t.minid;
      if (stop) return false;
      if (!(fl & stream_flag_deleted)) marks.emplace_back(size_t(flags_pos - l), fl);
      return true;
    });
    for (auto& [off, fl] : marks) set_int_at(l, l + off, fl | stream_flag_deleted);
    int64_t n = int64_t(marks.size());
    if (n > 0) {
      unsigned char* p = lp::first(l);
      p = set_int_at(l, p, h.count - n);
      p = lp::next(l, p);
      set_int_at(l, p, h.deleted + n);
      it->second = l;
    }
    length -= uint64_t(n);
    removed += n;
    break;
  }
  return removed;
}

bool stream::edge_id(bool first, stream_id& out) const {
  bool found = false;
  range({}, stream_id::max(), !first, [&](const stream_entry& e) {
    out = e.id;
    found = true;
    return false;
  });
  return found;
}

void stream::refresh_first_id() {
  if (!edge_id(true, first_id)) first_id = {};
}

stream_consumer* stream_group::create_consumer(std::string_view name, int64_t now) {
  auto c = std::make_unique<stream_consumer>();
  c->name = std::string(name);
  c->seen_time = now;
  stream_consumer* raw = c.get();
  consumers.emplace(c->name, std::move(c));
  return raw;
}

size_t stream_group::delete_consumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return 0;
  size_t pending = it->second->pel.size();
  for (auto& [id, nack] : it->second->pel) pel.erase(id);
  consumers.erase(it);
  return pending;
}

stream_group* stream::create_group(std::string_view name, stream_id id, int64_t entries_read) {
  if (groups.count(name)) return nullptr;
  auto g = std::make_unique<stream_group>();
  g->last_id = id;
  g->entries_read = entries_read;
  stream_group* raw = g.get();
  groups.emplace(std::string(name), std::move(g));
  return raw;
}

bool stream::range_has_tombstones(stream_id start, stream_id end) const {
  if (length == 0 || max_deleted_id.is_zero()) return false;
  if (first_id > max_deleted_id) return false;
  return start <= max_deleted_id && max_deleted_id <= end;
}

int64_t stream::estimate_distance_from_first_ever(stream_id id) const {
  if (entries_added == 0) return 0;
  if (length == 0 && id <= last_id) return int64_t(entries_added);
  if (id == last_id) return int64_t(entries_added);
  if (id > last_id) return invalid_entries_read;
  if (max_deleted_id.is_zero() || max_deleted_id < first_id) {
    if (id < first_id) return int64_t(entries_added - length);
    if (id == first_id) return int64_t(entries_added - length + 1);
  }
  return invalid_entries_read;
}

int64_t stream::group_lag(const stream_group& g) const {
  if (entries_added == 0) return 0;
  if (g.entries_read != invalid_entries_read && !range_has_tombstones(g.last_id, stream_id::max()))
    return int64_t(entries_added) - g.entries_read;
  int64_t read = estimate_distance_from_first_ever(g.last_id);
  if (read == invalid_entries_read) return -1;
  return int64_t(entries_added) - read;
}

size_t stream::memory() const {
  size_t total = sizeof(stream);
  for (auto& [id, l] : nodes) total += map_node_overhead + malloc_usable_size(l);
  for (auto& [name, g] : groups) {
    total += map_node_overhead + sizeof(stream_group) + name.size();
    total += g->pel.size() * (map_node_overhead + sizeof(stream_nack));
    for (auto& [cname, c] : g->consumers)
      total += map_node_overhead + sizeof(stream_consumer) + cname.size() +
               c->pel.size() * map_node_overhead;
  }
  return total;
}

std::unique_ptr<stream> stream::clone() const {
  auto s = std::make_unique<stream>();
  for (auto& [id, l] : nodes) s->nodes.emplace(id, lp::copy(l));
  s->length = length;
  s->last_id = last_id;
  s->first_id = first_id;
  s->max_deleted_id = max_deleted_id;
  s->entries_added = entries_added;
  for (auto& [name, g] : groups) {
    stream_group* ng = s->create_group(name, g->last_id, g->entries_read);
    for (auto& [cname, c] : g->consumers) {
      stream_consumer* nc = ng->create_consumer(cname, c->seen_time);
      for (auto& [id, nack] : c->pel) {
        stream_nack& n = ng->pel[id];
        n = *nack;
        n.consumer = nc;
        nc->pel.emplace(id, &n);
      }
    }
  }
  return s;
}

kv_entry* make_stream_entry(std::string_view key, bool with_expire, std::unique_ptr<stream> s) {
  if (!s) s = std::make_unique<stream>();
  kv_entry* e =
      make_object_entry(key, value_type::stream, value_encoding::stream, s.get(), with_expire);
  s.release();
  return e;
}

void destroy_stream(void* obj, value_encoding) {
  delete static_cast<stream*>(obj);
}

void* copy_stream(const void* obj, value_encoding) {
  return static_cast<const stream*>(obj)->clone().release();
}

namespace {
struct stream_type_registrar {
  stream_type_registrar() {
    register_object_destroyer(value_type::stream, destroy_stream);
    register_object_copier(value_type::stream, copy_stream);
  }
} stream_registrar;
}  // namespace

}  // namespace troupe
