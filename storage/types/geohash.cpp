#include "storage/types/geohash.hpp"

#include <cmath>

namespace troupe::geo {
namespace {

constexpr double earth_radius_m = 6372797.560856;
constexpr double mercator_max = 20037726.37;
constexpr double d_r = M_PI / 180.0;

double deg_rad(double a) {
  return a * d_r;
}
double rad_deg(double a) {
  return a / d_r;
}

const range wgs_lon{lon_min, lon_max};
const range wgs_lat{lat_min, lat_max};

// Spreads the 32 bits of v to the even bits of a 64-bit word.
uint64_t spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x << 2)) & 0x3333333333333333ULL;
  x = (x | (x << 1)) & 0x5555555555555555ULL;
  return x;
}
// Gathers the even bits of v into 32 bits.
uint32_t gather(uint64_t v) {
  uint64_t x = v & 0x5555555555555555ULL;
  x = (x | (x >> 1)) & 0x3333333333333333ULL;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
  return uint32_t(x);
}

// A double cast to uint64_t the way x86-64 code compiled by GCC does it
// (Redis's decodeGeohash casts scores that may be negative, huge or NaN).
uint64_t to_u64_like_x86(double d) {
  auto cvtt = [](double v) -> int64_t {
    // cvttsd2si: truncation; 0x8000000000000000 when out of range or NaN.
    if (std::isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) return INT64_MIN;
    return int64_t(v);
  };
  if (d < 9223372036854775808.0 || std::isnan(d)) return uint64_t(cvtt(d));
  return uint64_t(cvtt(d - 9223372036854775808.0)) ^ 0x8000000000000000ULL;
}

void decode(const range& lon_r, const range& lat_r, const hash_bits& h, area& a) {
  uint32_t ilat = gather(h.bits);
  uint32_t ilon = gather(h.bits >> 1);
  double lat_scale = lat_r.max - lat_r.min;
  double lon_scale = lon_r.max - lon_r.min;
  double div = double(1ULL << h.step);
  a.lat.min = lat_r.min + (ilat * 1.0 / div) * lat_scale;
  // ilat + 1 in 32 bits, as Redis computes it (it wraps for garbage scores).
  a.lat.max = lat_r.min + (uint32_t(ilat + 1) * 1.0 / div) * lat_scale;
  a.lon.min = lon_r.min + (ilon * 1.0 / div) * lon_scale;
  a.lon.max = lon_r.min + (uint32_t(ilon + 1) * 1.0 / div) * lon_scale;
}

void area_centre(const area& a, double& lon, double& lat) {
  lon = (a.lon.min + a.lon.max) / 2;
  if (lon > lon_max) lon = lon_max;
  if (lon < lon_min) lon = lon_min;
  lat = (a.lat.min + a.lat.max) / 2;
  if (lat > lat_max) lat = lat_max;
  if (lat < lat_min) lat = lat_min;
}

