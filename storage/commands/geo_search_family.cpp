// GEO searches: GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUS_RO,
// GEORADIUSBYMEMBER, GEORADIUSBYMEMBER_RO. One function runs them all, as in
// Redis, so their options, errors and reply order are the same: the geohash
// boxes around the centre are scanned in Redis's order, points kept by
// distance, then optionally sorted (ASC/DESC, or ASC implied by COUNT).
#include <algorithm>
#include <string>
#include <vector>

#include "storage/commands/geo_support.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {
namespace {

enum search_flags : int {
  by_coords = 1,     // GEORADIUS: longitude latitude radius unit
  by_member = 2,     // GEORADIUSBYMEMBER: member radius unit
  no_store = 4,      // the _RO variants
  geosearch = 8,     // GEOSEARCH options (FROMMEMBER/FROMLONLAT, BYRADIUS/BYBOX)
  search_store = 16  // GEOSEARCHSTORE
};

struct geo_point {
  double lon, lat, dist, score;
  std::string member;
};

// The score of a member of e (a sorted set) as a point; false when absent.
bool member_point(kv_entry* e, std::string_view member, double& lon, double& lat) {
  double score;
  if (!zset_ref(e).score(member, score)) return false;
  geo::decode_score(score, lon, lat);
  return true;
}

bool radius_args(exec_context& c, size_t i, geo::shape& s) {
  if (!geo_double_arg(c, i, s.radius, "ERR need numeric radius")) return false;
  if (s.radius < 0) {
    c.out.error("ERR radius cannot be negative");
    return false;
  }
  s.to_meters = unit_arg(c, i + 1);
  return s.to_meters >= 0;
}

bool box_args(exec_context& c, size_t i, geo::shape& s) {
  if (!geo_double_arg(c, i, s.width, "ERR need numeric width") ||
      !geo_double_arg(c, i + 1, s.height, "ERR need numeric height"))
    return false;
  if (s.height < 0 || s.width < 0) {
    c.out.error("ERR height or width cannot be negative");
    return false;
  }
  s.to_meters = unit_arg(c, i + 2);
  return s.to_meters >= 0;
}

// The points of e inside the shape, box by box; stops at `limit` (ANY).
void collect(kv_entry* e, const geo::shape& s, size_t limit, std::vector<geo_point>& out) {
  geo::score_box boxes[9];
  int n = geo::boxes_for(s, boxes);
  zset_ref z(e);
  char buf[24];
  for (int b = 0; b < n; ++b) {
    if (limit && out.size() >= limit) break;
    score_range r{double(boxes[b].min), double(boxes[b].max), false, true};
    for (zpos p = z.first_in(r); p; z.next(p)) {
      double score = z.score_at(p);
      if (!r.below_max(score)) break;
      geo_point g;
      geo::decode_score(score, g.lon, g.lat);
      if (geo::within(s, g.lon, g.lat, g.dist)) {
        g.score = score;
        g.member.assign(z.member(p, buf));
        out.push_back(std::move(g));
      }
      if (limit && out.size() >= limit) break;
    }
  }
}

void store_results(exec_context& c, const key_ref& dst, std::vector<geo_point>& points, size_t n,
                   bool storedist, double to_meters, bool is_geosearch) {
  entry_holder holder;
  if (n > 0) {
    zset_limits lim = zset_limits_of(c);
    size_t maxlen = 0;
    for (size_t i = 0; i < n; ++i) maxlen = std::max(maxlen, points[i].member.size());
    holder.e = make_zset_entry(dst.name, n, maxlen, lim, false);
    zset_ref z(holder.e);
    for (size_t i = 0; i < n; ++i) {
      int out;
      double score = storedist ? points[i].dist / to_meters : points[i].score;
      z.add(score, points[i].member, 0, out, nullptr, lim);
    }
  }
  store_built_value(c, dst, holder, n, notify_zset,
                    is_geosearch ? "geosearchstore" : "georadiusstore");
}

void search_generic(exec_context& c, size_t src_index, int flags) {
  const key_ref* store_key = nullptr;
  key_ref store_ref;
  size_t store_arg = 0;
  bool storedist = false;
  kv_entry* e = c.lookup_read(c.key_at(src_index));
  if (e != nullptr && e->type() != value_type::zset) return c.wrongtype();

  size_t base;
  geo::shape s;
  if (flags & by_coords) {
    base = 6;
    if (!lon_lat_args(c, 2, s.lon, s.lat) || !radius_args(c, 4, s)) return;
  } else if (flags & by_member) {
    base = 5;
    if (e != nullptr) {
      if (!member_point(e, c.arg(2), s.lon, s.lat))
        return c.out.error("ERR could not decode requested zset member");
      if (!radius_args(c, 3, s)) return;
    }
  } else {
    base = 2;
    if (flags & search_store) {
      base = 3;
      store_arg = 1;
    }
  }

  bool withdist = false, withhash = false, withcoord = false, any = false;
  bool frommember = false, fromloc = false, byradius = false, bybox = false;
  int sort = 0;  // 1 ASC, -1 DESC
  int64_t count = 0;
  size_t remaining = c.argc() - base;
  for (size_t i = 0; i < remaining; ++i) {
    size_t a = base + i;
    if (c.arg_is(a, "withdist")) {
      withdist = true;
    } else if (c.arg_is(a, "withhash")) {
      withhash = true;
    } else if (c.arg_is(a, "withcoord")) {
      withcoord = true;
    } else if (c.arg_is(a, "any")) {
      any = true;
    } else if (c.arg_is(a, "asc")) {
      sort = 1;
    } else if (c.arg_is(a, "desc")) {
      sort = -1;
    } else if (c.arg_is(a, "count") && i + 1 < remaining) {
      if (!c.int_arg(a + 1, count)) return;
      if (count <= 0) return c.out.error("ERR COUNT must be > 0");
      ++i;
    } else if ((c.arg_is(a, "store") || c.arg_is(a, "storedist")) && i + 1 < remaining &&
               !(flags & no_store) && !(flags & geosearch)) {
      store_arg = a + 1;
      storedist = c.arg_is(a, "storedist");
      ++i;
    } else if (c.arg_is(a, "storedist") && (flags & geosearch) && (flags & search_store)) {
      storedist = true;
    } else if (c.arg_is(a, "frommember") && i + 1 < remaining && (flags & geosearch) && !fromloc) {
      // Without a source the arguments are still checked; the reply is empty.
      if (e != nullptr && !member_point(e, c.arg(a + 1), s.lon, s.lat))
        return c.out.error("ERR could not decode requested zset member");
      frommember = true;
      ++i;
    } else if (c.arg_is(a, "fromlonlat") && i + 2 < remaining && (flags & geosearch) &&
               !frommember) {
      if (!lon_lat_args(c, a + 1, s.lon, s.lat)) return;
      fromloc = true;
      i += 2;
    } else if (c.arg_is(a, "byradius") && i + 2 < remaining && (flags & geosearch) && !bybox) {
      if (!radius_args(c, a + 1, s)) return;
      s.box = false;
      byradius = true;
      i += 2;
    } else if (c.arg_is(a, "bybox") && i + 3 < remaining && (flags & geosearch) && !byradius) {
      if (!box_args(c, a + 1, s)) return;
      s.box = true;
      bybox = true;
      i += 3;
    } else {
      return c.syntax_error();
    }
  }
  if (store_arg) {
    store_ref = c.key_at(store_arg);
    store_key = &store_ref;
  }
  if (store_key && (withdist || withhash || withcoord))
    return c.out.error(std::string("ERR ") +
                       ((flags & search_store) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") +
                       " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
  if ((flags & geosearch) && !(frommember || fromloc))
    return c.out.error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " +
                       std::string(as_c_string(c.arg(0))));
  if ((flags & geosearch) && !(byradius || bybox))
    return c.out.error("ERR exactly one of BYRADIUS and BYBOX can be specified for " +
                       std::string(as_c_string(c.arg(0))));
  if (any && !count) return c.out.error("ERR the ANY argument requires COUNT argument");

  if (e == nullptr) {
    if (!store_key) return c.out.empty_array();
    std::vector<geo_point> none;
    return store_results(c, *store_key, none, 0, storedist, s.to_meters, flags & geosearch);
  }
  // COUNT picks the nearest: ASC unless said otherwise (ANY takes the first found).
  if (count != 0 && sort == 0 && !any) sort = 1;

  std::vector<geo_point> points;
  collect(e, s, any ? size_t(count) : 0, points);
  if (points.empty() && !store_key) return c.out.empty_array();
  size_t n = (count == 0 || points.size() < uint64_t(count)) ? points.size() : size_t(count);
  if (sort == 1)
    std::stable_sort(points.begin(), points.end(),
                     [](const geo_point& a, const geo_point& b) { return a.dist < b.dist; });
  else if (sort == -1)
    std::stable_sort(points.begin(), points.end(),
                     [](const geo_point& a, const geo_point& b) { return a.dist > b.dist; });

  if (store_key)
    return store_results(c, *store_key, points, n, storedist, s.to_meters, flags & geosearch);
  size_t options = size_t(withdist) + size_t(withhash) + size_t(withcoord);
  c.out.array(n);
  for (size_t i = 0; i < n; ++i) {
    const geo_point& g = points[i];
    if (options) c.out.array(options + 1);
    c.out.bulk(g.member);
    if (withdist) reply_distance(c, g.dist / s.to_meters);
    if (withhash) c.out.integer(int64_t(g.score));
    if (withcoord) {
      c.out.array(2);
      reply_coordinate(c, g.lon);
      reply_coordinate(c, g.lat);
    }
  }
}

void cmd_georadius(exec_context& c) {
  search_generic(c, 1, by_coords);
}
void cmd_georadius_ro(exec_context& c) {
  search_generic(c, 1, by_coords | no_store);
}
void cmd_georadiusbymember(exec_context& c) {
  search_generic(c, 1, by_member);
}
void cmd_georadiusbymember_ro(exec_context& c) {
  search_generic(c, 1, by_member | no_store);
}
void cmd_geosearch(exec_context& c) {
  search_generic(c, 1, geosearch);
}
void cmd_geosearchstore(exec_context& c) {
  search_generic(c, 2, geosearch | search_store);
}

// GEORADIUS's keys as Redis's key specs find them: the source, then the key
// after the first STORE and the first STOREDIST from `from` on. Any later
// STORE/STOREDIST (the command uses the last one) is added too, so the key it
// writes is always held.
bool store_keys_from(const std::vector<std::string_view>& args, std::vector<int>& pos,
                     size_t from) {
  pos.push_back(1);
  std::vector<int> extra;
  int first_store = -1, first_storedist = -1;
  for (size_t i = from; i < args.size(); ++i) {
    bool store = iequals(args[i], "store"), storedist = iequals(args[i], "storedist");
    if (!store && !storedist) continue;
    if (i + 1 >= args.size()) continue;
    if (store && first_store < 0)
      first_store = int(i + 1);
    else if (storedist && first_storedist < 0)
      first_storedist = int(i + 1);
    else
      extra.push_back(int(i + 1));
  }
  if (first_store >= 0) pos.push_back(first_store);
  if (first_storedist >= 0) pos.push_back(first_storedist);
  pos.insert(pos.end(), extra.begin(), extra.end());
  return true;
}
bool georadius_keys(const std::vector<std::string_view>& args, std::vector<int>& pos) {
  return store_keys_from(args, pos, 6);
}
bool georadiusbymember_keys(const std::vector<std::string_view>& args, std::vector<int>& pos) {
  return store_keys_from(args, pos, 5);
}

const command_def geo_search_commands[] = {
    {"georadius", -6, "write denyoom", 1, 1, 1, "", cmd_georadius,
     "Query a sorted set representing a geospatial index to fetch members matching a given "
     "maximum distance from a point",
     "3.2.0",
     "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area "
     "delimited by center and radius and M is the number of items inside the index.",
     "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count "
     "[ANY]] [ASC|DESC] [STORE key] [STOREDIST key]",
     georadius_keys, "deprecated", "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"},
    {"georadius_ro", -6, "readonly", 1, 1, 1, "", cmd_georadius_ro,
     "A read-only variant for GEORADIUS", "3.2.10",
     "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area "
     "delimited by center and radius and M is the number of items inside the index.",
     "key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count "
     "[ANY]] [ASC|DESC]",
     nullptr, "deprecated", "`GEOSEARCH` with the `BYRADIUS` argument"},
    {"georadiusbymember", -5, "write denyoom", 1, 1, 1, "", cmd_georadiusbymember,
     "Query a sorted set representing a geospatial index to fetch members matching a given "
     "maximum distance from a member",
     "3.2.0",
     "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area "
     "delimited by center and radius and M is the number of items inside the index.",
     "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] "
     "[ASC|DESC] [STORE key] [STOREDIST key]",
     georadiusbymember_keys, "deprecated",
     "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"},
    {"georadiusbymember_ro", -5, "readonly", 1, 1, 1, "", cmd_georadiusbymember_ro,
     "A read-only variant for GEORADIUSBYMEMBER", "3.2.10",
     "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area "
     "delimited by center and radius and M is the number of items inside the index.",
     "key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] "
     "[ASC|DESC]",
     nullptr, "deprecated", "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"},
    {"geosearch", -7, "readonly", 1, 1, 1, "", cmd_geosearch,
     "Query a sorted set representing a geospatial index to fetch members inside an area of a "
     "box or a circle.",
     "6.2.0",
     "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around "
     "the shape provided as the filter and M is the number of items inside the shape",
     "key [FROMMEMBER member|FROMLONLAT longitude latitude] [BYRADIUS radius M|KM|FT|MI|BYBOX "
     "width height M|KM|FT|MI] [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]"},
    {"geosearchstore", -8, "write denyoom", 1, 2, 1, "", cmd_geosearchstore,
     "Query a sorted set representing a geospatial index to fetch members inside an area of a "
     "box or a circle, and store the result in another key.",
     "6.2.0",
     "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around "
     "the shape provided as the filter and M is the number of items inside the shape",
     "destination source [FROMMEMBER member|FROMLONLAT longitude latitude] [BYRADIUS radius "
     "M|KM|FT|MI|BYBOX width height M|KM|FT|MI] [ASC|DESC] [COUNT count [ANY]] [STOREDIST]"},
};

}  // namespace

void register_geo_search_family(command_table& t) {
  t.add_all("geo", geo_search_commands);
}

}  // namespace troupe
