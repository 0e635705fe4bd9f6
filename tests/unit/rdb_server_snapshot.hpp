// For the RDB and DUMP/RESTORE integration tests: fills a server with every
// type in every encoding, and reads a whole keyspace back as canonical lines
// (rdb_canonical.hpp). Only needs a RESP client.
#pragma once
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "protocol/resp/resp_client.hpp"
#include "rdb_canonical.hpp"

namespace troupe::rdb_test {

// Sends commands pipelined; returns the replies.
inline std::vector<resp_value> pipeline(resp_client& c,
                                        const std::vector<std::vector<std::string>>& cmds) {
  for (auto& cmd : cmds) c.append(cmd);
  std::vector<resp_value> out;
  if (!c.flush()) return out;
  for (size_t i = 0; i < cmds.size(); ++i) out.push_back(c.read_reply());
  return out;
}

// The commands that create every type in every encoding Redis 7.0 has: int,
// embstr, raw and LZF-compressible strings; small lists and lists of many
// nodes; listpack and hashtable hashes (by count and by length); intset and
// hashtable sets; listpack and skiplist sorted sets; TTLs; several databases.
inline std::vector<std::vector<std::string>> every_type_commands(int64_t now_ms) {
  std::mt19937_64 rng(1234);
  auto rnd = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& ch : s) ch = char(rng());
    return s;
  };
  std::vector<std::vector<std::string>> c;
  c.push_back({"SELECT", "0"});
  for (const char* v : {"0", "-1", "127", "-128", "300", "-40000", "2147483647", "-2147483648",
                        "2147483648", "9223372036854775807", "007", "hello", ""})
    c.push_back({"SET", std::string("s:") + v, v});
  c.push_back({"SET", "s:raw", std::string(60, 'r') + "x"});
  c.push_back({"SET", "s:lzf", std::string(5000, 'z') + "end"});
  c.push_back({"SET", "s:bin", rnd(3000)});
  c.push_back(
      {"SET", "s:text", "the quick brown fox jumps over the lazy dog, the quick brown fox"});
  c.push_back({"RPUSH", "l:small", "a", "1", "-70000", "b", ""});
  std::vector<std::string> big = {"RPUSH", "l:big"};
  for (int i = 0; i < 3000; ++i)
    big.push_back(i % 3 ? std::to_string(i * 7919) : "v" + std::to_string(i));
  c.push_back(big);
  c.push_back({"RPUSH", "l:huge", std::string(16378, 'q'), rnd(20000), "tail"});
  c.push_back({"HSET", "h:small", "f1", "v1", "n", "12345", "empty", ""});
  std::vector<std::string> h = {"HSET", "h:big"};
  for (int i = 0; i < 700; ++i) {
    h.push_back("field" + std::to_string(i));
    h.push_back(std::to_string(i * 3));
  }
  c.push_back(h);
  c.push_back({"HSET", "h:long", "a", std::string(100, 'x'), "b", "2"});
  c.push_back({"SADD", "set:int", "1", "2", "-3", "100000", "5000000000"});
  std::vector<std::string> si = {"SADD", "set:bigint"};
  for (int i = 0; i < 600; ++i) si.push_back(std::to_string(i * 11));
  c.push_back(si);
  c.push_back({"SADD", "set:str", "a", "b", "1", "cc", rnd(30)});
  c.push_back({"ZADD", "z:small", "1", "a", "2.5", "b", "-1e300", "c", "inf", "d", "-inf", "e",
               "0.1", "f", "12", "12", "3", "x"});
  std::vector<std::string> z = {"ZADD", "z:big"};
  for (int i = 0; i < 300; ++i) {
    z.push_back(std::to_string(i * 0.25 - 7));
    z.push_back("m" + std::to_string(i));
  }
  c.push_back(z);
  c.push_back({"ZADD", "z:long", "3", std::string(80, 'm'), "4", "n"});
  c.push_back({"SET", "ttl:s", "v", "PXAT", std::to_string(now_ms + 3600000)});
  c.push_back({"HSET", "ttl:h", "a", "b"});
  c.push_back({"PEXPIREAT", "ttl:h", std::to_string(now_ms + 7200000)});
  c.push_back({"SELECT", "3"});
  c.push_back({"SET", "db3:s", "three"});
  c.push_back({"RPUSH", "db3:l", "x", "y"});
  c.push_back({"SELECT", "15"});
  c.push_back({"SADD", "db15:set", "p", "q"});
  c.push_back({"SELECT", "0"});
  return c;
}

// Every key of databases 0..15 as canonical lines, sorted.
inline std::vector<std::string> snapshot(resp_client& c) {
  std::vector<std::string> out;
  for (int db = 0; db < 16; ++db) {
    c.call({"SELECT", std::to_string(db)});
    resp_value keys = c.call({"KEYS", "*"});
    for (auto& kv : keys.elements) {
      const std::string& k = kv.str;
      auto r = pipeline(c, {{"TYPE", k}, {"OBJECT", "ENCODING", k}, {"PEXPIRETIME", k}});
      std::string type = r[0].str, enc = r[1].str;
      int64_t expire = r[2].integer;
      std::vector<std::string> items;
      if (type == "string") {
        items.push_back(c.call({"GET", k}).str);
      } else if (type == "list") {
        for (auto& e : c.call({"LRANGE", k, "0", "-1"}).elements) items.push_back(e.str);
      } else if (type == "hash") {
        auto v = c.call({"HGETALL", k});
        for (size_t i = 0; i + 1 < v.elements.size(); i += 2)
          items.push_back(v.elements[i].str + "=" + v.elements[i + 1].str);
        std::sort(items.begin(), items.end());
      } else if (type == "set") {
        for (auto& e : c.call({"SMEMBERS", k}).elements) items.push_back(e.str);
        std::sort(items.begin(), items.end());
      } else if (type == "zset") {
        auto v = c.call({"ZRANGE", k, "0", "-1", "WITHSCORES"});
        for (size_t i = 0; i + 1 < v.elements.size(); i += 2)
          items.push_back(v.elements[i].str + "@" + score_text(v.elements[i + 1].str));
      }
      out.push_back(canon(db, k, type, enc, expire, items));
    }
  }
  c.call({"SELECT", "0"});
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace troupe::rdb_test
