// Shared by the RESTORE and RDB fuzz targets: what a decoded value holds,
// independent of its encoding, and a walk of the value through its own
// accessors, so a decoder that let corrupt bytes through is caught when the
// value is used, not only when it is read.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "rdb_test_values.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/rdb/rdb_value.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/kv_entry.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/stream_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe::fuzz {

// "type: items" with unordered collections sorted; no encoding. A score of -0
// counts as 0: Redis itself keeps -0 in a skiplist but stores 0 in a listpack.
inline std::string contents(const kv_entry* e) {
  if (e->type() != value_type::zset) {
    std::string d = rdb_test::describe(e);
    if (e->type() == value_type::string) return d;
    // describe() says "type encoding: items": drop the encoding.
    size_t sp = d.find(' '), colon = d.find(':');
    FUZZ_CHECK(sp != std::string::npos && colon != std::string::npos && sp < colon);
    return d.substr(0, sp) + d.substr(colon);
  }
  std::string out = "zset:";
  zset_ref(const_cast<kv_entry*>(e)).for_each([&](std::string_view m, double sc) {
    out += " [" + std::string(m) + "@" + rdb_test::fmt_double(sc == 0 ? 0.0 : sc) + "]";
  });
  return out;
}

// Every element found again through the value's lookups, sizes consistent,
// order invariants held.
inline void walk_value(kv_entry* e) {
  switch (e->type()) {
    case value_type::string:
      FUZZ_CHECK(e->str().size() == e->str_len());
      break;
    case value_type::list: {
      auto* q = static_cast<quicklist*>(e->object());
      size_t n = 0;
      char buf[24];
      for (auto it = q->begin(); it; q->next(it)) {
        quicklist::get(it).view(buf);
        ++n;
      }
      FUZZ_CHECK(n == q->size());
      FUZZ_CHECK(n > 0);
      break;
    }
    case value_type::hash: {
      hash_ref h(e);
      size_t n = 0;
      std::vector<std::pair<std::string, std::string>> items;
      h.for_each([&](std::string_view f, std::string_view v) {
        items.emplace_back(f, v);
        ++n;
      });
      FUZZ_CHECK(n == h.size());
      FUZZ_CHECK(n > 0);
      char buf[24];
      for (auto& [f, v] : items) {
        std::string_view got;
        FUZZ_CHECK(h.get(f, got, buf));
        FUZZ_CHECK(got == v);
      }
      break;
    }
    case value_type::set: {
      set_ref s(e);
      std::vector<std::string> items;
      s.for_each([&](std::string_view m) { items.emplace_back(m); });
      FUZZ_CHECK(items.size() == s.size());
      FUZZ_CHECK(!items.empty());
      for (auto& m : items) FUZZ_CHECK(s.contains(m));
      std::sort(items.begin(), items.end());
      FUZZ_CHECK(std::adjacent_find(items.begin(), items.end()) == items.end());
      break;
    }
    case value_type::zset: {
      zset_ref z(e);
      std::vector<std::pair<std::string, double>> items;
      z.for_each([&](std::string_view m, double sc) { items.emplace_back(m, sc); });
      FUZZ_CHECK(items.size() == z.size());
      FUZZ_CHECK(!items.empty());
      for (size_t i = 0; i < items.size(); ++i) {
        double sc;
        FUZZ_CHECK(z.score(items[i].first, sc));
        FUZZ_CHECK(sc == items[i].second);
        size_t r;
        FUZZ_CHECK(z.rank(items[i].first, false, r));
        FUZZ_CHECK(r == i);
        if (i > 0) FUZZ_CHECK(items[i - 1].second <= items[i].second);
      }
      break;
    }
    case value_type::stream: {
      // Both directions see the same entries in order; the length agrees;
      // every pending entry has a consumer holding it.
      stream& s = stream_of(e);
      std::vector<stream_id> fwd, rev;
      s.range({}, stream_id::max(), false, [&](const stream_entry& en) {
        en.for_each_field([](std::string_view, std::string_view) {});
        fwd.push_back(en.id);
        return true;
      });
      s.range({}, stream_id::max(), true, [&](const stream_entry& en) {
        rev.push_back(en.id);
        return true;
      });
      FUZZ_CHECK(fwd.size() == s.length);
      std::reverse(rev.begin(), rev.end());
      FUZZ_CHECK(fwd == rev);
      for (size_t i = 1; i < fwd.size(); ++i) FUZZ_CHECK(fwd[i - 1] < fwd[i]);
      for (auto& [name, g] : s.groups)
        for (auto& [id, n] : g->pel) FUZZ_CHECK(n.consumer && n.consumer->pel.count(id));
      break;
    }
    default:
      FUZZ_CHECK(false);  // no other type decodes
  }
}

// The encoding limits the targets load with: Redis's defaults, tiny ones (every
// collection in its big encoding, one element per list node) and huge ones
// (everything compact, 64 KB list nodes).
inline std::vector<rdb_load_limits> limit_variants() {
  rdb_load_limits defaults, tiny, huge;
  tiny.hash = {1, 1};
  tiny.zset = {1, 1};
  tiny.set_max_intset_entries = 1;
  tiny.list_max_listpack_size = 1;
  huge.hash = {1 << 20, 1 << 20};
  huge.zset = {1 << 20, 1 << 20};
  huge.set_max_intset_entries = 1 << 20;
  huge.list_max_listpack_size = -5;
  return {defaults, tiny, huge};
}

}  // namespace troupe::fuzz
