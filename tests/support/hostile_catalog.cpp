#include "hostile_catalog.hpp"

#include <algorithm>
#include <set>

namespace troupe::test {
namespace {

std::string lower(std::string s) {
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
std::string upper(std::string s) {
  for (auto& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// A RESP2 map is a flat array: key, value, key, value...
const resp_value* field(const resp_value& m, const std::string& key) {
  for (size_t i = 0; i + 1 < m.elements.size(); i += 2)
    if (m.elements[i].str == key) return &m.elements[i + 1];
  return nullptr;
}

doc_arg parse_arg(const resp_value& m) {
  doc_arg a;
  if (auto* v = field(m, "name")) a.name = v->str;
  if (auto* v = field(m, "type")) a.type = v->str;
  if (auto* v = field(m, "token")) a.token = v->str;
  if (auto* v = field(m, "flags"))
    for (auto& f : v->elements) {
      a.optional |= f.str == "optional";
      a.multiple |= f.str == "multiple";
      a.multiple_token |= f.str == "multiple_token";
    }
  if (auto* v = field(m, "arguments"))
    for (auto& c : v->elements) a.children.push_back(parse_arg(c));
  return a;
}

void collect_tokens(const std::vector<doc_arg>& args, std::set<std::string>& out) {
  for (auto& a : args) {
    if (!a.token.empty()) out.insert(upper(a.token));
    collect_tokens(a.children, out);
  }
}

// COMMAND DOCS <name> from one server: the argument tree, or false if unknown.
bool docs_of(resp_client& c, const std::string& name, std::vector<doc_arg>& out,
             std::string& group) {
  resp_value r = c.call({"COMMAND", "DOCS", name});
  if (r.elements.size() < 2) return false;
  out.clear();
  if (auto* g = field(r.elements[1], "group")) group = g->str;
  if (auto* args = field(r.elements[1], "arguments"))
    for (auto& a : args->elements) out.push_back(parse_arg(a));
  return true;
}

// COMMAND INFO <name>: arity and flags, or false if unknown.
bool info_of(resp_client& c, const std::string& name, fuzz_command& cmd) {
  resp_value r = c.call({"COMMAND", "INFO", name});
  if (r.elements.empty() || r.elements[0].elements.size() < 3) return false;
  const resp_value& info = r.elements[0];
  cmd.arity = int(info.elements[1].integer);
  cmd.flags.clear();
  for (auto& f : info.elements[2].elements) cmd.flags.push_back(f.str);
  cmd.has_subcommands = info.elements.size() > 9 && !info.elements[9].elements.empty();
  return true;
}

}  // namespace

bool fuzz_command::has_flag(const std::string& f) const {
  return std::find(flags.begin(), flags.end(), f) != flags.end();
}

std::vector<fuzz_command> read_catalog(resp_client& troupe, resp_client& redis,
                                       std::string& error) {
  std::vector<fuzz_command> out;
  resp_value names = troupe.call({"COMMAND", "LIST"});
  if (names.elements.empty()) {
    error = "COMMAND LIST from Troupe: " + names.to_string();
    return out;
  }
  for (auto& n : names.elements) {
    fuzz_command cmd;
    cmd.name = lower(n.str);
    size_t bar = cmd.name.find('|');
    cmd.words.push_back(upper(cmd.name.substr(0, bar)));
    if (bar != std::string::npos) cmd.words.push_back(upper(cmd.name.substr(bar + 1)));
    // Redis is the reference for the syntax; Troupe's own table covers a
    // command Redis does not have.
    bool known = info_of(redis, cmd.name, cmd) && docs_of(redis, cmd.name, cmd.args, cmd.group);
    if (!known &&
        !(info_of(troupe, cmd.name, cmd) && docs_of(troupe, cmd.name, cmd.args, cmd.group))) {
      error = "no COMMAND INFO/DOCS for " + cmd.name;
      return {};
    }
    std::set<std::string> tokens;
    collect_tokens(cmd.args, tokens);
    cmd.tokens.assign(tokens.begin(), tokens.end());
    out.push_back(std::move(cmd));
  }
  std::sort(out.begin(), out.end(),
            [](const fuzz_command& a, const fuzz_command& b) { return a.name < b.name; });
  return out;
}

}  // namespace troupe::test
