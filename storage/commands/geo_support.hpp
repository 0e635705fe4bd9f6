// What the GEO command files share: coordinate, distance and unit arguments
// with Redis's error texts, and Redis's two number formats for GEO replies.
#pragma once
#include <cstdio>
#include <string>

#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/commands/zset_family.hpp"
#include "storage/types/geohash.hpp"

namespace troupe {

// A double argument as Redis's getDoubleFromObjectOrReply reads it; `err` is
// the reply when it is not one.
inline bool geo_double_arg(exec_context& c, size_t i, double& v,
                           std::string_view err = errors::not_float) {
  if (parse_score(c.arg(i), v)) return true;
  c.out.error(err);
  return false;
}

// Arguments i and i+1 as longitude and latitude inside Redis's GEO limits.
inline bool lon_lat_args(exec_context& c, size_t i, double& lon, double& lat) {
  if (!geo_double_arg(c, i, lon) || !geo_double_arg(c, i + 1, lat)) return false;
  if (lon < geo::lon_min || lon > geo::lon_max || lat < geo::lat_min || lat > geo::lat_max) {
    char buf[700];
    snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", lon, lat);
    c.out.error(buf);
    return false;
  }
  return true;
}

// A unit argument: metres per unit, or -1 after replying the error.
inline double unit_arg(exec_context& c, size_t i) {
  std::string_view u = c.arg(i);
  if (iequals(u, "m")) return 1;
  if (iequals(u, "km")) return 1000;
  if (iequals(u, "ft")) return 0.3048;
  if (iequals(u, "mi")) return 1609.34;
  c.out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

// A distance reply: "%.4f" in a bulk string, in RESP3 too.
inline void reply_distance(exec_context& c, double d) {
  char buf[400];
  int n = snprintf(buf, sizeof(buf), "%.4f", d);
  c.out.bulk(std::string_view(buf, size_t(n)));
}

// A coordinate reply: Redis's human long double ("%.17Lf" trimmed), a bulk
// string in RESP2 and a double in RESP3.
inline void reply_coordinate(exec_context& c, double v) {
  std::string s = long_double_to_string(v);
  if (c.out.resp() == 2) return c.out.bulk(s);
  c.out.raw(",");
  c.out.raw(s);
  c.out.raw("\r\n");
}

}  // namespace troupe
