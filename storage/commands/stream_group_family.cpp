// Consumer groups: XREAD and XREADGROUP (one parser, as in Redis), XGROUP,
// XACK, XPENDING, XCLAIM, XAUTOCLAIM. Reads through a group change the group
// (its last ID, the PEL); they are journaled as Redis propagates them: one
// XCLAIM ... FORCE JUSTID per delivered entry, then XGROUP SETID.
#include <climits>
#include <string>
#include <vector>

#include "storage/commands/stream_support.hpp"
#include "storage/keyspace/blocking.hpp"

namespace troupe {

bool stream_xreadgroup_keys(const std::vector<std::string_view>& args, std::vector<int>& positions);

namespace {

constexpr size_t blocked_default_count = 1000;  // Redis's XREAD_BLOCKED_DEFAULT_COUNT

// A consumer by name, created when missing (with its event and propagation).
stream_consumer* lookup_or_create_consumer(exec_context& c, const key_ref& k,
                                           std::string_view group_name, stream_group& g,
                                           std::string_view name) {
  stream_consumer* consumer = g.find_consumer(name);
  if (consumer == nullptr) {
    consumer = g.create_consumer(name, c.now);
    c.notify(notify_stream, "xgroup-createconsumer", k);
    c.propagate({"XGROUP", "CREATECONSUMER", std::string(k.name), std::string(group_name),
                 std::string(name)});
  }
  consumer->seen_time = c.now;
  return consumer;
}

// Entries after `after` for a group read (">"): updates the group's last ID and
// read counter, and (unless NOACK) the PEL; journals each delivery.
size_t reply_group_new(exec_context& c, const key_ref& k, stream& s, stream_group& g,
                       std::string_view group_name, stream_consumer& consumer, stream_id after,
                       size_t count, bool noack) {
  std::string body;
  size_t mark = c.out.buffer().size();
  size_t n = 0;
  stream_id start = after;
  bool moved = false;
  if (start.increment()) {
    s.range(start, stream_id::max(), false, [&](const stream_entry& e) {
      if (e.id > g.last_id) {
        if (g.entries_read != invalid_entries_read &&
            !s.range_has_tombstones(e.id, stream_id::max()))
          ++g.entries_read;
        else if (s.entries_added)
          g.entries_read = s.estimate_distance_from_first_ever(e.id);
        g.last_id = e.id;
        moved = true;
      }
      reply_stream_entry(c, e);
      if (!noack) {
        auto [it, inserted] = g.pel.try_emplace(e.id);
        stream_nack& nack = it->second;
        if (!inserted && nack.consumer) nack.consumer->pel.erase(e.id);
        nack.consumer = &consumer;
        nack.delivery_time = c.now;
        nack.delivery_count = 1;
        consumer.pel[e.id] = &nack;
        c.propagate(xclaim_propagation(k.name, group_name, e.id, nack, g));
      }
      ++n;
      return count == 0 || n < count;
    });
  }
  if (moved) c.propagate(setid_propagation(k.name, group_name, g));
  body.assign(c.out.buffer(), mark, std::string::npos);
  c.out.buffer().resize(mark);
  c.out.array(n);
  c.out.buffer().append(body);
  return n;
}

// A consumer's own history (an explicit ID): its pending entries from `start`;
// an entry deleted since is [id, nil].
void reply_group_history(exec_context& c, stream& s, stream_consumer& consumer, stream_id start,
                         size_t count) {
  std::string body;
  size_t mark = c.out.buffer().size();
  size_t n = 0;
  for (auto it = consumer.pel.lower_bound(start);
       it != consumer.pel.end() && (count == 0 || n < count); ++it) {
    bool found = false;
    s.range(it->first, it->first, false, [&](const stream_entry& e) {
      reply_stream_entry(c, e);
      found = true;
      return false;
    });
    if (found) {
      it->second->delivery_time = c.now;
      ++it->second->delivery_count;
    } else {
      c.out.array(2);
      c.out.bulk(it->first.str());
      c.out.null_array();
    }
    ++n;
  }
  body.assign(c.out.buffer(), mark, std::string::npos);
  c.out.buffer().resize(mark);
  c.out.array(n);
  c.out.buffer().append(body);
}

}  // namespace

void xread_generic(exec_context& c, bool group_mode) {
  int64_t timeout = -1, count = 0;
  size_t streams_arg = 0, streams_count = 0;
  bool noack = false;
  std::string_view group_name, consumer_name;
  bool have_group = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    size_t more = c.argc() - i - 1;
    if (c.arg_is(i, "block") && more) {
      ++i;
      int64_t t;
      if (!c.int_arg(i, t, "ERR timeout is not an integer or out of range")) return;
      if (t < 0) return c.out.error("ERR timeout is negative");
      if (t > 0 && t > INT64_MAX - c.now) return c.out.error("ERR timeout is out of range");
      timeout = t;
    } else if (c.arg_is(i, "count") && more) {
      ++i;
      if (!c.int_arg(i, count)) return;
      if (count < 0) count = 0;
    } else if (c.arg_is(i, "streams") && more) {
      streams_arg = i + 1;
      streams_count = c.argc() - streams_arg;
      if (streams_count % 2 != 0) {
        // Redis 7.0 says XREAD and '$' for XREADGROUP too.
        return c.out.error(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
      }
      streams_count /= 2;
      break;
    } else if (c.arg_is(i, "group") && more >= 2) {
      if (!group_mode)
        return c.out.error(
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      group_name = c.arg(i + 1);
      consumer_name = c.arg(i + 2);
      have_group = true;
      i += 2;
    } else if (c.arg_is(i, "noack")) {
      if (!group_mode)
        return c.out.error(
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      noack = true;
    } else {
      return c.syntax_error();
    }
  }
  if (streams_arg == 0) return c.syntax_error();
  if (group_mode && !have_group) return c.out.error("ERR Missing GROUP option for XREADGROUP");

  bool replay = c.blocking == block_mode::retry;
  std::vector<stream_id> ids(streams_count);
  std::vector<bool> newest(streams_count, false);  // ">"
  std::vector<stream_group*> groups(streams_count, nullptr);
  for (size_t i = 0; i < streams_count; ++i) {
    std::string_view key = c.arg(streams_arg + i), id_arg = c.arg(streams_arg + streams_count + i);
    kv_entry* e = c.lookup_read(c.key(key));
    if (e != nullptr && e->type() != value_type::stream) {
      if (replay && group_mode) return c.out.error("UNBLOCKED the stream key no longer exists");
      if (replay) return;  // keeps waiting
      return c.wrongtype();
    }
    stream* s = e ? &stream_of(e) : nullptr;
    if (group_mode) {
      stream_group* g = s ? s->find_group(group_name) : nullptr;
      if (g == nullptr) {
        if (replay && s == nullptr) return c.out.error("UNBLOCKED the stream key no longer exists");
        if (replay)
          return c.out.error(
              "NOGROUP the consumer group this client was blocked on no longer exists");
        return c.out.error(no_group_error(key, group_name, " in XREADGROUP with GROUP option"));
      }
      groups[i] = g;
    }
    if (id_arg == "$") {
      if (group_mode)
        return c.out.error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
      ids[i] = s ? s->last_id : stream_id{};
      continue;
    }
    if (id_arg == ">") {
      if (!group_mode)
        return c.out.error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            "<group> <consumer> option.");
      newest[i] = true;
      continue;
    }
    if (!parse_strict_id(c, id_arg, ids[i])) return;
  }

  if (replay && count == 0) count = int64_t(blocked_default_count);
  std::string body;
  size_t mark = c.out.buffer().size();
  size_t served = 0;
  for (size_t i = 0; i < streams_count; ++i) {
    key_ref k = c.key(c.arg(streams_arg + i));
    kv_entry* e = c.lookup(k, false);
    if (e == nullptr) continue;
    stream& s = stream_of(e);
    stream_id after = ids[i];
    bool history = group_mode && !newest[i];
    bool serve = history;
    if (!serve && s.length > 0) {
      stream_id top;
      s.edge_id(false, top);
      if (group_mode) after = groups[i]->last_id;
      serve = top > after;
    }
    if (!serve) continue;
    ++served;
    if (c.out.resp() == 2) c.out.array(2);
    c.out.bulk(k.name);
    if (!group_mode) {
      stream_id start = after;
      if (!start.increment()) {
        c.out.empty_array();
        continue;
      }
      reply_stream_range(c, s, start, stream_id::max(), size_t(count), false);
      continue;
    }
    stream_consumer* consumer =
        lookup_or_create_consumer(c, k, group_name, *groups[i], consumer_name);
    if (history) {
      // IDs greater than the one given, as for new entries.
      stream_id start = after;
      if (start.increment())
        reply_group_history(c, s, *consumer, start, size_t(count));
      else
        c.out.empty_array();
    } else {
      reply_group_new(c, k, s, *groups[i], group_name, *consumer, after, size_t(count), noack);
    }
    c.changed(k);
  }
  if (served) {
    body.assign(c.out.buffer(), mark, std::string::npos);
    c.out.buffer().resize(mark);
    if (c.out.resp() == 2)
      c.out.array(served);
    else
      c.out.map(served);
    c.out.buffer().append(body);
    // A history read changes delivery counters only: nothing to journal.
    if (group_mode && c.rewritten.empty()) c.changes = 0;
    return;
  }
  if (timeout < 0) return c.out.null_array();
  std::vector<std::string_view> keys(c.argv.begin() + long(streams_arg),
                                     c.argv.begin() + long(streams_arg + streams_count));
  if (c.blocking == block_mode::can_block && !group_mode) {
    // Replayed later with "$" resolved to the last ID it has now.
    c.block_args.assign(c.argv.begin(), c.argv.end());
    for (size_t i = 0; i < streams_count; ++i)
      if (c.arg(streams_arg + streams_count + i) == "$")
        c.block_args[streams_arg + streams_count + i] = ids[i].str();
  }
  block_for_keys(c, keys, timeout, false);
}

namespace {

void cmd_xreadgroup(exec_context& c) {
  xread_generic(c, true);
}

// -- XGROUP ---------------------------------------------------------------------

// The stream and group of XGROUP SETID/CREATECONSUMER/DELCONSUMER, or an error.
struct group_target {
  stream* s = nullptr;
  stream_group* g = nullptr;
  bool ok = false;
};
group_target xgroup_target(exec_context& c, bool need_group) {
  group_target t;
  bool bad;
  t.s = write_stream(c, c.key_at(2), bad);
  if (bad) return t;
  if (t.s == nullptr) {
    c.out.error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.");
    return t;
  }
  t.g = t.s->find_group(c.arg(3));
  if (t.g == nullptr && need_group) {
    c.out.error("NOGROUP No such consumer group '" + std::string(as_c_string(c.arg(3))) +
                "' for key name '" + std::string(as_c_string(c.arg(2))) + "'");
    return t;
  }
  t.ok = true;
  return t;
}

bool entries_read_arg(exec_context& c, size_t i, int64_t& v) {
  if (!c.int_arg(i, v)) return false;
  if (v < 0 && v != invalid_entries_read) {
    c.out.error("ERR value for ENTRIESREAD must be positive or -1");
    return false;
  }
  return true;
}

void cmd_xgroup_create(exec_context& c) {
  bool mkstream = false;
  int64_t entries_read = invalid_entries_read;
  // Redis 7.0 reads the options, then the key, and only then refuses more
  // than 8 arguments (so ENTRIESREAD's value is checked first).
  for (size_t i = 5; i < c.argc();) {
    if (c.arg_is(i, "mkstream")) {
      mkstream = true;
      ++i;
    } else if (c.arg_is(i, "entriesread") && i + 1 < c.argc()) {
      if (!entries_read_arg(c, i + 1, entries_read)) return;
      i += 2;
    } else {
      return c.subcommand_syntax_error();
    }
  }
  key_ref k = c.key_at(2);
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  if (s == nullptr && !mkstream)
    return c.out.error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
        "to use the MKSTREAM option to create an empty stream automatically.");
  if (c.argc() > 8) return c.subcommand_syntax_error();
  stream_id id;
  if (c.arg(4) == "$")
    id = s ? s->last_id : stream_id{};
  else if (!parse_strict_id(c, c.arg(4), id))
    return;
  if (s == nullptr) {
    kv_entry* e = make_stream_entry(k.name, false);
    c.add(k, e);
    s = &stream_of(e);
    c.changed(k);
  }
  if (s->create_group(c.arg(3), id, entries_read) == nullptr)
    return c.out.error("BUSYGROUP Consumer Group name already exists");
  c.out.ok();
  c.changed(k);
  c.notify(notify_stream, "xgroup-create", k);
}

void cmd_xgroup_setid(exec_context& c) {
  // Redis's order: the options, then the key and group, then the count.
  int64_t entries_read = invalid_entries_read;
  for (size_t i = 5; i < c.argc(); i += 2) {
    if (!c.arg_is(i, "entriesread") || i + 1 >= c.argc()) return c.subcommand_syntax_error();
    if (!entries_read_arg(c, i + 1, entries_read)) return;
  }
  group_target t = xgroup_target(c, true);
  if (!t.ok) return;
  if (c.argc() != 5 && c.argc() != 7) return c.subcommand_syntax_error();
  stream_id id;
  if (c.arg(4) == "$")
    id = t.s->last_id;
  else if (!parse_stream_id(&c, c.arg(4), id, 0, false))
    return;
  t.g->last_id = id;
  t.g->entries_read = entries_read;
  key_ref k = c.key_at(2);
  c.out.ok();
  c.changed(k);
  c.notify(notify_stream, "xgroup-setid", k);
}

void cmd_xgroup_destroy(exec_context& c) {
  group_target t = xgroup_target(c, false);
  if (!t.ok) return;
  if (t.g == nullptr) return c.out.integer(0);
  t.s->groups.erase(t.s->groups.find(c.arg(3)));
  key_ref k = c.key_at(2);
  c.out.integer(1);
  c.changed(k);  // wakes XREADGROUP waiters with -NOGROUP
  c.notify(notify_stream, "xgroup-destroy", k);
}

void cmd_xgroup_createconsumer(exec_context& c) {
  group_target t = xgroup_target(c, true);
  if (!t.ok) return;
  if (t.g->find_consumer(c.arg(4)) != nullptr) return c.out.integer(0);
  t.g->create_consumer(c.arg(4), c.now);
  key_ref k = c.key_at(2);
  c.out.integer(1);
  c.changed(k);
  c.notify(notify_stream, "xgroup-createconsumer", k);
}

void cmd_xgroup_delconsumer(exec_context& c) {
  group_target t = xgroup_target(c, true);
  if (!t.ok) return;
  if (t.g->find_consumer(c.arg(4)) == nullptr) return c.out.integer(0);
  size_t pending = t.g->delete_consumer(c.arg(4));
  key_ref k = c.key_at(2);
  c.out.integer(int64_t(pending));
  c.changed(k);
  c.notify(notify_stream, "xgroup-delconsumer", k);
}

void cmd_xgroup_help(exec_context& c) {
  static const char* lines[] = {
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

void cmd_xgroup(exec_context& c) {
  c.subcommand_syntax_error();
}

// -- XACK, XPENDING -----------------------------------------------------------------

void cmd_xack(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  stream_group* g = s ? s->find_group(c.arg(2)) : nullptr;
  if (g == nullptr) return c.out.integer(0);
  std::vector<stream_id> ids(c.argc() - 3);
  for (size_t j = 3; j < c.argc(); ++j)
    if (!parse_strict_id(c, c.arg(j), ids[j - 3])) return;
  int64_t acked = 0;
  for (auto& id : ids) {
    auto it = g->pel.find(id);
    if (it == g->pel.end()) continue;
    if (it->second.consumer) it->second.consumer->pel.erase(id);
    g->pel.erase(it);
    ++acked;
  }
  if (acked) c.changed(k, acked);
  c.out.integer(acked);
}

void cmd_xpending(exec_context& c) {
  bool summary = c.argc() == 3;
  if (c.argc() != 3 && (c.argc() < 6 || c.argc() > 9)) return c.syntax_error();
  stream_id start, end;
  int64_t count = 0, min_idle = 0;
  std::string_view consumer_name;
  bool by_consumer = false;
  if (c.argc() >= 6) {
    size_t si = 3;
    if (c.arg_is(3, "idle")) {
      if (!c.int_arg(4, min_idle)) return;
      if (c.argc() < 8) return c.syntax_error();
      si += 2;
    }
    if (!c.int_arg(si + 2, count)) return;
    if (count < 0) count = 0;
    bool ex;
    if (!parse_interval_id(c, c.arg(si), start, ex, 0)) return;
    if (ex && !start.increment()) return c.out.error("ERR invalid start ID for the interval");
    if (!parse_interval_id(c, c.arg(si + 1), end, ex, UINT64_MAX)) return;
    if (ex && !end.decrement()) return c.out.error("ERR invalid end ID for the interval");
    if (si + 3 < c.argc()) {
      consumer_name = c.arg(si + 3);
      by_consumer = true;
    }
  }
  bool bad;
  stream* s = read_stream(c, c.key_at(1), bad);
  if (bad) return;
  stream_group* g = s ? s->find_group(c.arg(2)) : nullptr;
  if (g == nullptr) return c.out.error(no_group_error(c.arg(1), c.arg(2), ""));
  if (summary) {
    c.out.array(4);
    c.out.integer(int64_t(g->pel.size()));
    if (g->pel.empty()) {
      c.out.null();
      c.out.null();
      c.out.null_array();
      return;
    }
    c.out.bulk(g->pel.begin()->first.str());
    c.out.bulk(std::prev(g->pel.end())->first.str());
    size_t with = 0;
    for (auto& [name, cons] : g->consumers) with += !cons->pel.empty();
    c.out.array(with);
    for (auto& [name, cons] : g->consumers) {
      if (cons->pel.empty()) continue;
      c.out.array(2);
      c.out.bulk(name);
      c.out.bulk(std::to_string(cons->pel.size()));
    }
    return;
  }
  std::string body;
  size_t mark = c.out.buffer().size();
  size_t n = 0;
  auto emit = [&](stream_id id, const stream_nack& nack) {
    if (min_idle && c.now - nack.delivery_time < min_idle) return;
    ++n;
    --count;
    c.out.array(4);
    c.out.bulk(id.str());
    c.out.bulk(nack.consumer ? std::string_view(nack.consumer->name) : std::string_view());
    int64_t elapsed = c.now - nack.delivery_time;
    c.out.integer(elapsed < 0 ? 0 : elapsed);
    c.out.integer(int64_t(nack.delivery_count));
  };
  if (by_consumer) {
    stream_consumer* cons = g->find_consumer(consumer_name);
    if (cons == nullptr) return c.out.empty_array();
    for (auto it = cons->pel.lower_bound(start); count && it != cons->pel.end() && it->first <= end;
         ++it)
      emit(it->first, *it->second);
  } else {
    for (auto it = g->pel.lower_bound(start); count && it != g->pel.end() && it->first <= end; ++it)
      emit(it->first, it->second);
  }
  body.assign(c.out.buffer(), mark, std::string::npos);
  c.out.buffer().resize(mark);
  c.out.array(n);
  c.out.buffer().append(body);
}

// -- XCLAIM, XAUTOCLAIM ---------------------------------------------------------------

// Moves a pending entry to `to` (claimed by XCLAIM/XAUTOCLAIM).
void reassign(stream_id id, stream_nack& nack, stream_consumer& to) {
  if (nack.consumer == &to) return;
  if (nack.consumer) nack.consumer->pel.erase(id);
  nack.consumer = &to;
  to.pel[id] = &nack;
}

void reply_one_entry(exec_context& c, const stream& s, stream_id id) {
  bool found = false;
  s.range(id, id, false, [&](const stream_entry& e) {
    reply_stream_entry(c, e);
    found = true;
    return false;
  });
  if (!found) c.out.null();
}

void cmd_xclaim(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  stream_group* g = s ? s->find_group(c.arg(2)) : nullptr;
  if (g == nullptr) return c.out.error(no_group_error(c.arg(1), c.arg(2), ""));
  int64_t min_idle;
  if (!c.int_arg(4, min_idle, "ERR Invalid min-idle-time argument for XCLAIM")) return;
  if (min_idle < 0) min_idle = 0;
  std::vector<stream_id> ids;
  size_t j = 5;
  for (; j < c.argc(); ++j) {
    stream_id id;
    if (!parse_stream_id(nullptr, c.arg(j), id, 0, true)) break;
    ids.push_back(id);
  }
  int64_t now = c.now, retrycount = -1, delivery_time = -1;
  bool force = false, justid = false;
  stream_id last_id;
  for (; j < c.argc(); ++j) {
    bool more = j + 1 < c.argc();
    if (c.arg_is(j, "force")) {
      force = true;
    } else if (c.arg_is(j, "justid")) {
      justid = true;
    } else if (c.arg_is(j, "idle") && more) {
      if (!c.int_arg(++j, delivery_time, "ERR Invalid IDLE option argument for XCLAIM")) return;
      delivery_time = now - delivery_time;
    } else if (c.arg_is(j, "time") && more) {
      if (!c.int_arg(++j, delivery_time, "ERR Invalid TIME option argument for XCLAIM")) return;
    } else if (c.arg_is(j, "retrycount") && more) {
      if (!c.int_arg(++j, retrycount, "ERR Invalid RETRYCOUNT option argument for XCLAIM")) return;
    } else if (c.arg_is(j, "lastid") && more) {
      if (!parse_strict_id(c, c.arg(++j), last_id)) return;
    } else {
      return c.out.error("ERR Unrecognized XCLAIM option '" + std::string(as_c_string(c.arg(j))) +
                         "'");
    }
  }
  bool propagate_last_id = false;
  if (last_id > g->last_id) {
    g->last_id = last_id;
    propagate_last_id = true;
  }
  if (delivery_time != -1) {
    if (delivery_time < 0 || delivery_time > now) delivery_time = now;
  } else {
    delivery_time = now;
  }
  stream_consumer* consumer = nullptr;
  std::string body;
  size_t mark = c.out.buffer().size();
  size_t n = 0;
  for (auto id : ids) {
    auto it = g->pel.find(id);
    if (!s->exists(id)) {
      if (it != g->pel.end()) {
        c.propagate(xclaim_propagation(k.name, c.arg(2), id, it->second, *g));
        propagate_last_id = false;
        if (it->second.consumer) it->second.consumer->pel.erase(id);
        g->pel.erase(it);
      }
      continue;
    }
    if (force && it == g->pel.end()) it = g->pel.try_emplace(id).first;
    if (it == g->pel.end()) continue;
    stream_nack& nack = it->second;
    if (nack.consumer && min_idle && now - nack.delivery_time < min_idle) continue;
    if (consumer == nullptr) consumer = lookup_or_create_consumer(c, k, c.arg(2), *g, c.arg(3));
    reassign(id, nack, *consumer);
    nack.delivery_time = delivery_time;
    if (retrycount >= 0)
      nack.delivery_count = uint64_t(retrycount);
    else if (!justid)
      ++nack.delivery_count;
    if (justid)
      c.out.bulk(id.str());
    else
      reply_one_entry(c, *s, id);
    ++n;
    c.propagate(xclaim_propagation(k.name, c.arg(2), id, nack, *g));
    propagate_last_id = false;
  }
  if (propagate_last_id) c.propagate(setid_propagation(k.name, c.arg(2), *g));
  if (!c.rewritten.empty()) c.changed(k);
  body.assign(c.out.buffer(), mark, std::string::npos);
  c.out.buffer().resize(mark);
  c.out.array(n);
  c.out.buffer().append(body);
}

void cmd_xautoclaim(exec_context& c) {
  key_ref k = c.key_at(1);
  int64_t min_idle;
  if (!c.int_arg(4, min_idle, "ERR Invalid min-idle-time argument for XAUTOCLAIM")) return;
  if (min_idle < 0) min_idle = 0;
  stream_id start;
  bool ex;
  if (!parse_interval_id(c, c.arg(5), start, ex, 0)) return;
  if (ex && !start.increment()) return c.out.error("ERR invalid start ID for the interval");
  constexpr int64_t attempts_factor = 10;
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < c.argc(); ++j) {
    if (c.arg_is(j, "count") && j + 1 < c.argc()) {
      if (!long_arg_in(c, j + 1, 1, LONG_MAX / 16, count, "ERR COUNT must be > 0")) return;
      ++j;
    } else if (c.arg_is(j, "justid")) {
      justid = true;
    } else {
      return c.syntax_error();
    }
  }
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  stream_group* g = s ? s->find_group(c.arg(2)) : nullptr;
  if (g == nullptr) return c.out.error(no_group_error(c.arg(1), c.arg(2), ""));
  int64_t attempts = count * attempts_factor;
  std::vector<stream_id> deleted;
  stream_consumer* consumer = nullptr;
  std::string body;
  size_t mark = c.out.buffer().size();
  size_t n = 0;
  auto it = g->pel.lower_bound(start);
  for (; attempts-- && count && it != g->pel.end();) {
    stream_id id = it->first;
    stream_nack& nack = it->second;
    if (!s->exists(id)) {
      c.propagate(xclaim_propagation(k.name, c.arg(2), id, nack, *g));
      if (nack.consumer) nack.consumer->pel.erase(id);
      it = g->pel.erase(it);
      deleted.push_back(id);
      --count;
      continue;
    }
    if (min_idle && c.now - nack.delivery_time < min_idle) {
      ++it;
      continue;
    }
    if (consumer == nullptr) consumer = lookup_or_create_consumer(c, k, c.arg(2), *g, c.arg(3));
    reassign(id, nack, *consumer);
    nack.delivery_time = c.now;
    if (!justid) ++nack.delivery_count;
    if (justid)
      c.out.bulk(id.str());
    else
      reply_one_entry(c, *s, id);
    ++n;
    --count;
    c.propagate(xclaim_propagation(k.name, c.arg(2), id, nack, *g));
    ++it;
  }
  stream_id next = it == g->pel.end() ? stream_id{} : it->first;
  if (!c.rewritten.empty()) c.changed(k);
  body.assign(c.out.buffer(), mark, std::string::npos);
  c.out.buffer().resize(mark);
  c.out.array(3);
  c.out.bulk(next.str());
  c.out.array(n);
  c.out.buffer().append(body);
  c.out.array(deleted.size());
  for (auto& id : deleted) c.out.bulk(id.str());
}

bool xreadgroup_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return stream_xreadgroup_keys(args, positions);
}

const command_def stream_group_commands[] = {
    {"xreadgroup", -7, "write blocking", 0, 0, 0, "", cmd_xreadgroup,
     "Return new entries from a stream using a consumer group, or access the history of the "
     "pending entries for a given consumer. Can block.",
     "5.0.0",
     "For each stream mentioned: O(M) with M being the number of elements returned. If M is "
     "constant (e.g. always asking for the first 10 elements with COUNT), you can consider it "
     "O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to "
     "serve the N clients blocked on the stream getting new data.",
     "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id "
     "[id ...]",
     xreadgroup_keys},
    {"xgroup", -2, "", 0, 0, 0, "-@stream", cmd_xgroup, "A container for consumer groups commands",
     "5.0.0", "Depends on subcommand.", ""},
    {"xgroup|create", -5, "write denyoom", 2, 2, 1, "", cmd_xgroup_create,
     "Create a consumer group.", "5.0.0", "O(1)",
     "key groupname id|$ [MKSTREAM] [ENTRIESREAD entries_read]"},
    {"xgroup|setid", -5, "write", 2, 2, 1, "", cmd_xgroup_setid,
     "Set a consumer group to an arbitrary last delivered ID value.", "5.0.0", "O(1)",
     "key groupname id|$ [ENTRIESREAD entries_read]"},
    {"xgroup|destroy", 4, "write", 2, 2, 1, "", cmd_xgroup_destroy, "Destroy a consumer group.",
     "5.0.0", "O(N) where N is the number of entries in the group's pending entries list (PEL).",
     "key groupname"},
    {"xgroup|createconsumer", 5, "write denyoom", 2, 2, 1, "", cmd_xgroup_createconsumer,
     "Create a consumer in a consumer group.", "6.2.0", "O(1)", "key groupname consumername"},
    {"xgroup|delconsumer", 5, "write", 2, 2, 1, "", cmd_xgroup_delconsumer,
     "Delete a consumer from a consumer group.", "5.0.0", "O(1)", "key groupname consumername"},
    {"xgroup|help", 2, "loading stale", 0, 0, 0, "", cmd_xgroup_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"xack", -4, "write fast", 1, 1, 1, "", cmd_xack,
     "Marks a pending message as correctly processed, effectively removing it from the pending "
     "entries list of the consumer group. Return value of the command is the number of "
     "messages successfully acknowledged, that is, the IDs we were actually able to resolve in "
     "the PEL.",
     "5.0.0", "O(1) for each message ID processed.", "key group id [id ...]"},
    {"xpending", -3, "readonly", 1, 1, 1, "", cmd_xpending,
     "Return information and entries from a stream consumer group pending entries list, that "
     "are messages fetched but never acknowledged.",
     "5.0.0",
     "O(N) with N being the number of elements returned, so asking for a small fixed number of "
     "entries per call is O(1). O(M), where M is the total number of entries scanned when used "
     "with the IDLE filter. When the command returns just the summary and the list of "
     "consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for "
     "iterating every consumer.",
     "key group [[IDLE min-idle-time] start end count [consumer]]"},
    {"xclaim", -6, "write fast", 1, 1, 1, "", cmd_xclaim,
     "Changes (or acquires) ownership of a message in a consumer group, as if the message was "
     "delivered to the specified consumer.",
     "5.0.0", "O(log N) with N being the number of messages in the PEL of the consumer group.",
     "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] "
     "[RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]"},
    {"xautoclaim", -6, "write fast", 1, 1, 1, "", cmd_xautoclaim,
     "Changes (or acquires) ownership of messages in a consumer group, as if the messages were "
     "delivered to the specified consumer.",
     "6.2.0", "O(1) if COUNT is small.",
     "key group consumer min-idle-time start [COUNT count] [JUSTID]"},
};

}  // namespace

void register_stream_group_family(command_table& t) {
  t.add_all("stream", stream_group_commands);
}

}  // namespace troupe
