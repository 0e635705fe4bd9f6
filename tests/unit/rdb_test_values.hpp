// Builds entries of every type and encoding through the storage API, and
// describes an entry's contents canonically so tests can compare values.
#pragma once
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "rdb_canonical.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/kv_entry.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/stream_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe::rdb_test {

inline kv_entry* make_str(std::string_view key, std::string_view v) {
  return make_string_entry(key, v, false);
}

inline kv_entry* make_list(std::string_view key, const std::vector<std::string>& items,
                           int fill = -2) {
  kv_entry* e = make_object_entry(key, value_type::list, value_encoding::quicklist,
                                  new quicklist(fill), false);
  auto* q = static_cast<quicklist*>(e->object());
  for (auto& s : items) q->push_back(s);
  return e;
}

inline kv_entry* make_hash(std::string_view key,
                           const std::vector<std::pair<std::string, std::string>>& items,
                           hash_limits lim = {}) {
  kv_entry* e = make_hash_entry(key, false);
  hash_ref h(e);
  for (auto& [f, v] : items) h.set(f, v, lim);
  return e;
}

inline kv_entry* make_set(std::string_view key, const std::vector<std::string>& items,
                          size_t max_intset = 512) {
  kv_entry* e = make_set_entry(key, items.empty() ? "" : items[0], false);
  set_ref s(e);
  for (auto& m : items) s.add(m, max_intset);
  return e;
}

inline kv_entry* make_zset(std::string_view key,
                           const std::vector<std::pair<std::string, double>>& items,
                           zset_limits lim = {}) {
  size_t longest = 0;
  for (auto& it : items) longest = std::max(longest, it.first.size());
  kv_entry* e = make_zset_entry(key, items.size(), longest, lim, false);
  zset_ref z(e);
  for (auto& [m, s] : items) {
    int out;
    z.add(s, m, 0, out, nullptr, lim);
  }
  return e;
}

inline std::string fmt_double(double d) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

// A stream's entries ("id f=v f=v") then its counters and groups.
inline std::vector<std::string> stream_items(const kv_entry* e) {
  const stream& s = stream_of(e);
  std::vector<std::string> items;
  s.range({}, stream_id::max(), false, [&](const stream_entry& en) {
    std::string line = en.id.str();
    en.for_each_field([&](std::string_view f, std::string_view v) {
      line += " " + std::string(f) + "=" + std::string(v);
    });
    items.push_back(line);
    return true;
  });
  items.push_back("length=" + std::to_string(s.length) + " last=" + s.last_id.str() +
                  " first=" + s.first_id.str() + " maxdel=" + s.max_deleted_id.str() +
                  " added=" + std::to_string(s.entries_added));
  for (auto& [name, g] : s.groups) {
    std::string line =
        "group " + name + " last=" + g->last_id.str() + " read=" + std::to_string(g->entries_read);
    for (auto& [id, n] : g->pel)
      line += " " + id.str() + "@" + (n.consumer ? n.consumer->name : "?") + "/" +
              std::to_string(n.delivery_time) + "/" + std::to_string(n.delivery_count);
    for (auto& [cname, c] : g->consumers)
      line += " consumer " + cname + "/" + std::to_string(c->seen_time);
    items.push_back(line);
  }
  return items;
}

// "type encoding: contents" with collections in a canonical order.
inline std::string describe(const kv_entry* e) {
  auto* m = const_cast<kv_entry*>(e);
  std::string out = std::string(type_name(e->type())) + " ";
  std::vector<std::string> parts;
  switch (e->type()) {
    case value_type::string:
      return out + "'" + std::string(e->str()) + "'";
    case value_type::list: {
      out += encoding_name(e->encoding());
      auto* q = static_cast<quicklist*>(e->object());
      char buf[24];
      for (auto it = q->begin(); it; q->next(it)) parts.emplace_back(quicklist::get(it).view(buf));
      break;
    }
    case value_type::hash:
      out += encoding_name(e->encoding());
      hash_ref(m).for_each([&](std::string_view f, std::string_view v) {
        parts.push_back(std::string(f) + "=" + std::string(v));
      });
      std::sort(parts.begin(), parts.end());
      break;
    case value_type::set:
      out += encoding_name(e->encoding());
      set_ref(m).for_each([&](std::string_view s) { parts.emplace_back(s); });
      std::sort(parts.begin(), parts.end());
      break;
    case value_type::zset:
      out += encoding_name(e->encoding());
      zset_ref(m).for_each([&](std::string_view s, double sc) {
        parts.push_back(std::string(s) + "@" + fmt_double(sc));
      });
      break;
    case value_type::stream:
      out += encoding_name(e->encoding());
      parts = stream_items(e);
      break;
    default:
      break;
  }
  out += ":";
  for (auto& p : parts) out += " [" + p + "]";
  return out;
}

// The canonical line of an entry (see rdb_canonical.hpp).
inline std::string canonical(int db, const kv_entry* e) {
  auto* m = const_cast<kv_entry*>(e);
  std::vector<std::string> items;
  std::string enc;
  switch (e->type()) {
    case value_type::string:
      enc = encoding_name(string_encoding_of(e));
      items.emplace_back(e->str());
      break;
    case value_type::list: {
      auto* q = static_cast<quicklist*>(e->object());
      char buf[24];
      for (auto it = q->begin(); it; q->next(it)) items.emplace_back(quicklist::get(it).view(buf));
      break;
    }
    case value_type::hash:
      hash_ref(m).for_each([&](std::string_view f, std::string_view v) {
        items.push_back(std::string(f) + "=" + std::string(v));
      });
      std::sort(items.begin(), items.end());
      break;
    case value_type::set:
      set_ref(m).for_each([&](std::string_view s) { items.emplace_back(s); });
      std::sort(items.begin(), items.end());
      break;
    case value_type::zset:
      zset_ref(m).for_each([&](std::string_view s, double sc) {
        items.push_back(std::string(s) + "@" + score_text(sc));
      });
      break;
    case value_type::stream:
      items = stream_items(e);
      break;
    default:
      break;
  }
  if (enc.empty()) enc = encoding_name(e->encoding());
  return canon(db, std::string(e->key()), type_name(e->type()), enc,
               e->has_expire() ? e->expire_at() : -1, items);
}

}  // namespace troupe::rdb_test
