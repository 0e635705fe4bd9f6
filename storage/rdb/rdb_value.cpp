#include "storage/rdb/rdb_value.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "storage/dispatch/server_services.hpp"
#include "storage/encodings/intset.hpp"
#include "storage/encodings/listpack.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/encodings/skiplist.hpp"
#include "storage/encodings/str_table.hpp"
#include "storage/rdb/rdb_blobs.hpp"
#include "storage/rdb/rdb_decode_support.hpp"
#include "storage/rdb/rdb_format.hpp"
#include "storage/rdb/rdb_listpack.hpp"
#include "storage/rdb/rdb_stream.hpp"

namespace troupe {
namespace {

struct entry_deleter {
  void operator()(kv_entry* e) const { destroy_entry(e); }
};
using entry_ptr = std::unique_ptr<kv_entry, entry_deleter>;

using rdb_decode::bytes_of;
using rdb_decode::fail;
using rdb_decode::lp_ptr;

// A heap copy of a blob, for adopting it as a listpack or intset.
unsigned char* malloc_copy(std::string_view s) {
  auto* p = static_cast<unsigned char*>(malloc(s.size()));
  if (p == nullptr) throw std::bad_alloc();
  memcpy(p, s.data(), s.size());
  return p;
}

// Room to reserve for n announced elements: corrupt input may announce billions.
size_t reserve_hint(uint64_t n) {
  return n < 65536 ? size_t(n) : 65536;
}

using pair_list = std::vector<std::pair<std::string, std::string>>;
using scored_list = std::vector<std::pair<std::string, double>>;

// A score as a listpack or ziplist stores it: an integer or the text of a double.
bool parse_score(std::string_view s, double& d) {
  if (s.empty() || s.size() > 127) return false;
  char buf[128];
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end;
  d = strtod(buf, &end);
  return end == buf + s.size() && !std::isnan(d);
}

void check_unique(std::unordered_set<std::string_view>& seen, std::string_view s,
                  const char* what) {
  if (!seen.insert(s).second) fail(std::string("duplicate ") + what + " detected");
}

// -- strings ------------------------------------------------------------------

kv_entry* read_string(rdb_reader& r, std::string_view key, bool with_expire) {
  return make_string_entry(key, r.string(), with_expire);
}

// -- lists --------------------------------------------------------------------

kv_entry* read_list(rdb_reader& r, uint8_t type, std::string_view key, bool with_expire,
                    const rdb_load_limits& lim) {
  entry_ptr e(make_object_entry(key, value_type::list, value_encoding::quicklist,
                                new quicklist(lim.list_max_listpack_size), with_expire));
  auto* q = static_cast<quicklist*>(e->object());
  std::string err;
  auto push = [q](std::string_view s) { q->push_back(s); };
  auto ziplist = [&](std::string_view blob) {
    if (!rdb::walk_ziplist(bytes_of(blob), blob.size(), push, err)) fail(err);
  };
  switch (type) {
    case rdb::type_list: {
      uint64_t n = r.length();
      for (uint64_t i = 0; i < n; ++i) q->push_back(r.string());
      break;
    }
    case rdb::type_list_ziplist:
      ziplist(r.string());
      break;
    case rdb::type_list_quicklist: {
      uint64_t n = r.length();
      for (uint64_t i = 0; i < n; ++i) ziplist(r.string());
      break;
    }
    case rdb::type_list_quicklist_2: {
      uint64_t n = r.length();
      char buf[24];
      for (uint64_t i = 0; i < n; ++i) {
        uint64_t container = r.length();
        std::string_view blob = r.string();
        if (container == rdb::node_plain) {
          q->push_back(blob);
        } else if (container == rdb::node_packed) {
          rdb::listpack_info info;
          if (!rdb::check_listpack(bytes_of(blob), blob.size(), info, err)) fail(err);
          rdb::for_each_listpack_entry(bytes_of(blob),
                                       [&](const lp::value& v) { q->push_back(v.view(buf)); });
        } else {
          fail("quicklist node has an unknown container " + std::to_string(container));
        }
      }
      break;
    }
  }
  if (q->size() == 0) return nullptr;
  return e.release();
}

// -- sets ---------------------------------------------------------------------

void add_member(blob_table* t, std::string_view m) {
  uint64_t h = blob_table::hash(m);
  if (t->locate(m, h) != nullptr) fail("duplicate set members detected");
  t->insert(blob_node::make(m), h);
}

kv_entry* new_set_table(std::string_view key, bool with_expire, size_t hint) {
  auto* t = new blob_table;
  t->reserve(hint);
  return make_object_entry(key, value_type::set, value_encoding::hashtable, t, with_expire);
}

kv_entry* read_set(rdb_reader& r, std::string_view key, bool with_expire,
                   const rdb_load_limits& lim) {
  uint64_t n = r.length();
  if (n == 0) return nullptr;
  if (n <= lim.set_max_intset_entries) {
    std::vector<std::string> members;
    members.reserve(reserve_hint(n));
    bool all_ints = true;
    for (uint64_t i = 0; i < n; ++i) {
      members.emplace_back(r.string());
      int64_t v;
      if (all_ints && !lp::string_to_int(members.back(), v)) all_ints = false;
    }
    if (all_ints) {
      unsigned char* s = is::create();
      entry_ptr e(make_object_entry(key, value_type::set, value_encoding::intset, s, with_expire));
      for (auto& m : members) {
        int64_t v;
        lp::string_to_int(m, v);
        bool added = is::add(s, v);
        e->set_object(s);
        if (!added) fail("duplicate set members detected");
      }
      return e.release();
    }
    entry_ptr e(new_set_table(key, with_expire, members.size()));
    auto* t = static_cast<blob_table*>(e->object());
    for (auto& m : members) add_member(t, m);
    return e.release();
  }
  entry_ptr e(new_set_table(key, with_expire, reserve_hint(n)));
  auto* t = static_cast<blob_table*>(e->object());
  for (uint64_t i = 0; i < n; ++i) add_member(t, r.string());
  return e.release();
}

kv_entry* read_intset(rdb_reader& r, std::string_view key, bool with_expire,
                      const rdb_load_limits& lim) {
  std::string_view blob = r.string();
  size_t count;
  std::string err;
  if (!rdb::check_intset(bytes_of(blob), blob.size(), count, err)) fail(err);
  if (count == 0) return nullptr;
  if (count <= lim.set_max_intset_entries)
    return make_object_entry(key, value_type::set, value_encoding::intset, malloc_copy(blob),
                             with_expire);
  entry_ptr e(new_set_table(key, with_expire, count));
  auto* t = static_cast<blob_table*>(e->object());
  char buf[24];
  for (size_t i = 0; i < count; ++i) {
    lp::value v;
    v.num = is::get(bytes_of(blob), i);
    add_member(t, v.view(buf));
  }
  return e.release();
}

// -- hashes -------------------------------------------------------------------

void add_field(blob_table* t, std::string_view f, std::string_view v) {
  uint64_t h = blob_table::hash(f);
  if (t->locate(f, h) != nullptr) fail("duplicate hash fields detected");
  t->insert(blob_node::make(f, v), h);
}

kv_entry* new_hash_table(std::string_view key, bool with_expire, size_t hint) {
  auto* t = new blob_table;
  t->reserve(hint);
  return make_object_entry(key, value_type::hash, value_encoding::hashtable, t, with_expire);
}

// A hash from its fields and values, in the encoding the limits call for.
kv_entry* hash_from_pairs(std::string_view key, bool with_expire, const pair_list& items,
                          const rdb_load_limits& lim) {
  if (items.empty()) return nullptr;
  bool small = items.size() <= lim.hash.max_entries;
  for (size_t i = 0; small && i < items.size(); ++i)
    small =
        items[i].first.size() <= lim.hash.max_value && items[i].second.size() <= lim.hash.max_value;
  if (!small) {
    entry_ptr e(new_hash_table(key, with_expire, items.size()));
    auto* t = static_cast<blob_table*>(e->object());
    for (auto& [f, v] : items) add_field(t, f, v);
    return e.release();
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  lp_ptr l(lp::create());
  for (auto& [f, v] : items) {
    check_unique(seen, f, "hash fields");
    unsigned char* p = l.release();
    lp::append(p, f);
    lp::append(p, v);
    l.reset(p);
  }
  return make_object_entry(key, value_type::hash, value_encoding::listpack, l.release(),
                           with_expire);
}

kv_entry* read_hash(rdb_reader& r, std::string_view key, bool with_expire,
                    const rdb_load_limits& lim) {
  uint64_t n = r.length();
  if (n == 0) return nullptr;
  if (n <= lim.hash.max_entries) {
    pair_list items;
    items.reserve(reserve_hint(n));
    for (uint64_t i = 0; i < n; ++i) {
      items.emplace_back();
      r.string(items.back().first);
      r.string(items.back().second);
    }
    return hash_from_pairs(key, with_expire, items, lim);
  }
  entry_ptr e(new_hash_table(key, with_expire, reserve_hint(n)));
  auto* t = static_cast<blob_table*>(e->object());
  std::string field;
  for (uint64_t i = 0; i < n; ++i) {
    r.string(field);
    add_field(t, field, r.string());
  }
  return e.release();
}

// The elements of a ziplist as text (hashes and sorted sets of older versions).
std::vector<std::string> ziplist_elements(std::string_view blob) {
  std::vector<std::string> out;
  std::string err;
  if (!rdb::walk_ziplist(
          bytes_of(blob), blob.size(), [&](std::string_view s) { out.emplace_back(s); }, err))
    fail(err);
  return out;
}

kv_entry* read_hash_zipmap(rdb_reader& r, std::string_view key, bool with_expire,
                           const rdb_load_limits& lim) {
  std::string_view blob = r.string();
  pair_list items;
  std::string err;
  if (!rdb::walk_zipmap(
          bytes_of(blob), blob.size(),
          [&](std::string_view f, std::string_view v) { items.emplace_back(f, v); }, err))
    fail(err);
  return hash_from_pairs(key, with_expire, items, lim);
}

kv_entry* read_hash_ziplist(rdb_reader& r, std::string_view key, bool with_expire,
                            const rdb_load_limits& lim) {
  std::vector<std::string> el = ziplist_elements(r.string());
  if (el.size() % 2 != 0) fail("hash ziplist has an odd number of elements");
  pair_list items;
  items.reserve(el.size() / 2);
  for (size_t i = 0; i < el.size(); i += 2)
    items.emplace_back(std::move(el[i]), std::move(el[i + 1]));
  return hash_from_pairs(key, with_expire, items, lim);
}

// Reads a listpack of (field or member, value or score) pairs and checks it.
std::string_view read_pair_listpack(rdb_reader& r, const char* type, rdb::listpack_info& info) {
  std::string_view blob = r.string();
  std::string err;
  if (!rdb::check_listpack(bytes_of(blob), blob.size(), info, err)) fail(err);
  if (info.count % 2 != 0) fail(std::string(type) + " listpack has an odd number of elements");
  return blob;
}

kv_entry* read_hash_listpack(rdb_reader& r, std::string_view key, bool with_expire,
                             const rdb_load_limits& lim) {
  rdb::listpack_info info;
  std::string_view blob = read_pair_listpack(r, "hash", info);
  if (info.count == 0) return nullptr;
  // Fields as text, to look for duplicates (integers need formatting).
  std::vector<std::string> fields;
  fields.reserve(info.count / 2);
  std::vector<lp::value> values;
  values.reserve(info.count / 2);
  size_t i = 0;
  char buf[24];
  rdb::for_each_listpack_entry(bytes_of(blob), [&](const lp::value& v) {
    if (i++ % 2 == 0)
      fields.emplace_back(v.view(buf));
    else
      values.push_back(v);
  });
  if (info.count / 2 > lim.hash.max_entries || info.longest > lim.hash.max_value) {
    entry_ptr e(new_hash_table(key, with_expire, fields.size()));
    auto* t = static_cast<blob_table*>(e->object());
    for (size_t k = 0; k < fields.size(); ++k) add_field(t, fields[k], values[k].view(buf));
    return e.release();
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(fields.size());
  for (auto& f : fields) check_unique(seen, f, "hash fields");
  return make_object_entry(key, value_type::hash, value_encoding::listpack,
                           rdb::adopt_listpack(blob, info), with_expire);
}

// -- sorted sets --------------------------------------------------------------

kv_entry* new_zset_big(std::string_view key, bool with_expire) {
  return make_object_entry(key, value_type::zset, value_encoding::skiplist, new zset_big,
                           with_expire);
}

void add_scored(zset_big* z, std::string_view m, double score) {
  if (z->find(m) != nullptr) fail("duplicate zset members detected");
  z->insert(score, m);
}

// A sorted set from its members and scores, in the encoding the limits call for.
kv_entry* zset_from_pairs(std::string_view key, bool with_expire, scored_list& items,
                          const rdb_load_limits& lim) {
  if (items.empty()) return nullptr;
  bool small = items.size() <= lim.zset.max_entries;
  for (size_t i = 0; small && i < items.size(); ++i)
    small = items[i].first.size() <= lim.zset.max_value;
  if (!small) {
    entry_ptr e(new_zset_big(key, with_expire));
    auto* z = static_cast<zset_big*>(e->object());
    z->dict.reserve(items.size());
    for (auto& [m, s] : items) add_scored(z, m, s);
    return e.release();
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  for (auto& it : items) check_unique(seen, it.first, "zset members");
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && compare_members(a.first, b.first) < 0);
  });
  lp_ptr l(lp::create());
  for (auto& [m, s] : items) {
    unsigned char* p = l.release();
    lp::append(p, m);
    lp::append(p, score_to_string(s));
    l.reset(p);
  }
  return make_object_entry(key, value_type::zset, value_encoding::listpack, l.release(),
                           with_expire);
}

kv_entry* read_zset(rdb_reader& r, uint8_t type, std::string_view key, bool with_expire,
                    const rdb_load_limits& lim) {
  uint64_t n = r.length();
  if (n == 0) return nullptr;
  auto score = [&] {
    double d = type == rdb::type_zset_2 ? r.binary_double() : r.text_double();
    if (std::isnan(d)) fail("zset with NaN score detected");
    return d;
  };
  if (n <= lim.zset.max_entries) {
    scored_list items;
    items.reserve(reserve_hint(n));
    for (uint64_t i = 0; i < n; ++i) {
      items.emplace_back();
      r.string(items.back().first);
      items.back().second = score();
    }
    return zset_from_pairs(key, with_expire, items, lim);
  }
  entry_ptr e(new_zset_big(key, with_expire));
  auto* z = static_cast<zset_big*>(e->object());
  z->dict.reserve(reserve_hint(n));
  std::string member;
  for (uint64_t i = 0; i < n; ++i) {
    r.string(member);
    add_scored(z, member, score());
  }
  return e.release();
}

kv_entry* read_zset_ziplist(rdb_reader& r, std::string_view key, bool with_expire,
                            const rdb_load_limits& lim) {
  std::vector<std::string> el = ziplist_elements(r.string());
  if (el.size() % 2 != 0) fail("zset ziplist has an odd number of elements");
  scored_list items;
  items.reserve(el.size() / 2);
  for (size_t i = 0; i < el.size(); i += 2) {
    double d;
    if (!parse_score(el[i + 1], d)) fail("zset ziplist has an invalid score");
    items.emplace_back(std::move(el[i]), d);
  }
  return zset_from_pairs(key, with_expire, items, lim);
}

kv_entry* read_zset_listpack(rdb_reader& r, std::string_view key, bool with_expire,
                             const rdb_load_limits& lim) {
  rdb::listpack_info info;
  std::string_view blob = read_pair_listpack(r, "zset", info);
  if (info.count == 0) return nullptr;
  scored_list items;
  items.reserve(info.count / 2);
  size_t i = 0, longest = 0;
  char buf[24];
  rdb::for_each_listpack_entry(bytes_of(blob), [&](const lp::value& v) {
    std::string_view s = v.view(buf);
    if (i++ % 2 == 0) {
      items.emplace_back(std::string(s), 0.0);
      if (s.size() > longest) longest = s.size();
    } else if (!parse_score(s, items.back().second)) {
      fail("zset listpack has an invalid score");
    }
  });
  // A member twice would be found at its first score only (Redis loads such a
  // listpack unless sanitize-dump-payload is on; Troupe refuses it, as it does
  // for hashes).
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  for (auto& it : items) check_unique(seen, it.first, "zset members");
  // Troupe's listpack code relies on (score, member) order: check it.
  for (size_t k = 1; k < items.size(); ++k) {
    auto& a = items[k - 1];
    auto& b = items[k];
    if (a.second > b.second || (a.second == b.second && compare_members(a.first, b.first) >= 0))
      fail("zset listpack is not in score order");
  }
  if (items.size() > lim.zset.max_entries || longest > lim.zset.max_value)
    return zset_from_pairs(key, with_expire, items, lim);
  return make_object_entry(key, value_type::zset, value_encoding::listpack,
                           rdb::adopt_listpack(blob, info), with_expire);
}

}  // namespace

rdb_load_limits load_limits_of(const server_config& s) {
  rdb_load_limits l;
  l.hash = {size_t(s.hash_max_listpack_entries.get()), size_t(s.hash_max_listpack_value.get())};
  l.zset = {size_t(s.zset_max_listpack_entries.get()), size_t(s.zset_max_listpack_value.get())};
  int64_t is = s.set_max_intset_entries.get();
  l.set_max_intset_entries = is > (1 << 30) ? size_t(1) << 30 : size_t(is);
  l.list_max_listpack_size = int(s.list_max_listpack_size.get());
  return l;
}

kv_entry* read_rdb_value(rdb_reader& r, uint8_t type, std::string_view key, bool with_expire,
                         const rdb_load_limits& lim) {
  switch (type) {
    case rdb::type_string:
      return read_string(r, key, with_expire);
    case rdb::type_list:
    case rdb::type_list_ziplist:
    case rdb::type_list_quicklist:
    case rdb::type_list_quicklist_2:
      return read_list(r, type, key, with_expire, lim);
    case rdb::type_set:
      return read_set(r, key, with_expire, lim);
    case rdb::type_set_intset:
      return read_intset(r, key, with_expire, lim);
    case rdb::type_hash:
      return read_hash(r, key, with_expire, lim);
    case rdb::type_hash_zipmap:
      return read_hash_zipmap(r, key, with_expire, lim);
    case rdb::type_hash_ziplist:
      return read_hash_ziplist(r, key, with_expire, lim);
    case rdb::type_hash_listpack:
      return read_hash_listpack(r, key, with_expire, lim);
    case rdb::type_zset:
    case rdb::type_zset_2:
      return read_zset(r, type, key, with_expire, lim);
    case rdb::type_zset_ziplist:
      return read_zset_ziplist(r, key, with_expire, lim);
    case rdb::type_zset_listpack:
      return read_zset_listpack(r, key, with_expire, lim);
    case rdb::type_stream_listpacks:
    case rdb::type_stream_listpacks_2:
      return read_rdb_stream(r, type, key, with_expire);
    case rdb::type_module_pre_ga:
    case rdb::type_module_2:
      fail("module type not supported (RDB type " + std::to_string(type) + ")");
  }
  fail("unknown RDB value type " + std::to_string(type));
}

}  // namespace troupe
