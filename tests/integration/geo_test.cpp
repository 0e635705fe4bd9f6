// GEO commands against a real redis-server 7.0: scores (the 52-bit
// geohashes), positions, distances and hashes as Redis formats them, and the
// searches with every option, compared reply by reply (order included) over
// random points and random queries; STORE/STOREDIST, errors, extreme
// arguments, RESP3, and what the AOF records.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "integration/command_test_support.hpp"
#include "integration/type_test_support.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class geo : public differential_suite<geo> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
    d->same({"CONFIG", "SET", "zset-max-listpack-entries", "128"});
  }
  static std::string num(double v) {
    char buf[64];
    snprintf(buf, sizeof(buf), "%.6f", v);
    return buf;
  }
  void sicily() {
    d->same({"GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
             "Catania", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"});
  }
};

TEST_F(geo, geoadd_scores_and_options) {
  sicily();
  d->same({"ZRANGE", "Sicily", "0", "-1", "WITHSCORES"});
  d->same({"GEOADD", "Sicily", "NX", "13", "38", "Palermo", "1", "1", "new"});
  d->same({"GEOADD", "Sicily", "XX", "CH", "13", "38", "Palermo", "1", "1", "other"});
  d->same({"GEOADD", "Sicily", "CH", "13", "38", "Palermo"});
  d->same({"GEOADD", "Sicily", "CH", "NX", "13", "38", "Palermo"});
  d->same({"GEOADD", "Sicily", "NX", "XX", "13", "38", "Palermo"});
  d->same({"GEOADD", "Sicily", "GT", "13", "38", "Palermo"});
  d->same({"GEOADD", "Sicily", "13", "38"});
  d->same({"GEOADD", "Sicily", "CH", "CH", "CH"});
  d->same({"GEOADD", "Sicily", "200", "38", "x"});
  d->same({"GEOADD", "Sicily", "13", "86", "x"});
  d->same({"GEOADD", "Sicily", "13", "-85.05112879", "x"});
  d->same({"GEOADD", "Sicily", "180", "85.05112878", "corner", "-180", "-85.05112878", "c2"});
  d->same({"GEOADD", "Sicily", "nan", "38", "x"});
  d->same({"GEOADD", "Sicily", "inf", "38", "x"});
  d->same({"GEOADD", "Sicily", "1e400", "38", "x"});
  d->same({"GEOADD", "Sicily", "1", "1e-400", "x"});
  d->same({"GEOADD", "Sicily", "1", "1e-310", "x"});
  d->same({"GEOADD", "Sicily", "13", "abc", "x"});
  d->same({"GEOADD", "Sicily", "0x10", "38", "x"});
  d->same({"GEOADD", "Sicily", " 13", "38", "x"});
  d->same({"GEOADD", "Sicily", "1e1", "3.8e1", "sci", "-0", "0", "zero"});
  d->same({"ZRANGE", "Sicily", "0", "-1", "WITHSCORES"});
  d->same({"SET", "str", "x"});
  d->same({"GEOADD", "str", "13", "38", "x"});
  d->same({"GEOADD", "str", "13", "380", "x"});
  d->same({"GEOADD", "k"});
  d->same({"OBJECT", "ENCODING", "Sicily"});
}

TEST_F(geo, geopos_geodist_geohash) {
  sicily();
  d->same({"GEOPOS", "Sicily", "Palermo", "Catania", "missing", "edge1"});
  d->same({"GEOPOS", "Sicily"});
  d->same({"GEOPOS", "missing", "a", "b"});
  for (auto unit : {"m", "km", "ft", "mi", "KM", "Mi"})
    d->same({"GEODIST", "Sicily", "Palermo", "Catania", unit});
  d->same({"GEODIST", "Sicily", "Palermo", "Catania"});
  d->same({"GEODIST", "Sicily", "Palermo", "Palermo"});
  d->same({"GEODIST", "Sicily", "Palermo", "missing"});
  d->same({"GEODIST", "missing", "a", "b"});
  d->same({"GEODIST", "missing", "a", "b", "parsec"});
  d->same({"GEODIST", "Sicily", "Palermo", "Catania", "km", "extra"});
  d->same({"GEODIST", "Sicily", "Palermo", "Catania", "yd"});
  d->same({"GEOHASH", "Sicily", "Palermo", "Catania", "missing", "edge2"});
  d->same({"GEOHASH", "missing", "a"});
  d->same({"GEOHASH", "Sicily"});
  // Scores that are no geohash (any sorted set): decoded as Redis decodes them.
  d->same({"ZADD",
           "z",
           "-5",
           "neg",
           "inf",
           "pinf",
           "-inf",
           "ninf",
           "1e300",
           "huge",
           "0",
           "zero",
           "4503599627370495",
           "max52",
           "4503599627370496",
           "p52",
           "9.3e18",
           "above63",
           "1.5",
           "frac"});
  for (auto m : {"neg", "pinf", "ninf", "huge", "zero", "max52", "p52", "above63", "frac"}) {
    d->same({"GEOPOS", "z", m});
    d->same({"GEOHASH", "z", m});
    d->same({"GEODIST", "z", m, "zero"});
  }
  d->same({"SET", "str", "x"});
  d->same({"GEOPOS", "str", "a"});
  d->same({"GEODIST", "str", "a", "b"});
  d->same({"GEOHASH", "str", "a"});
}

TEST_F(geo, searches_with_every_option) {
  sicily();
  std::vector<std::vector<std::string>> queries = {
      {"GEORADIUS", "Sicily", "15", "37", "200", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC", "WITHDIST"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "DESC", "COUNT", "1"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "2", "ANY", "DESC"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "-3"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT"},
      {"GEORADIUS", "Sicily", "15", "37", "-1", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "abc", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "yards"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "BYBOX", "1", "1", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "out", "WITHDIST"},
      {"GEORADIUS", "Sicily", "15", "37", "inf", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "1e400", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "-inf", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-inf", "1e400", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "inf", "1e400", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "inf", "-1", "parsec"},
      {"GEORADIUS", "Sicily", "15", "37", "1e308", "mi", "WITHDIST"},
      {"GEORADIUS", "Sicily", "15", "37", "0", "km"},
      {"GEORADIUS", "Sicily", "15", "91", "10", "km"},
      {"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST"},
      {"GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "out"},
      {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"},
      {"GEORADIUSBYMEMBER", "Sicily", "missing", "200", "km"},
      {"GEORADIUSBYMEMBER", "missing", "missing", "200", "km"},
      {"GEORADIUSBYMEMBER", "missing", "missing", "200", "km", "bogus"},
      {"GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "500", "km", "DESC", "WITHCOORD"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC",
       "WITHCOORD", "WITHDIST", "WITHHASH"},
      {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "200", "100", "mi"},
      {"GEOSEARCH", "Sicily", "FROMMEMBER", "missing", "BYBOX", "200", "100", "mi"},
      {"GEOSEARCH", "missing", "FROMMEMBER", "missing", "BYBOX", "200", "100", "mi"},
      {"GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1",
       "m"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "BYBOX", "1", "1",
       "km"},
      {"GEOSEARCH", "Sicily", "BYRADIUS", "200", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "1", "km"},
      {"geosearch", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "1", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "y", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "inf", "inf", "km"},
      {"GEOSEARCH", "Sicily", "FROMLONLAT", "-180", "85.05112878", "BYRADIUS", "30000", "km"},
      {"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
      {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
      {"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
       "STOREDIST", "COUNT", "2"},
      {"ZRANGE", "dst", "0", "-1", "WITHSCORES"},
      {"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
       "WITHDIST"},
      {"GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"},
      {"EXISTS", "dst"},
      {"GEOSEARCHSTORE", "dst", "missing", "FROMMEMBER", "x", "BYRADIUS", "1", "km"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "out"},
      {"ZRANGE", "out", "0", "-1", "WITHSCORES"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "out", "DESC", "COUNT", "2"},
      {"ZRANGE", "out", "0", "-1", "WITHSCORES"},
      {"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "a", "STOREDIST", "out"},
      {"EXISTS", "a"},
      {"ZRANGE", "out", "0", "-1", "WITHSCORES"},
      {"GEORADIUS", "missing", "15", "37", "200", "km", "STORE", "out"},
      {"EXISTS", "out"},
      {"GEORADIUSBYMEMBER", "Sicily", "Palermo", "100", "km", "STORE", "out"},
      {"ZRANGE", "out", "0", "-1", "WITHSCORES"},
  };
  for (auto& q : queries) d->same(q);
  d->same({"SET", "str", "x"});
  d->same({"GEOSEARCH", "str", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"});
  d->same({"GEORADIUS", "str", "15", "37", "200", "km"});
  d->same({"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "str"});
  d->same({"TYPE", "str"});
}

// Random points, clustered and spread (listpack and skiplist sets), random
// queries with random options: the same members in the same order.
TEST_F(geo, random_searches_match_redis) {
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> lon_all(-180, 180), lat_all(-85, 85);
  std::normal_distribution<double> near(0, 0.5);
  int several = 0;
  for (int round = 0; round < 4; ++round) {
    std::string key = "g" + std::to_string(round);
    int points = round % 2 == 0 ? 100 : 1500;
    bool clustered = round >= 2;
    double clon = lon_all(rng), clat = std::max(-80.0, std::min(80.0, lat_all(rng)));
    std::vector<std::string> add = {"GEOADD", key};
    for (int i = 0; i < points; ++i) {
      double lon = clustered ? clon + near(rng) : lon_all(rng);
      double lat = clustered ? clat + near(rng) : lat_all(rng);
      lon = std::max(-180.0, std::min(180.0, lon));
      lat = std::max(-85.0, std::min(85.0, lat));
      add.insert(add.end(), {num(lon), num(lat), "p" + std::to_string(i)});
    }
    d->same(add);
    d->same({"OBJECT", "ENCODING", key});
    const char* units[] = {"m", "km", "mi", "ft"};
    for (int q = 0; q < 150; ++q) {
      double lon = clustered ? clon + near(rng) : lon_all(rng);
      double lat = clustered ? clat + near(rng) : lat_all(rng);
      lon = std::max(-180.0, std::min(180.0, lon));
      lat = std::max(-85.0, std::min(85.0, lat));
      const char* unit = units[rng() % 4];
      double scale = std::strcmp(unit, "m") == 0 ? 1000 : std::strcmp(unit, "ft") == 0 ? 3000 : 1;
      double radius = (clustered ? 1 + rng() % 200 : 100 + rng() % 5000) * scale;
      std::vector<std::string> cmd;
      if (rng() % 2) {
        cmd = {"GEOSEARCH", key, "FROMLONLAT", num(lon), num(lat)};
        if (rng() % 2)
          cmd.insert(cmd.end(), {"BYRADIUS", num(radius), unit});
        else
          cmd.insert(cmd.end(), {"BYBOX", num(radius * 2), num(radius), unit});
      } else if (rng() % 2) {
        cmd = {"GEORADIUSBYMEMBER", key, "p" + std::to_string(rng() % points), num(radius), unit};
      } else {
        cmd = {"GEORADIUS", key, num(lon), num(lat), num(radius), unit};
      }
      if (rng() % 2) cmd.push_back("WITHDIST");
      if (rng() % 3 == 0) cmd.push_back("WITHCOORD");
      if (rng() % 4 == 0) cmd.push_back("WITHHASH");
      switch (rng() % 4) {
        case 0:
          cmd.push_back("ASC");
          break;
        case 1:
          cmd.push_back("DESC");
          break;
        default:
          break;
      }
      if (rng() % 3 == 0) {
        cmd.insert(cmd.end(), {"COUNT", std::to_string(1 + rng() % 20)});
        if (rng() % 3 == 0) cmd.push_back("ANY");
      }
      if (d->same(cmd).elements.size() > 1) ++several;
    }
  }
  EXPECT_GT(several, 100);  // the queries do find points
}

TEST_F(geo, resp3_forms) {
  sicily();
  d->both({"HELLO", "3"});
  same_typed(*d, {"GEOPOS", "Sicily", "Palermo", "missing"});
  same_typed(*d, {"GEODIST", "Sicily", "Palermo", "Catania"});
  same_typed(*d, {"GEODIST", "Sicily", "Palermo", "missing"});
  same_typed(*d, {"GEOHASH", "Sicily", "Palermo", "missing"});
  same_typed(*d, {"GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
                  "WITHCOORD", "WITHDIST", "WITHHASH", "ASC"});
  same_typed(*d, {"GEOSEARCH", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"});
  same_typed(*d, {"GEOSEARCH", "missing", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"});
  d->both({"HELLO", "2"});
}

TEST_F(geo, keyspace_events_and_command_info) {
  sicily();
  expect_same_events(
      *d, {{"GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "o1"},
           {"GEOSEARCHSTORE", "o2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
           {"GEOSEARCHSTORE", "o2", "Sicily", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"}});
  expect_same_command_info(
      d->redis_client(), d->troupe_client(),
      {"geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro", "georadiusbymember",
       "georadiusbymember_ro", "geosearch", "geosearchstore"});
  d->same({"COMMAND", "GETKEYS", "GEORADIUS", "k", "0", "0", "10", "km", "STORE", "d"});
  d->same({"COMMAND", "GETKEYS", "GEORADIUS", "k", "0", "0", "10", "km", "STOREDIST", "d"});
  d->same({"COMMAND", "GETKEYS", "GEORADIUS", "k", "0", "0", "10", "km", "STORE", "d", "STOREDIST",
           "e"});
  d->same({"COMMAND", "GETKEYS", "GEORADIUS", "k", "0", "0", "10", "km"});
  d->same({"COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "k", "m", "10", "km", "STORE", "d"});
  d->same(
      {"COMMAND", "GETKEYS", "GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "1", "m"});
  d->same({"COMMAND", "GETKEYS", "GEOADD", "k", "1", "2", "m"});
}

// GEOADD is journaled as the ZADD Redis propagates; a STORE search as sent.
TEST(geo_aof, journal_matches_redis) {
  expect_same_aof(
      {{"GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
       {"GEOADD", "g", "NX", "CH", "13.361389", "38.115556", "Palermo", "1", "2", "x"},
       {"GEOADD", "g", "XX", "13.361389", "38.115556", "Palermo"},
       {"GEORADIUS", "g", "15", "37", "200", "km", "STORE", "o"},
       {"GEORADIUS", "g", "15", "37", "200", "km"},
       {"GEOSEARCHSTORE", "o2", "g", "FROMMEMBER", "x", "BYRADIUS", "1000", "km", "STOREDIST"},
       {"GEOSEARCHSTORE", "o2", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"},
       {"SET", "end", "1"}});
}
