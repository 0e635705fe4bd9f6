// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP,
// with Redis 7.0's fields (consumers show seen-time / idle, not 7.2's
// active-time / inactive).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "storage/commands/stream_support.hpp"

namespace troupe {
namespace {

// Nodes of a radix tree (Redis's rax) holding these 16-byte keys, built by
// insertion only: a compressed node for each shared run of bytes, a branching
// node where keys part, a leaf where a key ends. XINFO's radix-tree-nodes.
size_t radix_nodes(const std::vector<std::array<unsigned char, 16>>& keys, size_t lo, size_t hi,
                   size_t depth) {
  if (depth == 16) return 1;  // the leaf
  size_t common = depth;
  while (common < 16) {
    bool same = true;
    for (size_t i = lo + 1; i < hi && same; ++i) same = keys[i][common] == keys[lo][common];
    if (!same) break;
    ++common;
  }
  size_t nodes = 0;
  if (common > depth) {
    ++nodes;  // compressed node
    if (common == 16) return nodes + 1;
  }
  ++nodes;  // branching node
  for (size_t i = lo; i < hi;) {
    size_t j = i + 1;
    while (j < hi && keys[j][common] == keys[i][common]) ++j;
    nodes += radix_nodes(keys, i, j, common + 1);
    i = j;
  }
  return nodes;
}

size_t radix_tree_nodes(const stream& s) {
  if (s.nodes.empty()) return 1;
  std::vector<std::array<unsigned char, 16>> keys;
  keys.reserve(s.nodes.size());
  for (auto& [id, l] : s.nodes) {
    keys.emplace_back();
    id.encode(keys.back().data());
  }
  return radix_nodes(keys, 0, keys.size(), 0);
}

void reply_lag(exec_context& c, const stream& s, const stream_group& g) {
  int64_t lag = s.group_lag(g);
  if (lag < 0)
    c.out.null();
  else
    c.out.integer(lag);
}

void reply_entries_read(exec_context& c, const stream_group& g) {
  if (g.entries_read == invalid_entries_read)
    c.out.null();
  else
    c.out.integer(g.entries_read);
}

// The key for XINFO: ERR no such key when absent.
stream* info_stream(exec_context& c) {
  bool bad;
  stream* s = read_stream(c, c.key_at(2), bad);
  if (bad) return nullptr;
  if (s == nullptr) c.out.error(errors::no_such_key);
  return s;
}

void stream_header(exec_context& c, const stream& s) {
  c.out.bulk("length");
  c.out.integer(int64_t(s.length));
  c.out.bulk("radix-tree-keys");
  c.out.integer(int64_t(s.nodes.size()));
  c.out.bulk("radix-tree-nodes");
  c.out.integer(int64_t(radix_tree_nodes(s)));
  c.out.bulk("last-generated-id");
  c.out.bulk(s.last_id.str());
  c.out.bulk("max-deleted-entry-id");
  c.out.bulk(s.max_deleted_id.str());
  c.out.bulk("entries-added");
  c.out.integer(int64_t(s.entries_added));
  c.out.bulk("recorded-first-entry-id");
  c.out.bulk(s.first_id.str());
}

void edge_entry(exec_context& c, const stream& s, bool last) {
  bool found = false;
  s.range({}, stream_id::max(), last, [&](const stream_entry& e) {
    reply_stream_entry(c, e);
    found = true;
    return false;
  });
  if (!found) c.out.null();
}

void full_groups(exec_context& c, const stream& s, size_t count) {
  c.out.array(s.groups.size());
  for (auto& [name, g] : s.groups) {
    c.out.map(7);
    c.out.bulk("name");
    c.out.bulk(name);
    c.out.bulk("last-delivered-id");
    c.out.bulk(g->last_id.str());
    c.out.bulk("entries-read");
    reply_entries_read(c, *g);
    c.out.bulk("lag");
    reply_lag(c, s, *g);
    c.out.bulk("pel-count");
    c.out.integer(int64_t(g->pel.size()));
    c.out.bulk("pending");
    size_t n = count == 0 ? g->pel.size() : std::min(count, g->pel.size());
    c.out.array(n);
    auto it = g->pel.begin();
    for (size_t i = 0; i < n; ++i, ++it) {
      c.out.array(4);
      c.out.bulk(it->first.str());
      c.out.bulk(it->second.consumer ? std::string_view(it->second.consumer->name)
                                     : std::string_view());
      c.out.integer(it->second.delivery_time);
      c.out.integer(int64_t(it->second.delivery_count));
    }
    c.out.bulk("consumers");
    c.out.array(g->consumers.size());
    for (auto& [cname, cons] : g->consumers) {
      c.out.map(4);
      c.out.bulk("name");
      c.out.bulk(cname);
      c.out.bulk("seen-time");
      c.out.integer(cons->seen_time);
      c.out.bulk("pel-count");
      c.out.integer(int64_t(cons->pel.size()));
      c.out.bulk("pending");
      size_t m = count == 0 ? cons->pel.size() : std::min(count, cons->pel.size());
      c.out.array(m);
      auto p = cons->pel.begin();
      for (size_t i = 0; i < m; ++i, ++p) {
        c.out.array(3);
        c.out.bulk(p->first.str());
        c.out.integer(p->second->delivery_time);
        c.out.integer(int64_t(p->second->delivery_count));
      }
    }
  }
}

void cmd_xinfo_stream(exec_context& c) {
  stream* s = info_stream(c);
  if (s == nullptr) return;
  size_t rest = c.argc() - 3;
  if (rest == 0) {
    c.out.map(10);
    stream_header(c, *s);
    c.out.bulk("groups");
    c.out.integer(int64_t(s->groups.size()));
    c.out.bulk("first-entry");
    edge_entry(c, *s, false);
    c.out.bulk("last-entry");
    edge_entry(c, *s, true);
    return;
  }
  if (!c.arg_is(3, "full")) return c.subcommand_syntax_error();
  int64_t count = 10;
  if (rest > 1) {
    if (rest != 3 || !c.arg_is(4, "count")) return c.subcommand_syntax_error();
    if (!c.int_arg(5, count)) return;
    if (count < 0) count = 10;
  }
  c.out.map(9);
  stream_header(c, *s);
  c.out.bulk("entries");
  reply_stream_range(c, *s, {}, stream_id::max(), size_t(count), false);
  c.out.bulk("groups");
  full_groups(c, *s, size_t(count));
}

void cmd_xinfo_groups(exec_context& c) {
  stream* s = info_stream(c);
  if (s == nullptr) return;
  c.out.array(s->groups.size());
  for (auto& [name, g] : s->groups) {
    c.out.map(6);
    c.out.bulk("name");
    c.out.bulk(name);
    c.out.bulk("consumers");
    c.out.integer(int64_t(g->consumers.size()));
    c.out.bulk("pending");
    c.out.integer(int64_t(g->pel.size()));
    c.out.bulk("last-delivered-id");
    c.out.bulk(g->last_id.str());
    c.out.bulk("entries-read");
    reply_entries_read(c, *g);
    c.out.bulk("lag");
    reply_lag(c, *s, *g);
  }
}

void cmd_xinfo_consumers(exec_context& c) {
  stream* s = info_stream(c);
  if (s == nullptr) return;
  stream_group* g = s->find_group(c.arg(3));
  if (g == nullptr)
    return c.out.error("NOGROUP No such consumer group '" + std::string(as_c_string(c.arg(3))) +
                       "' for key name '" + std::string(as_c_string(c.arg(2))) + "'");
  c.out.array(g->consumers.size());
  for (auto& [name, cons] : g->consumers) {
    c.out.map(3);
    c.out.bulk("name");
    c.out.bulk(name);
    c.out.bulk("pending");
    c.out.integer(int64_t(cons->pel.size()));
    c.out.bulk("idle");
    int64_t idle = c.now - cons->seen_time;
    c.out.integer(idle < 0 ? 0 : idle);
  }
}

void cmd_xinfo_help(exec_context& c) {
  static const char* lines[] = {
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

void cmd_xinfo(exec_context& c) {
  c.subcommand_syntax_error();
}

const command_def stream_info_commands[] = {
    {"xinfo", -2, "", 0, 0, 0, "-@stream", cmd_xinfo,
     "A container for stream introspection commands", "5.0.0", "Depends on subcommand.", ""},
    {"xinfo|stream", -3, "readonly", 2, 2, 1, "", cmd_xinfo_stream,
     "Get information about a stream", "5.0.0", "O(1)", "key [FULL [COUNT count]]"},
    {"xinfo|groups", 3, "readonly", 2, 2, 1, "", cmd_xinfo_groups,
     "List the consumer groups of a stream", "5.0.0", "O(1)", "key"},
    {"xinfo|consumers", 4, "readonly", 2, 2, 1, "", cmd_xinfo_consumers,
     "List the consumers in a consumer group", "5.0.0", "O(1)", "key groupname"},
    {"xinfo|help", 2, "loading stale", 0, 0, 0, "", cmd_xinfo_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
};

}  // namespace

void register_stream_info_family(command_table& t) {
  t.add_all("stream", stream_info_commands);
}

}  // namespace troupe
