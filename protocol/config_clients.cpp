// Directives about clients and what they are sent: client-output-buffer-limit
// and notify-keyspace-events (parsed here, applied by the server).
#include <array>
#include <sstream>

#include "protocol/config_directives.hpp"
#include "protocol/numbers.hpp"
#include "protocol/split_args.hpp"

namespace troupe {

std::optional<std::string> parse_output_limits(const std::vector<std::string>& args,
                                               const std::string& current, std::string& value) {
  // Start from the current three classes and replace the ones given.
  std::vector<std::string> cur = split_args(current).value_or(std::vector<std::string>{});
  std::vector<std::string> classes = {"normal", "slave", "pubsub"};
  std::vector<std::array<int64_t, 3>> limits(3, {0, 0, 0});
  for (size_t i = 0; i + 3 < cur.size(); i += 4) {
    for (size_t c = 0; c < 3; ++c)
      if (cur[i] == classes[c])
        for (int k = 0; k < 3; ++k)
          limits[c][size_t(k)] = parse_memory(cur[i + 1 + size_t(k)]).value_or(0);
  }
  if (args.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
  for (size_t i = 0; i < args.size(); i += 4) {
    std::string cls = args[i];
    for (auto& ch : cls) ch = char(tolower(static_cast<unsigned char>(ch)));
    if (cls == "replica") cls = "slave";
    size_t c = 0;
    while (c < 3 && classes[c] != cls) ++c;
    if (c == 3) return "Invalid client class specified in buffer limit configuration.";
    for (int k = 0; k < 3; ++k) {
      auto v = parse_memory(args[i + 1 + size_t(k)]);
      if (!v || *v < 0)
        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      limits[c][size_t(k)] = *v;
    }
  }
  std::ostringstream o;
  for (size_t c = 0; c < 3; ++c) {
    if (c) o << ' ';
    o << classes[c] << ' ' << limits[c][0] << ' ' << limits[c][1] << ' ' << limits[c][2];
  }
  value = o.str();
  return std::nullopt;
}

std::optional<uint32_t> parse_notify_flags(std::string_view s);
std::string notify_flags_to_string(uint32_t flags);

void define_client_directives(config_registry& reg) {
  config_directive cobl;
  cobl.name = "client-output-buffer-limit";
  cobl.type = config_type::special;
  cobl.multi_arg = true;
  cobl.default_value = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
  cobl.comment =
      "Per client class (normal, replica, pubsub): hard limit, soft limit and soft seconds of "
      "unsent output before the client is closed (0: no limit).";
  cobl.parse = [](const std::vector<std::string>& args, const std::string& current, bool,
                  std::string& value) { return parse_output_limits(args, current, value); };
  reg.define(cobl);

  config_directive nke;
  nke.name = "notify-keyspace-events";
  nke.type = config_type::special;
  nke.default_value = "";
  nke.comment =
      "Keyspace events published to __keyspace@<db>__ (K) and __keyevent@<db>__ (E) channels: "
      "g$lshzxetdmn, A for all.";
  nke.parse = [](const std::vector<std::string>& args, const std::string&, bool,
                 std::string& value) -> std::optional<std::string> {
    if (args.size() != 1) return "wrong number of arguments";
    auto f = parse_notify_flags(args[0]);
    if (!f) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    value = notify_flags_to_string(*f);
    return std::nullopt;
  };
  reg.define(nke);
}

}  // namespace troupe
