// The `__sentinel__:hello` message Sentinels publish on every monitored
// instance every 2 s: "ip,port,runid,current_epoch,master_name,master_ip,
// master_port,master_config_epoch" (sentinelSendHello), and its reading
// (sentinelProcessHelloMessage: exactly 8 comma-separated tokens, numbers
// read with atoi/strtoull).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe::sentinel {

constexpr std::string_view hello_channel = "__sentinel__:hello";

struct hello_message {
  std::string ip;  // the sending sentinel's announced address
  int port = 0;
  std::string runid;
  uint64_t current_epoch = 0;
  std::string master_name;
  std::string master_ip;
  int master_port = 0;
  uint64_t master_config_epoch = 0;
  bool operator==(const hello_message&) const = default;
};

std::string format_hello(const hello_message& h);
// nullopt unless there are exactly 8 tokens.
std::optional<hello_message> parse_hello(std::string_view payload);

}  // namespace troupe::sentinel
