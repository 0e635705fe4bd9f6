#include "protocol/commands/command_docs.hpp"

#include "protocol/commands/key_specs.hpp"

#include <cctype>

namespace troupe {
namespace {

bool is_token(const std::string& w) {
  bool has_alpha = false;
  for (char c : w) {
    if (islower(static_cast<unsigned char>(c))) return false;
    if (isupper(static_cast<unsigned char>(c))) has_alpha = true;
  }
  return has_alpha;
}

std::string type_for(const std::string& name) {
  if (name == "key" || name == "destkey" || name == "newkey" || name == "source" ||
      name == "destination")
    return "key";
  if (name == "pattern") return "pattern";
  if (name.rfind("unix-time", 0) == 0) return "unix-time";
  static const char* ints[] = {
      "seconds", "milliseconds", "count",   "offset",         "start",   "end",       "index",
      "index1",  "index2",       "db",      "destination-db", "numkeys", "client-id", "cursor",
      "timeout", "increment",    "version", "decrement",      "bit",     "protover",  "limit"};
  for (auto* i : ints)
    if (name == i) return "integer";
  if (name == "increment" || name == "score") return "double";
  return "string";
}

std::vector<std::string> tokenize(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (char c : s) {
    if (c == ' ') {
      flush();
    } else if (c == '[' || c == ']' || c == '|') {
      flush();
      out.push_back(std::string(1, c));
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return out;
}

doc_argument make_leaf(const std::string& word) {
  doc_argument a;
  if (is_token(word)) {
    a.name = word;
    for (auto& ch : a.name) ch = char(tolower(static_cast<unsigned char>(ch)));
    a.type = "pure-token";
    a.token = word;
  } else {
    a.name = word;
    a.type = type_for(word);
  }
  return a;
}

// Parses tokens[pos..] until ']' or end into a list of alternatives, each a
// sequence of arguments.
std::vector<std::vector<doc_argument>> parse_alternatives(const std::vector<std::string>& t,
                                                          size_t& pos) {
  std::vector<std::vector<doc_argument>> alts(1);
  while (pos < t.size() && t[pos] != "]") {
    const std::string& w = t[pos];
    auto& seq = alts.back();
    if (w == "|") {
      alts.emplace_back();
      ++pos;
    } else if (w == "[") {
      ++pos;
      auto inner = parse_alternatives(t, pos);
      if (pos < t.size()) ++pos;  // ']'
      // "[key ...]" after "key": the previous argument repeats.
      bool repeat = inner.size() == 1 && !inner[0].empty() && inner[0].back().name == "...";
      if (repeat && !seq.empty()) {
        seq.back().multiple = true;
        continue;
      }
      doc_argument a;
      if (inner.size() > 1) {
        a.type = "oneof";
        for (auto& alt : inner) {
          if (alt.size() == 1) {
            a.children.push_back(alt[0]);
          } else {
            doc_argument b;
            b.type = "block";
            b.children = alt;
            b.name = alt.empty() ? "" : alt.back().name;
            a.children.push_back(b);
          }
        }
        a.name = a.children.empty() ? "" : a.children[0].name;
        a.optional = true;
        seq.push_back(a);
      } else if (inner[0].size() == 1) {
        inner[0][0].optional = true;
        seq.push_back(inner[0][0]);
      } else if (!inner[0].empty()) {
        a.type = "block";
        a.children = inner[0];
        a.name = inner[0].back().name;
        a.optional = true;
        seq.push_back(a);
      }
    } else if (w == "...") {
      if (!seq.empty()) seq.back().multiple = true;
      doc_argument dots;
      dots.name = "...";
      seq.push_back(dots);
      ++pos;
    } else {
      doc_argument a = make_leaf(w);
      // "EX seconds": a token followed by its value is one argument.
      if (a.type == "pure-token" && pos + 1 < t.size() && !is_token(t[pos + 1]) &&
          t[pos + 1] != "[" && t[pos + 1] != "]" && t[pos + 1] != "|" && t[pos + 1] != "...") {
        doc_argument v = make_leaf(t[pos + 1]);
        v.token = w;
        seq.push_back(v);
        pos += 2;
        continue;
      }
      seq.push_back(a);
      ++pos;
    }
  }
  // Drop "..." markers that were folded into `multiple`.
  for (auto& seq : alts) {
    std::vector<doc_argument> kept;
    for (auto& a : seq)
      if (a.name != "..." || a.type == "pure-token") kept.push_back(a);
    if (kept.size() != seq.size() && kept.empty() && !seq.empty()) kept.push_back(seq[0]);
    seq = kept;
  }
  return alts;
}

void write_argument(reply_writer& out, const doc_argument& a) {
  size_t fields = 2 + (a.key_spec_index >= 0) + !a.token.empty() + (a.optional || a.multiple) +
                  !a.children.empty();
  out.map(fields);
  out.bulk("name");
  out.bulk(a.name);
  out.bulk("type");
  out.bulk(a.type);
  if (a.key_spec_index >= 0) {
    out.bulk("key_spec_index");
    out.integer(a.key_spec_index);
  }
  if (!a.token.empty()) {
    out.bulk("token");
    out.bulk(a.token);
  }
  if (a.optional || a.multiple) {
    out.bulk("flags");
    out.set(size_t(a.optional) + size_t(a.multiple));
    if (a.optional) out.simple("optional");
    if (a.multiple) out.simple("multiple");
  }
  if (!a.children.empty()) {
    out.bulk("arguments");
    out.array(a.children.size());
    for (auto& ch : a.children) write_argument(out, ch);
  }
}

void write_spec_flags(reply_writer& out, uint16_t flags) {
  auto names = key_flag_names(flags);
  out.set(names.size());
  for (auto n : names) out.simple(n);
}

// A key spec as Redis's COMMAND INFO writes it.
void write_key_spec(reply_writer& out, const key_spec_row& s) {
  out.map(3 + (s.notes != nullptr));
  if (s.notes != nullptr) {
    out.bulk("notes");
    out.bulk(s.notes);
  }
  out.bulk("flags");
  write_spec_flags(out, s.flags);
  out.bulk("begin_search");
  out.map(2);
  out.bulk("type");
  if (s.search == key_search::index) {
    out.bulk("index");
    out.bulk("spec");
    out.map(1);
    out.bulk("index");
    out.integer(s.search_arg);
  } else if (s.search == key_search::keyword) {
    out.bulk("keyword");
    out.bulk("spec");
    out.map(2);
    out.bulk("keyword");
    out.bulk(s.keyword);
    out.bulk("startfrom");
    out.integer(s.search_arg);
  } else {
    out.bulk("unknown");
    out.bulk("spec");
    out.map(0);
  }
  out.bulk("find_keys");
  out.map(2);
  out.bulk("type");
  if (s.find == key_find::unknown) {
    out.bulk("unknown");
    out.bulk("spec");
    out.map(0);
    return;
  }
  bool range = s.find == key_find::range;
  out.bulk(range ? "range" : "keynum");
  out.bulk("spec");
  out.map(3);
  out.bulk(range ? "lastkey" : "keynumidx");
  out.integer(s.find_a);
  out.bulk(range ? "keystep" : "firstkey");
  out.integer(s.find_b);
  out.bulk(range ? "limit" : "keystep");
  out.integer(s.find_c);
}

void write_key_specs(reply_writer& out, const command_spec& cmd) {
  // Redis's own specs for its commands; one derived from the key positions
  // for Troupe's (extension commands).
  auto specs = key_specs_of(cmd.name);
  if (!specs.empty()) {
    out.array(specs.size());
    for (const auto& s : specs) write_key_spec(out, s);
    return;
  }
  if (cmd.first_key <= 0) {
    out.array(0);
    return;
  }
  out.array(1);
  out.map(3);
  out.bulk("flags");
  bool write = cmd.flags & cmd_write;
  out.set(2);
  out.simple(write ? "RW" : "RO");
  out.simple(write ? "update" : "access");
  out.bulk("begin_search");
  out.map(2);
  out.bulk("type");
  out.bulk("index");
  out.bulk("spec");
  out.map(1);
  out.bulk("index");
  out.integer(cmd.first_key);
  out.bulk("find_keys");
  out.map(2);
  out.bulk("type");
  out.bulk("range");
  out.bulk("spec");
  out.map(3);
  out.bulk("lastkey");
  out.integer(cmd.last_key < 0 ? cmd.last_key : cmd.last_key - cmd.first_key);
  out.bulk("keystep");
  out.integer(cmd.key_step);
  out.bulk("limit");
  out.integer(0);
}

std::string display_name(const command_spec& cmd) {
  return cmd.name;
}

}  // namespace

std::vector<doc_argument> parse_syntax(const std::string& syntax) {
  auto tokens = tokenize(syntax);
  size_t pos = 0;
  auto alts = parse_alternatives(tokens, pos);
  std::vector<doc_argument> args;
  if (alts.size() == 1) {
    args = alts[0];
  } else {
    doc_argument a;
    a.type = "oneof";
    for (auto& alt : alts)
      if (!alt.empty()) a.children.push_back(alt[0]);
    a.name = a.children.empty() ? "" : a.children[0].name;
    args.push_back(a);
  }
  // Troupe describes each command's keys with one key spec, index 0.
  for (auto& a : args)
    if (a.type == "key") a.key_spec_index = 0;
  return args;
}

void write_command_docs(reply_writer& out, const command_spec& cmd) {
  auto args = parse_syntax(cmd.syntax);
  // "deprecated" (since 6.2.0, most of Redis's) or "deprecated <version>".
  bool deprecated = cmd.doc_flags.rfind("deprecated", 0) == 0;
  std::string deprecated_since =
      cmd.doc_flags.size() > 11 ? cmd.doc_flags.substr(11) : std::string("6.2.0");
  bool syscmd = cmd.doc_flags == "syscmd";  // Redis's internal commands (PFDEBUG...)
  // A command without a complexity (LOLWUT) has no such field, as in Redis.
  size_t fields = 3 + !cmd.complexity.empty() + (deprecated ? 3 : 0) + syscmd + !args.empty() +
                  cmd.has_subcommands();
  out.map(fields);
  out.bulk("summary");
  out.bulk(cmd.summary);
  out.bulk("since");
  out.bulk(cmd.since);
  out.bulk("group");
  out.bulk(cmd.group);
  if (!cmd.complexity.empty()) {
    out.bulk("complexity");
    out.bulk(cmd.complexity);
  }
  if (deprecated) {
    out.bulk("doc_flags");
    out.set(1);
    out.simple("deprecated");
    out.bulk("deprecated_since");
    out.bulk(deprecated_since);
    out.bulk("replaced_by");
    out.bulk(cmd.replaced_by);
  }
  if (syscmd) {
    out.bulk("doc_flags");
    out.set(1);
    out.simple("syscmd");
  }
  if (!args.empty()) {
    out.bulk("arguments");
    out.array(args.size());
    for (auto& a : args) write_argument(out, a);
  }
  if (cmd.has_subcommands()) {
    out.bulk("subcommands");
    out.map(cmd.subcommands.size());
    for (auto& sub : cmd.subcommands) {
      out.bulk(display_name(*sub));
      write_command_docs(out, *sub);
    }
  }
}

void write_command_info(reply_writer& out, const command_spec& cmd) {
  out.array(10);
  out.bulk(display_name(cmd));
  out.integer(cmd.arity);
  auto flags = flag_names(cmd.flags);
  out.set(flags.size());
  for (auto f : flags) out.simple(f);
  out.integer(cmd.first_key);
  out.integer(cmd.last_key);
  out.integer(cmd.key_step);
  auto cats = acl_category_names(cmd.acl);
  out.set(cats.size());
  for (auto c : cats) {
    std::string name = "@";
    name.append(c);
    out.simple(name);
  }
  out.set(0);  // tips
  write_key_specs(out, cmd);
  out.array(cmd.subcommands.size());
  for (auto& sub : cmd.subcommands) write_command_info(out, *sub);
}

}  // namespace troupe
