#include "storage/scripting/script_flags.hpp"

namespace troupe {
namespace {

struct named_flag {
  std::string_view name;
  uint32_t bit;
};

constexpr named_flag script_flag_table[] = {
    {"no-writes", script_no_writes},
    {"allow-oom", script_allow_oom},
    {"allow-stale", script_allow_stale},
    {"no-cluster", script_no_cluster},
    {"allow-cross-slot-keys", script_allow_cross_slot},
};

}  // namespace

uint32_t script_flag_by_name(std::string_view name) {
  for (auto& f : script_flag_table)
    if (f.name == name) return f.bit;
  return 0;
}

std::vector<std::string_view> script_flag_names(uint32_t flags) {
  std::vector<std::string_view> out;
  for (auto& f : script_flag_table)
    if (flags & f.bit) out.push_back(f.name);
  return out;
}

bool parse_eval_shebang(std::string_view body, uint32_t& flags, std::string& err) {
  flags = 0;
  if (body.substr(0, 2) != "#!") {
    flags = script_no_shebang;
    return true;
  }
  size_t eol = body.find('\n');
  if (eol == std::string_view::npos) {
    err = "ERR Invalid script shebang";
    return false;
  }
  std::string_view line = body.substr(0, eol);
  // "#!<engine>" then space separated name=value parts.
  size_t sp = line.find(' ');
  std::string_view engine = line.substr(2, sp == std::string_view::npos ? line.npos : sp - 2);
  if (engine != "lua") {
    err = "ERR Unexpected engine in script shebang: ";
    err.append(line);
    return false;
  }
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  while (!rest.empty()) {
    size_t next = rest.find(' ');
    std::string_view part = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    if (part.empty()) continue;
    if (part.substr(0, 6) != "flags=") {
      err = "ERR Unknown lua shebang option: ";
      err.append(part);
      return false;
    }
    std::string_view list = part.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      uint32_t bit = script_flag_by_name(name);
      if (bit == 0) {
        err = "ERR Unexpected flag in script shebang: ";
        err.append(name);
        return false;
      }
      flags |= bit;
    }
  }
  return true;
}

}  // namespace troupe