// Moves a box by d (-1, 0, 1) along one coordinate, wrapping around, as
// Redis's neighbour computation does: `mine` masks that coordinate's bits
// (odd bits: longitude, even bits: latitude).
void move(hash_bits& h, int d, uint64_t mine) {
  if (d == 0) return;
  uint64_t x = h.bits & mine;
  uint64_t y = h.bits & ~mine;
  uint64_t zz = ~mine >> (64 - h.step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (mine >> (64 - h.step * 2));
  h.bits = x | y;
}
constexpr uint64_t lon_bits = 0xaaaaaaaaaaaaaaaaULL, lat_bits = 0x5555555555555555ULL;

// The neighbours in Redis's processing order after the centre.
enum { n_north, n_south, n_east, n_west, n_ne, n_nw, n_se, n_sw };
void neighbours(const hash_bits& h, hash_bits out[8]) {
  static const int moves[8][2] = {{0, 1}, {0, -1}, {1, 0},  {-1, 0},
                                  {1, 1}, {-1, 1}, {1, -1}, {-1, -1}};
  for (int i = 0; i < 8; ++i) {
    out[i] = h;
    move(out[i], moves[i][0], lon_bits);
    move(out[i], moves[i][1], lat_bits);
  }
}

int estimate_steps(double range_m, double lat) {
  if (range_m == 0) return 26;
  int step = 1;
  while (range_m < mercator_max) {
    range_m *= 2;
    step++;
  }
  step -= 2;  // so the range fits in most cases
  // Boxes narrow towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

// min lon, min lat, max lon, max lat of the shape's bounding box.
void bounding_box(const shape& s, double b[4]) {
  double height = s.to_meters * (s.box ? s.height / 2 : s.radius);
  double width = s.to_meters * (s.box ? s.width / 2 : s.radius);
  const double lat_delta = rad_deg(height / earth_radius_m);
  const double lon_delta_top = rad_deg(width / earth_radius_m / cos(deg_rad(s.lat + lat_delta)));
  const double lon_delta_bottom = rad_deg(width / earth_radius_m / cos(deg_rad(s.lat - lat_delta)));
  // The hemispheres widen towards opposite poles.
  bool southern = s.lat < 0;
  b[0] = southern ? s.lon - lon_delta_bottom : s.lon - lon_delta_top;
  b[2] = southern ? s.lon + lon_delta_bottom : s.lon + lon_delta_top;
  b[1] = s.lat - lat_delta;
  b[3] = s.lat + lat_delta;
}

double lat_distance(double lat1, double lat2) {
  return earth_radius_m * fabs(deg_rad(lat2) - deg_rad(lat1));
}

uint64_t align52(const hash_bits& h) {
  return h.bits << (52 - h.step * 2);
}

}  // namespace

bool encode(const range& lon_r, const range& lat_r, double lon, double lat, int step,
            hash_bits& out) {
  if (step > 32 || step == 0) return false;
  if (lon > lon_max || lon < lon_min || lat > lat_max || lat < lat_min) return false;
  out.bits = 0;
  out.step = uint8_t(step);
  if (lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max) return false;
  double lat_offset = (lat - lat_r.min) / (lat_r.max - lat_r.min);
  double lon_offset = (lon - lon_r.min) / (lon_r.max - lon_r.min);
  lat_offset *= double(1ULL << step);
  lon_offset *= double(1ULL << step);
  out.bits = spread(uint32_t(lat_offset)) | (spread(uint32_t(lon_offset)) << 1);
  return true;
}

uint64_t score_of(double lon, double lat) {
  hash_bits h;
  encode(wgs_lon, wgs_lat, lon, lat, step_max, h);
  return align52(h);
}

void decode_score(double score, double& lon, double& lat) {
  hash_bits h{to_u64_like_x86(score), step_max};
  area a;
  decode(wgs_lon, wgs_lat, h, a);
  area_centre(a, lon, lat);
}

std::string standard_geohash(double score) {
  static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  decode_score(score, lon, lat);
  hash_bits h;
  encode({-180, 180}, {-90, 90}, lon, lat, 26, h);
  std::string out(11, '0');
  for (int i = 0; i < 11; ++i) {
    // 52 bits make ten characters; the eleventh is a zero, as Redis writes it.
    int idx = i == 10 ? 0 : int((h.bits >> (52 - (i + 1) * 5)) & 0x1f);
    out[size_t(i)] = alphabet[idx];
  }
  return out;
}

double distance(double lon1, double lat1, double lon2, double lat2) {
  double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
  double v = sin((lon2r - lon1r) / 2);
  // Same longitude: the distance along the meridian, without the trigonometry.
  if (v == 0.0) return lat_distance(lat1, lat2);
  double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
  double u = sin((lat2r - lat1r) / 2);
  double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
  return 2.0 * earth_radius_m * asin(sqrt(a));
}

bool within(const shape& s, double lon, double lat, double& dist) {
  if (!s.box) {
    dist = distance(s.lon, s.lat, lon, lat);
    return dist <= s.radius * s.to_meters;
  }
  double width_m = s.width * s.to_meters, height_m = s.height * s.to_meters;
  // The latitude test is the cheaper one: first.
  if (lat_distance(lat, s.lat) > height_m / 2) return false;
  if (distance(lon, lat, s.lon, lat) > width_m / 2) return false;
  dist = distance(s.lon, s.lat, lon, lat);
  return true;
}

int boxes_for(const shape& s, score_box out[9]) {
  double b[4];
  bounding_box(s, b);
  double min_lon = b[0], min_lat = b[1], max_lon = b[2], max_lat = b[3];
  double radius_m =
      s.box ? sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radius_m *= s.to_meters;
  int steps = estimate_steps(radius_m, s.lat);
  hash_bits h;
  hash_bits nb[8];
  area a;
  encode(wgs_lon, wgs_lat, s.lon, s.lat, steps, h);
  neighbours(h, nb);
  decode(wgs_lon, wgs_lat, h, a);
  // Near the edge of the box, the neighbours at this step may not reach the
  // whole shape: one step coarser then.
  bool decrease = false;
  {
    area north, south, east, west;
    decode(wgs_lon, wgs_lat, nb[n_north], north);
    decode(wgs_lon, wgs_lat, nb[n_south], south);
    decode(wgs_lon, wgs_lat, nb[n_east], east);
    decode(wgs_lon, wgs_lat, nb[n_west], west);
    if (north.lat.max < max_lat) decrease = true;
    if (south.lat.min > min_lat) decrease = true;
    if (east.lon.max < max_lon) decrease = true;
    if (west.lon.min > min_lon) decrease = true;
  }
  if (steps > 1 && decrease) {
    steps--;
    encode(wgs_lon, wgs_lat, s.lon, s.lat, steps, h);
    neighbours(h, nb);
    decode(wgs_lon, wgs_lat, h, a);
  }
  // Leave out the neighbours beyond the bounding box.
  if (steps >= 2) {
    auto zero = [&](std::initializer_list<int> which) {
      for (int i : which) nb[i] = hash_bits{};
    };
    if (a.lat.min < min_lat) zero({n_south, n_sw, n_se});
    if (a.lat.max > max_lat) zero({n_north, n_ne, n_nw});
    if (a.lon.min < min_lon) zero({n_west, n_sw, n_nw});
    if (a.lon.max > max_lon) zero({n_east, n_se, n_ne});
  }
  hash_bits all[9] = {h, nb[0], nb[1], nb[2], nb[3], nb[4], nb[5], nb[6], nb[7]};
  int n = 0, last = 0;
  for (int i = 0; i < 9; ++i) {
    if (all[i].is_zero()) continue;
    // With huge radii neighbours repeat: a box equal to the last one scanned
    // is skipped (Redis never compares with the centre box).
    if (last && all[i].bits == all[last].bits && all[i].step == all[last].step) continue;
    hash_bits next = all[i];
    out[n].min = align52(all[i]);
    next.bits++;
    out[n].max = align52(next);
    ++n;
    last = i;
  }
  return n;
}

}  // namespace troupe::geo
