#include "protocol/commands/key_specs.hpp"

#include <charconv>
#include <string>
#include <unordered_map>

#include "protocol/commands/command_table.hpp"

namespace troupe {

std::vector<std::string_view> key_flag_names(uint16_t flags) {
  static constexpr std::string_view names[] = {
      "RW",     "RO",     "OW",      "RM",         "access",        "update",
      "insert", "delete", "not_key", "incomplete", "variable_flags"};
  std::vector<std::string_view> out;
  for (size_t i = 0; i < std::size(names); ++i)
    if (flags & (1u << i)) out.push_back(names[i]);
  return out;
}

std::span<const key_spec_row> key_specs_of(std::string_view command) {
  static const auto index = [] {
    std::unordered_map<std::string_view, std::span<const key_spec_row>> m;
    size_t i = 0;
    while (i < key_spec_row_count) {
      size_t j = i;
      std::string_view name = key_spec_rows[i].command;
      while (j < key_spec_row_count && name == key_spec_rows[j].command) ++j;
      m.emplace(name, std::span<const key_spec_row>(key_spec_rows + i, j - i));
      i = j;
    }
    return m;
  }();
  auto it = index.find(command);
  return it == index.end() ? std::span<const key_spec_row>{} : it->second;
}

namespace {

// Where the spec's keys begin: the index, or the argument after its keyword
// (searched forwards from startfrom, or backwards when it is negative); 0
// when the keyword is absent.
int begin_of(const key_spec_row& s, const std::vector<std::string_view>& args) {
  int argc = int(args.size());
  if (s.search == key_search::index) return s.search_arg;
  int start = s.search_arg > 0 ? s.search_arg : argc + s.search_arg;
  int end = s.search_arg > 0 ? argc - 1 : 0;
  for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
    if (i >= argc || i < 1) break;
    if (iequals(args[size_t(i)], s.keyword)) return i + 1;
  }
  return 0;
}

// One spec's keys appended to out; false when it cannot be followed.
bool keys_of_spec(const key_spec_row& s, const std::vector<std::string_view>& args, int argc,
                  std::vector<found_key>& out) {
  if (s.flags & key_not_key) return true;
  if (s.search == key_search::unknown || s.find == key_find::unknown) return false;
  int first = begin_of(s, args);
  if (first == 0) return true;  // keyword absent: this spec has no keys here
  int last = 0, step = 1;
  if (s.find == key_find::range) {
    step = s.find_b;
    if (s.find_a >= 0)
      last = first + s.find_a;
    else if (s.find_c == 0)
      last = argc + s.find_a;
    else
      last = first + ((argc - first) / s.find_c + s.find_a);
  } else {
    step = s.find_c;
    if (s.find_a >= argc - first) return false;
    std::string_view text = args[size_t(first + s.find_a)];
    long long numkeys = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), numkeys);
    if (ec != std::errc() || p != text.data() + text.size() || numkeys < 0 || numkeys > argc)
      return false;
    first += s.find_b;
    last = first + int(numkeys) - 1;
  }
  if (last >= argc || last < first || first >= argc) return false;
  if (step <= 0) return false;
  for (int i = first; i <= last; i += step) out.push_back({i, s.flags});
  return !(s.flags & key_incomplete);
}

}  // namespace

bool keys_from_specs(std::span<const key_spec_row> specs, const std::vector<std::string_view>& args,
                     std::vector<found_key>& out, bool partial) {
  int argc = int(args.size());
  for (const key_spec_row& spec : specs)
    if (!keys_of_spec(spec, args, argc, out) && !partial) return false;
  return true;
}

namespace {

// The flags Redis's own key finders give the commands whose specs cannot say
// (variable_flags, unknown, incomplete): SET with GET reads, BITFIELD with
// SET/INCRBY (or anything it cannot parse) writes, SORT's STORE overwrites.
uint16_t flags_from_finder(const command_spec& cmd, const std::vector<std::string_view>& args,
                           int pos, std::span<const key_spec_row> specs) {
  const std::string& n = cmd.name;
  if (n == "set") {
    for (size_t i = 3; i < args.size(); ++i)
      if (iequals(args[i], "get")) return key_RW | key_access | key_update;
    return key_OW | key_update;
  }
  if (n == "bitfield") {
    for (size_t i = 2; i < args.size(); ++i) {
      size_t rest = args.size() - i - 1;
      if (iequals(args[i], "get") && rest >= 2) {
        i += 2;
      } else if (iequals(args[i], "overflow") && rest >= 1) {
        i += 1;
      } else {
        return key_RW | key_access | key_update;
      }
    }
    return key_RO | key_access;
  }
  if ((n == "sort" || n == "sort_ro") && pos != 1) return key_OW | key_update;
  // Otherwise the spec that finds this position when the others are skipped,
  // or the first spec.
  // (Key finders never report the specs' incomplete/variable_flags marks.)
  constexpr uint16_t spec_only = key_incomplete | key_variable_flags;
  std::vector<found_key> partial;
  keys_from_specs(specs, args, partial, true);
  for (auto& k : partial)
    if (k.pos == pos) return k.flags & ~spec_only;
  return specs.empty() ? 0 : specs.front().flags & ~spec_only;
}

}  // namespace

void keys_with_flags(const command_spec& cmd, const std::vector<std::string_view>& args,
                     std::vector<found_key>& out) {
  out.clear();
  auto specs = key_specs_of(cmd.name);
  bool variable = false;
  for (auto& s : specs) variable = variable || (s.flags & key_variable_flags);
  if (!specs.empty() && !variable && keys_from_specs(specs, args, out)) return;
  out.clear();
  std::vector<int> pos;
  if (!cmd.key_positions(args, pos)) return;
  for (int p : pos) out.push_back({p, flags_from_finder(cmd, args, p, specs)});
}

}  // namespace troupe
