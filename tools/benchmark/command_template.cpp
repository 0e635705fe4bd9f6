#include "tools/benchmark/command_template.hpp"

#include "protocol/resp/resp_value.hpp"

namespace troupe::bench {

namespace {
void find_placeholders(command_template& t) {
  size_t pos = 0;
  while ((pos = t.bytes.find(rand_placeholder, pos)) != std::string::npos) {
    t.rand_offsets.push_back(uint32_t(pos));
    pos += rand_placeholder.size();
  }
}

std::string replace_all(std::string s, std::string_view from, const std::string& to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}
}  // namespace

command_template make_command(const std::vector<std::string>& args, const std::string& data) {
  std::vector<std::string> expanded;
  expanded.reserve(args.size());
  for (const auto& a : args) expanded.push_back(replace_all(a, data_placeholder, data));
  std::vector<std::string_view> views(expanded.begin(), expanded.end());
  command_template t;
  append_command(t.bytes, views);
  find_placeholders(t);
  return t;
}

command_template make_inline(std::string raw) {
  command_template t;
  t.bytes = std::move(raw);
  find_placeholders(t);
  return t;
}

std::string make_payload(size_t size) {
  // A 32-bit linear congruential generator from a fixed seed; each byte is
  // '0' plus 6 of its bits, so it stays printable ('0' to 'o').
  std::string out(size, '\0');
  uint32_t state = 1234;
  for (auto& c : out) {
    state = state * 1103515245u + 12345u;
    c = char('0' + ((state >> 16) & 63));
  }
  return out;
}

}  // namespace troupe::bench
