#include "dataset_compare.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace troupe::test {
namespace {

std::string joined(std::vector<std::string> items, bool sort) {
  if (sort) std::sort(items.begin(), items.end());
  std::string out;
  for (auto& i : items) {
    out += std::to_string(i.size());
    out += ':';
    out += i;
    out += ',';
  }
  return out;
}

std::vector<std::string> strings_of(const resp_value& v) {
  std::vector<std::string> out;
  for (auto& e : v.elements) out.push_back(e.str);
  return out;
}

}  // namespace

dataset_dump dump_dataset(const server_process& s, int databases) {
  dataset_dump out;
  resp_client c = s.client();
  for (int db = 0; db < databases; ++db) {
    c.call({"SELECT", std::to_string(db)});
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      resp_value r = c.call({"SCAN", cursor, "COUNT", "1000"});
      if (r.elements.size() != 2) {
        out["error"] = "SCAN answered " + r.to_string();
        return out;
      }
      cursor = r.elements[0].str;
      for (auto& k : r.elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (auto& key : keys) {
      std::string type = c.call({"TYPE", key}).str;
      std::string content;
      if (type == "string")
        content = c.call({"GET", key}).str;
      else if (type == "list")
        content = joined(strings_of(c.call({"LRANGE", key, "0", "-1"})), false);
      else if (type == "hash") {
        auto flat = strings_of(c.call({"HGETALL", key}));
        std::vector<std::string> pairs;
        for (size_t i = 0; i + 1 < flat.size(); i += 2)
          pairs.push_back(flat[i] + "=" + flat[i + 1]);
        content = joined(pairs, true);
      } else if (type == "set")
        content = joined(strings_of(c.call({"SMEMBERS", key})), true);
      else if (type == "zset")
        content = joined(strings_of(c.call({"ZRANGE", key, "0", "-1", "WITHSCORES"})), false);
      else
        content = "?";
      int64_t pttl = c.call({"PTTL", key}).integer;
      out[std::to_string(db) + ":" + key] =
          type + "|" + content + "|" + (pttl >= 0 ? "volatile" : "persistent");
    }
  }
  return out;
}

std::string dataset_difference(const dataset_dump& a, const dataset_dump& b) {
  std::string out;
  int shown = 0;
  for (auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end())
      out += "only in the first: " + k + "\n";
    else if (it->second != v)
      out += "differs: " + k + ": " + v.substr(0, 80) + " vs " + it->second.substr(0, 80) + "\n";
    else
      continue;
    if (++shown == 10) return out + "...\n";
  }
  for (auto& [k, v] : b) {
    if (a.count(k)) continue;
    out += "only in the second: " + k + "\n";
    if (++shown == 10) return out + "...\n";
  }
  return out;
}

bool wait_for(const std::function<bool()>& cond, int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

std::string info_field(const server_process& s, const std::string& section,
                       const std::string& field) {
  std::string text = s.call({"INFO", section}).str;
  std::string key = "\n" + field + ":";
  size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return "";
  size_t start = at + key.size() - 1;
  size_t end = text.find('\r', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace troupe::test
