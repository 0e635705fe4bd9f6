#include "tools/benchmark/test_catalog.hpp"

#include <initializer_list>

namespace troupe::bench {

namespace {

test_spec single(std::string title, command_template request, int payload) {
  test_spec t;
  t.title = std::move(title);
  t.ops.push_back({"", std::move(request), 1});
  t.payload_size = payload;
  return t;
}

bool any_selected(const options& o, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (test_selected(o, n)) return true;
  }
  return false;
}

}  // namespace

std::vector<test_spec> build_tests(const options& o, const std::string& stdin_arg) {
  const std::string data = make_payload(size_t(o.data_size));
  const int payload = o.data_size;
  std::vector<test_spec> tests;

  if (!o.command.empty()) {
    std::vector<std::string> args = o.command;
    std::string title;
    for (const auto& a : args) title += (title.empty() ? "" : " ") + a;
    if (o.stdin_arg) args.push_back(stdin_arg);
    auto request = make_command(args, data);
    // As redis-benchmark: the payload of a custom command is its encoded size.
    const int size = int(request.bytes.size());
    tests.push_back(single(title, std::move(request), size));
    return tests;
  }

  if (o.ratio) {
    test_spec t;
    t.title = "SET:GET " + std::to_string(o.ratio->first) + ":" + std::to_string(o.ratio->second);
    if (o.ratio->first > 0) {
      t.ops.push_back(
          {"SET", make_command({"SET", "key:__rand_int__", data}), uint32_t(o.ratio->first)});
    }
    if (o.ratio->second > 0) {
      t.ops.push_back(
          {"GET", make_command({"GET", "key:__rand_int__"}), uint32_t(o.ratio->second)});
    }
    t.payload_size = payload;
    tests.push_back(std::move(t));
    return tests;
  }

  auto add = [&](const char* title, std::vector<std::string> args) {
    tests.push_back(single(title, make_command(args), payload));
  };
  if (any_selected(o, {"ping_inline", "ping"})) {
    tests.push_back(single("PING_INLINE", make_inline("PING\r\n"), payload));
  }
  if (any_selected(o, {"ping_mbulk", "ping"})) add("PING_MBULK", {"PING"});
  if (test_selected(o, "set")) add("SET", {"SET", "key:__rand_int__", data});
  if (test_selected(o, "get")) add("GET", {"GET", "key:__rand_int__"});
  if (test_selected(o, "incr")) add("INCR", {"INCR", "counter:__rand_int__"});
  if (test_selected(o, "lpush")) add("LPUSH", {"LPUSH", "mylist", data});
  if (test_selected(o, "rpush")) add("RPUSH", {"RPUSH", "mylist", data});
  if (test_selected(o, "lpop")) add("LPOP", {"LPOP", "mylist"});
  if (test_selected(o, "rpop")) add("RPOP", {"RPOP", "mylist"});
  if (test_selected(o, "sadd")) add("SADD", {"SADD", "myset", "element:__rand_int__"});
  if (test_selected(o, "hset")) add("HSET", {"HSET", "myhash", "element:__rand_int__", data});
  if (test_selected(o, "spop")) add("SPOP", {"SPOP", "myset"});
  if (test_selected(o, "zadd")) {
    // Without -r the score must still be a number.
    add("ZADD", {"ZADD", "myzset", o.random_keys ? "__rand_int__" : "0", "element:__rand_int__"});
  }
  if (test_selected(o, "zpopmin")) add("ZPOPMIN", {"ZPOPMIN", "myzset"});
  if (any_selected(o, {"lrange", "lrange_100", "lrange_300", "lrange_500", "lrange_600"})) {
    add("LPUSH (needed to benchmark LRANGE)", {"LPUSH", "mylist", data});
  }
  if (any_selected(o, {"lrange", "lrange_100"})) {
    add("LRANGE_100 (first 100 elements)", {"LRANGE", "mylist", "0", "99"});
  }
  if (any_selected(o, {"lrange", "lrange_300"})) {
    add("LRANGE_300 (first 300 elements)", {"LRANGE", "mylist", "0", "299"});
  }
  if (any_selected(o, {"lrange", "lrange_500"})) {
    add("LRANGE_500 (first 500 elements)", {"LRANGE", "mylist", "0", "499"});
  }
  if (any_selected(o, {"lrange", "lrange_600"})) {
    add("LRANGE_600 (first 600 elements)", {"LRANGE", "mylist", "0", "599"});
  }
  if (test_selected(o, "mset")) {
    std::vector<std::string> args{"MSET"};
    for (int k = 0; k < 10; ++k) {
      args.push_back("key:__rand_int__");
      args.push_back(data);
    }
    add("MSET (10 keys)", args);
  }
  return tests;
}

}  // namespace troupe::bench
