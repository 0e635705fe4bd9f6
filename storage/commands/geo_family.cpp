// GEO commands on members of a sorted set: GEOADD, GEODIST, GEOHASH, GEOPOS.
// A member's score is its 52-bit geohash (storage/types/geohash.hpp); the
// searches (GEOSEARCH, GEORADIUS...) are in geo_search_family.cpp.
#include <string>
#include <vector>

#include "storage/commands/geo_support.hpp"
#include "storage/commands/zset_family.hpp"

namespace troupe {
namespace {

// GEOADD key [NX|XX] [CH] lon lat member ...: ZADD with the geohashes as
// scores, journaled as that ZADD (as Redis propagates it).
void cmd_geoadd(exec_context& c) {
  int flags = 0;
  bool ch = false;
  size_t idx = 2;
  for (; idx < c.argc(); ++idx) {
    if (c.arg_is(idx, "nx"))
      flags |= zadd_nx;
    else if (c.arg_is(idx, "xx"))
      flags |= zadd_xx;
    else if (c.arg_is(idx, "ch"))
      ch = true;
    else
      break;
  }
  if ((c.argc() - idx) % 3 != 0 || ((flags & zadd_nx) && (flags & zadd_xx)))
    return c.syntax_error();
  size_t elements = (c.argc() - idx) / 3;
  std::vector<double> scores(elements);
  std::vector<std::string_view> members(elements);
  for (size_t j = 0; j < elements; ++j) {
    double lon, lat;
    if (!lon_lat_args(c, idx + j * 3, lon, lat)) return;
    scores[j] = double(geo::score_of(lon, lat));
    members[j] = c.arg(idx + j * 3 + 2);
  }
  if (elements == 0) return c.syntax_error();
  int64_t before = c.changes;
  zadd_apply(c, c.key_at(1), flags, ch, scores, members);
  if (c.changes == before) return;
  std::vector<std::string> zadd = {"zadd"};
  for (size_t i = 1; i < idx; ++i) zadd.emplace_back(c.arg(i));
  for (size_t j = 0; j < elements; ++j) {
    zadd.push_back(std::to_string(uint64_t(scores[j])));
    zadd.emplace_back(members[j]);
  }
  c.propagate(std::move(zadd));
}

// The sorted set at argument 1 for a read: nullptr when absent; `bad` after
// replying WRONGTYPE.
kv_entry* geo_lookup(exec_context& c, bool& bad) {
  kv_entry* e = c.lookup_read(c.key_at(1));
  bad = e != nullptr && e->type() != value_type::zset;
  if (bad) c.wrongtype();
  return e;
}

void cmd_geodist(exec_context& c) {
  double to_meters = 1;
  if (c.argc() == 5) {
    to_meters = unit_arg(c, 4);
    if (to_meters < 0) return;
  } else if (c.argc() > 5) {
    return c.syntax_error();
  }
  bool bad;
  kv_entry* e = geo_lookup(c, bad);
  if (bad) return;
  double s1, s2;
  if (e == nullptr || !zset_ref(e).score(c.arg(2), s1) || !zset_ref(e).score(c.arg(3), s2))
    return c.out.null();
  double lon1, lat1, lon2, lat2;
  geo::decode_score(s1, lon1, lat1);
  geo::decode_score(s2, lon2, lat2);
  reply_distance(c, geo::distance(lon1, lat1, lon2, lat2) / to_meters);
}

// GEOHASH and GEOPOS: one reply per member argument, `missing` for a member
// (or key) that is not there.
template <class Reply>
void per_member(exec_context& c, void (reply_writer::*missing)(), Reply&& reply) {
  bool bad;
  kv_entry* e = geo_lookup(c, bad);
  if (bad) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    double score;
    if (e == nullptr || !zset_ref(e).score(c.arg(i), score))
      (c.out.*missing)();
    else
      reply(score);
  }
}

void cmd_geohash(exec_context& c) {
  per_member(c, &reply_writer::null,
             [&](double score) { c.out.bulk(geo::standard_geohash(score)); });
}

void cmd_geopos(exec_context& c) {
  per_member(c, &reply_writer::null_array, [&](double score) {
    double lon, lat;
    geo::decode_score(score, lon, lat);
    c.out.array(2);
    reply_coordinate(c, lon);
    reply_coordinate(c, lat);
  });
}

const command_def geo_commands[] = {
    {"geoadd", -5, "write denyoom", 1, 1, 1, "", cmd_geoadd,
     "Add one or more geospatial items in the geospatial index represented using a sorted set",
     "3.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     "key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]"},
    {"geodist", -4, "readonly", 1, 1, 1, "", cmd_geodist,
     "Returns the distance between two members of a geospatial index", "3.2.0", "O(log(N))",
     "key member1 member2 [M|KM|FT|MI]"},
    {"geohash", -2, "readonly", 1, 1, 1, "", cmd_geohash,
     "Returns members of a geospatial index as standard geohash strings", "3.2.0",
     "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
     "key [member [member ...]]"},
    {"geopos", -2, "readonly", 1, 1, 1, "", cmd_geopos,
     "Returns longitude and latitude of members of a geospatial index", "3.2.0",
     "O(N) where N is the number of members requested.", "key [member [member ...]]"},
};

}  // namespace

void register_geo_family(command_table& t) {
  t.add_all("geo", geo_commands);
}

}  // namespace troupe
