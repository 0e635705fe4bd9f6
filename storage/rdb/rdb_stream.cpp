#include "storage/rdb/rdb_stream.hpp"

#include <cstring>
#include <memory>
#include <string>

#include "storage/rdb/rdb_decode_support.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_format.hpp"
#include "storage/rdb/rdb_listpack.hpp"
#include "storage/types/stream_type.hpp"

namespace troupe {

namespace {

using rdb_decode::bytes_of;
using rdb_decode::fail;
using rdb_decode::lp_ptr;

// Walks a node listpack checking it is a well-formed stream node whose IDs
// grow from `master`; returns its live entry count. `last` gets its last ID.
int64_t check_node(unsigned char* l, stream_id master, stream_id& last) {
  unsigned char* p = lp::first(l);
  auto next_int = [&](const char* what) {
    if (p == nullptr) fail(std::string("stream node truncated at ") + what);
    int64_t v;
    if (!lp::get(p).as_int(v)) fail(std::string("stream node: ") + what + " is not an integer");
    p = lp::next(l, p);
    return v;
  };
  int64_t count = next_int("count");
  int64_t deleted = next_int("deleted count");
  int64_t master_fields = next_int("master field count");
  if (count < 0 || deleted < 0 || master_fields < 0) fail("stream node: negative count");
  for (int64_t i = 0; i < master_fields; ++i) {
    if (p == nullptr) fail("stream node truncated in master fields");
    p = lp::next(l, p);
  }
  if (next_int("master terminator") != 0) fail("stream node: bad master entry terminator");
  int64_t live = 0, dead = 0;
  bool first = true;
  while (p != nullptr) {
    int64_t flags = next_int("flags");
    if (flags & ~(stream_flag_deleted | stream_flag_same_fields)) fail("stream node: bad flags");
    stream_id id;
    id.ms = master.ms + uint64_t(next_int("ms-diff"));
    id.seq = master.seq + uint64_t(next_int("seq-diff"));
    if (first ? id < master : id <= last) fail("stream node: IDs out of order");
    first = false;
    last = id;
    int64_t fields, expect;
    if (flags & stream_flag_same_fields) {
      fields = master_fields;
      expect = fields + 3;
    } else {
      fields = next_int("field count");
      if (fields < 0 || fields > int64_t(lp::bytes(l))) fail("stream node: bad field count");
      fields *= 2;
      expect = fields + 4;  // flags, ms, seq, num-fields, fields and values
    }
    for (int64_t i = 0; i < fields; ++i) {
      if (p == nullptr) fail("stream node truncated in an entry");
      p = lp::next(l, p);
    }
    if (next_int("lp-count") != expect) fail("stream node: bad lp-count");
    if (flags & stream_flag_deleted)
      ++dead;
    else
      ++live;
  }
  if (live != count || dead != deleted) fail("stream node: counts do not match its entries");
  if (live + dead == 0) fail("Empty listpack inside stream");
  return count;
}

stream_id read_id_pair(rdb_reader& r) {
  stream_id id;
  id.ms = r.length();
  id.seq = r.length();
  return id;
}

stream_id read_raw_id(rdb_reader& r) {
  unsigned char raw[16];
  r.bytes(raw, 16);
  return stream_id::decode(raw);
}

}  // namespace

kv_entry* read_rdb_stream(rdb_reader& r, uint8_t type, std::string_view key, bool with_expire) {
  auto s = std::make_unique<stream>();
  uint64_t nodes = r.length();
  uint64_t counted = 0;
  stream_id prev_last;
  bool any = false;
  for (uint64_t i = 0; i < nodes; ++i) {
    std::string node_key;
    r.string(node_key);
    if (node_key.size() != 16) fail("Stream node key entry is not the size of a stream ID");
    stream_id master = stream_id::decode(bytes_of(node_key));
    std::string_view blob = r.string();
    rdb::listpack_info info;
    std::string err;
    if (!rdb::check_listpack(bytes_of(blob), blob.size(), info, err)) fail(err);
    lp_ptr l(rdb::adopt_listpack(blob, info));
    stream_id last;
    int64_t live = check_node(l.get(), master, last);
    if (any && master <= prev_last) fail("stream nodes out of order");
    any = true;
    prev_last = last;
    if (!s->nodes.emplace(master, l.get()).second) fail("Listpack re-added with existing key");
    l.release();
    counted += uint64_t(live);
  }
  s->length = r.length();
  if (s->length != counted) fail("Stream length inconsistent with its nodes");
  s->last_id = read_id_pair(r);
  if (any && s->last_id < prev_last) fail("stream last ID below its last entry");
  if (type == rdb::type_stream_listpacks_2) {
    s->first_id = read_id_pair(r);
    s->max_deleted_id = read_id_pair(r);
    s->entries_added = r.length();
  } else {
    s->entries_added = s->length;
    s->refresh_first_id();
  }
  uint64_t groups = r.length();
  for (uint64_t gi = 0; gi < groups; ++gi) {
    std::string name;
    r.string(name);
    stream_id last = read_id_pair(r);
    int64_t entries_read = type == rdb::type_stream_listpacks_2
                               ? int64_t(r.length())
                               : s->estimate_distance_from_first_ever(last);
    stream_group* g = s->create_group(name, last, entries_read);
    if (g == nullptr) fail("Duplicated consumer group name " + name);
    uint64_t pel = r.length();
    for (uint64_t i = 0; i < pel; ++i) {
      stream_id id = read_raw_id(r);
      stream_nack nack;
      nack.delivery_time = int64_t(r.u64le());
      nack.delivery_count = r.length();
      if (!g->pel.emplace(id, nack).second)
        fail("Duplicated global PEL entry loading stream consumer group");
    }
    uint64_t consumers = r.length();
    for (uint64_t ci = 0; ci < consumers; ++ci) {
      std::string cname;
      r.string(cname);
      if (g->find_consumer(cname)) fail("Duplicate stream consumer detected.");
      stream_consumer* c = g->create_consumer(cname, 0);
      c->seen_time = int64_t(r.u64le());
      uint64_t owned = r.length();
      for (uint64_t i = 0; i < owned; ++i) {
        stream_id id = read_raw_id(r);
        auto it = g->pel.find(id);
        if (it == g->pel.end()) fail("Consumer entry not found in group global PEL");
        if (it->second.consumer != nullptr)
          fail("Duplicated consumer PEL entry loading a stream consumer group");
        it->second.consumer = c;
        c->pel.emplace(id, &it->second);
      }
    }
    for (auto& [id, nack] : g->pel)
      if (nack.consumer == nullptr) fail("Stream PEL entry without a consumer");
  }
  return make_stream_entry(key, with_expire, std::move(s));
}

void rdb_encoder::stream(const kv_entry* e) {
  const troupe::stream& s = stream_of(e);
  length(s.nodes.size());
  unsigned char raw[16];
  for (auto& [id, l] : s.nodes) {
    id.encode(raw);
    string(std::string_view(reinterpret_cast<const char*>(raw), 16));
    listpack_blob(l);
  }
  length(s.length);
  length(s.last_id.ms);
  length(s.last_id.seq);
  length(s.first_id.ms);
  length(s.first_id.seq);
  length(s.max_deleted_id.ms);
  length(s.max_deleted_id.seq);
  length(s.entries_added);
  length(s.groups.size());
  auto put_time = [&](int64_t t) {
    uint64_t v = uint64_t(t);
    for (int i = 0; i < 8; ++i) byte(uint8_t(v >> (8 * i)));
  };
  for (auto& [name, g] : s.groups) {
    string(name);
    length(g->last_id.ms);
    length(g->last_id.seq);
    length(uint64_t(g->entries_read));
    length(g->pel.size());
    for (auto& [id, nack] : g->pel) {
      id.encode(raw);
      out().append(reinterpret_cast<const char*>(raw), 16);
      put_time(nack.delivery_time);
      length(nack.delivery_count);
    }
    length(g->consumers.size());
    for (auto& [cname, c] : g->consumers) {
      string(cname);
      put_time(c->seen_time);
      length(c->pel.size());
      for (auto& [id, nack] : c->pel) {
        id.encode(raw);
        out().append(reinterpret_cast<const char*>(raw), 16);
      }
    }
  }
}

}  // namespace troupe
