#include "storage/dispatch/monitor_line.hpp"

#include <cstdio>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/split_args.hpp"
#include "storage/dispatch/redacted_arguments.hpp"

namespace troupe {

bool shown_by_monitor(const command_spec& cmd) {
  return !(cmd.flags & (cmd_admin | cmd_skip_monitor));
}

std::string monitor_line(int64_t unix_us, int db, std::string_view source,
                         const std::vector<std::string_view>& args) {
  std::string line;
  line.reserve(48 + source.size() + args.size() * 8);
  char head[64];
  int n = std::snprintf(head, sizeof head, "+%lld.%06lld [%d ",
                        static_cast<long long>(unix_us / 1000000),
                        static_cast<long long>(unix_us % 1000000), db);
  line.append(head, size_t(n));
  line += source;
  line += ']';
  for (std::string_view a : redact_arguments(args)) {
    line += ' ';
    line += repr_string(a);
  }
  line += "\r\n";
  return line;
}

}  // namespace troupe
