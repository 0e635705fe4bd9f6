#include "storage/dispatch/redacted_arguments.hpp"

#include "protocol/commands/command_table.hpp"

namespace troupe {

std::vector<std::string_view> redact_arguments(const std::vector<std::string_view>& args) {
  static constexpr std::string_view redacted = "(redacted)";
  std::vector<std::string_view> out(args);
  if (args.empty()) return out;
  if (iequals(args[0], "auth")) {
    for (size_t i = 1; i < out.size(); ++i) out[i] = redacted;
  } else if (iequals(args[0], "hello")) {
    // HELLO protover [AUTH user pass] [SETNAME name]: options from the third.
    for (size_t i = 2; i < out.size(); ++i) {
      if (iequals(args[i], "auth") && i + 2 < out.size()) {
        out[i + 1] = out[i + 2] = redacted;
        i += 2;
      } else if (iequals(args[i], "setname")) {
        ++i;
      }
    }
  } else if (iequals(args[0], "migrate")) {
    // MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pass | AUTH2 user pass] [KEYS ...]
    for (size_t i = 6; i < out.size(); ++i) {
      if (iequals(args[i], "keys")) break;
      if (iequals(args[i], "auth") && i + 1 < out.size()) {
        out[++i] = redacted;
      } else if (iequals(args[i], "auth2") && i + 2 < out.size()) {
        out[i + 1] = out[i + 2] = redacted;
        i += 2;
      }
    }
  }
  return out;
}

}  // namespace troupe
