// Geohashes as Redis's GEO commands use them: a longitude/latitude pair becomes
// 26 bits of each, interleaved into a 52-bit integer (latitude in the even
// bits), stored as the member's sorted set score. Latitudes are limited to
// +-85.05112878 (the Web Mercator square). Searches cover the query shape with
// the geohash box of the centre and its eight neighbours at a step chosen from
// the radius, then filter by distance (haversine on a sphere of Redis's
// radius), which is what makes Redis's results, and their order, what they are.
#pragma once
#include <cstdint>
#include <string>

namespace troupe::geo {

inline constexpr double lon_min = -180, lon_max = 180;
inline constexpr double lat_min = -85.05112878, lat_max = 85.05112878;
inline constexpr int step_max = 26;

struct range {
  double min, max;
};
struct hash_bits {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool is_zero() const { return bits == 0 && step == 0; }
};
struct area {
  range lon, lat;
};

// Encodes a point in the given ranges at `step` bits per coordinate; false
// outside the ranges (or Redis's GEO limits).
bool encode(const range& lon_r, const range& lat_r, double lon, double lat, int step,
            hash_bits& out);
// The 52-bit score of a point in Redis's GEO ranges (the point must be valid).
uint64_t score_of(double lon, double lat);
// The point a score stands for (the centre of its box, clamped to the limits).
// The score is cast to an integer as x86-64 C code does, whatever it holds.
void decode_score(double score, double& lon, double& lat);
// GEOHASH's 11-character standard geohash of a score.
std::string standard_geohash(double score);

// Great-circle distance in metres, as Redis computes it.
double distance(double lon1, double lat1, double lon2, double lat2);

// The query shape of GEOSEARCH / GEORADIUS, in the unit given by `to_meters`.
struct shape {
  bool box = false;  // BYBOX width x height, else BYRADIUS radius
  double lon = 0, lat = 0;
  double radius = 0, width = 0, height = 0;
  double to_meters = 1;
};
// True when the point is inside the shape; `dist` gets its distance in metres
// from the centre.
bool within(const shape& s, double lon, double lat, double& dist);

// The score ranges [min, max) to scan, in Redis's order (the centre box, then
// north, south, east, west, north-east, north-west, south-east, south-west),
// with the boxes Redis skips left out.
struct score_box {
  uint64_t min, max;
};
int boxes_for(const shape& s, score_box out[9]);

}  // namespace troupe::geo
