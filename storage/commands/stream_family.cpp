// Stream commands without consumer groups: XADD XRANGE XREVRANGE XLEN XDEL
// XTRIM XSETID XREAD, with Redis 7.0's replies, errors and propagation.
#include <string>
#include <vector>

#include "storage/commands/stream_support.hpp"
#include "storage/keyspace/blocking.hpp"

namespace troupe {
namespace {

// The trimming options XADD and XTRIM share (Redis's streamParseAddOrTrimArgsOrReply).
struct add_trim_args {
  trim_spec trim;
  size_t strategy_arg = 0;  // position of the threshold argument
  bool limit_given = false;
  bool no_mkstream = false;
  bool id_given = false;
  bool seq_given = true;
  stream_id id;
  size_t id_pos = 0;
};

// Returns the position where XADD's ID is (or argc for XTRIM); 0 after an error.
size_t parse_add_trim(exec_context& c, add_trim_args& a, bool xadd) {
  size_t i = 2;
  for (; i < c.argc(); ++i) {
    size_t more = c.argc() - 1 - i;
    std::string_view opt = c.arg(i);
    if (xadd && opt == "*") break;
    bool maxlen = iequals(opt, "maxlen"), minid = iequals(opt, "minid");
    if ((maxlen || minid) && more) {
      if (a.trim.strategy != trim_strategy::none) {
        c.out.error(
            "ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return 0;
      }
      a.trim.approx = false;
      std::string_view next = c.arg(i + 1);
      if (more >= 2 && next == "~") {
        a.trim.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (maxlen) {
        int64_t n;
        if (!c.int_arg(i + 1, n)) return 0;
        if (n < 0) {
          c.out.error("ERR The MAXLEN argument must be >= 0.");
          return 0;
        }
        a.trim.maxlen = uint64_t(n);
        a.trim.strategy = trim_strategy::maxlen;
      } else {
        if (!parse_strict_id(c, c.arg(i + 1), a.trim.minid)) return 0;
        a.trim.strategy = trim_strategy::minid;
      }
      ++i;
      a.strategy_arg = i;
    } else if (iequals(opt, "limit") && more) {
      if (!c.int_arg(i + 1, a.trim.limit)) return 0;
      if (a.trim.limit < 0) {
        c.out.error("ERR The LIMIT argument must be >= 0.");
        return 0;
      }
      a.limit_given = true;
      ++i;
    } else if (xadd && iequals(opt, "nomkstream")) {
      a.no_mkstream = true;
    } else if (xadd) {
      if (!parse_strict_id(c, opt, a.id, 0, &a.seq_given)) return 0;
      a.id_given = true;
      break;
    } else {
      c.syntax_error();
      return 0;
    }
  }
  if (a.trim.limit && a.trim.strategy == trim_strategy::none) {
    c.out.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return 0;
  }
  if (!xadd && a.trim.strategy == trim_strategy::none) {
    c.out.error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return 0;
  }
  bool obey = c.origin == command_origin::replay || c.origin == command_origin::replication;
  if (obey) {
    // The master / the AOF rewrote the threshold: trim exactly as told.
    a.trim.limit = 0;
  } else if (a.limit_given) {
    if (!a.trim.approx) {
      c.out.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return 0;
    }
  } else if (a.trim.approx) {
    int64_t per_node = c.srv.config().stream_node_max_entries.get();
    a.trim.limit = per_node > INT64_MAX / 100 ? 0 : 100 * per_node;
    if (a.trim.limit <= 0 || a.trim.limit > 1000000) a.trim.limit = 10000;
  } else {
    a.trim.limit = 0;
  }
  a.id_pos = i;
  return i == 0 ? 1 : i;
}

// The arguments to journal after an approximate trim: "=" and the threshold
// actually reached (Redis's streamRewriteApproxSpecifier / TrimArgument).
void rewrite_trim(std::vector<std::string>& args, const add_trim_args& a, const stream& s) {
  if (!a.trim.approx) return;
  args[a.strategy_arg - 1] = "=";
  if (a.trim.strategy == trim_strategy::maxlen) {
    args[a.strategy_arg] = std::to_string(s.length);
  } else {
    stream_id first;
    if (!s.edge_id(true, first)) first = {};
    args[a.strategy_arg] = first.str();
  }
}

void cmd_xadd(exec_context& c) {
  add_trim_args a;
  size_t id_pos = parse_add_trim(c, a, true);
  if (id_pos == 0) return;
  size_t field_pos = id_pos + 1;
  if (field_pos > c.argc() || c.argc() - field_pos < 2 || (c.argc() - field_pos) % 2 == 1)
    return c.out.error("ERR wrong number of arguments for 'xadd' command");
  if (a.id_given && a.seq_given && a.id.is_zero())
    return c.out.error("ERR The ID specified in XADD must be greater than 0-0");
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::stream, bad);
  if (bad) return;
  size_t total = 0;
  for (size_t i = field_pos; i < c.argc(); ++i) total += c.arg(i).size();
  if (e == nullptr) {
    if (a.no_mkstream) return c.out.null();
    e = make_stream_entry(k.name, false);
    c.add(k, e);
  }
  stream& s = stream_of(e);
  if (s.last_id == stream_id::max())
    return c.out.error(
        "ERR The stream has exhausted the last possible ID, unable to add more items");
  stream_id id;
  if (a.id_given) {
    if (a.seq_given) {
      id = a.id;
    } else if (s.last_id.ms == a.id.ms) {
      if (s.last_id.seq == UINT64_MAX)
        return c.out.error(
            "ERR The ID specified in XADD is equal or smaller than the target stream top item");
      id = s.last_id;
      ++id.seq;
    } else {
      id = a.id;
    }
  } else {
    uint64_t now = uint64_t(c.now);
    if (now > s.last_id.ms) {
      id = {now, 0};
    } else {
      id = s.last_id;
      id.increment();
    }
  }
  if (id <= s.last_id)
    return c.out.error(
        "ERR The ID specified in XADD is equal or smaller than the target stream top item");
  if (total > (size_t(1) << 30)) return c.out.error("ERR Elements are too large to be stored");
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  fields.reserve((c.argc() - field_pos) / 2);
  for (size_t i = field_pos; i < c.argc(); i += 2) fields.emplace_back(c.arg(i), c.arg(i + 1));
  s.append(id, fields, stream_limits_of(c));
  ++s.entries_added;
  s.last_id = id;
  if (s.length == 1) s.first_id = id;
  c.out.bulk(id.str());
  c.changed(k);
  c.notify(notify_stream, "xadd", k);
  std::vector<std::string> prop(c.argv.begin(), c.argv.end());
  if (a.trim.strategy != trim_strategy::none) {
    if (s.trim(a.trim) > 0) {
      s.refresh_first_id();
      c.notify(notify_stream, "xtrim", k);
    }
    rewrite_trim(prop, a, s);
  }
  prop[id_pos] = id.str();
  c.propagate(std::move(prop));
}

void range_generic(exec_context& c, bool rev) {
  std::string_view start_arg = c.arg(rev ? 3 : 2), end_arg = c.arg(rev ? 2 : 3);
  stream_id start, end;
  bool ex;
  if (!parse_interval_id(c, start_arg, start, ex, 0)) return;
  if (ex && !start.increment()) return c.out.error("ERR invalid start ID for the interval");
  if (!parse_interval_id(c, end_arg, end, ex, UINT64_MAX)) return;
  if (ex && !end.decrement()) return c.out.error("ERR invalid end ID for the interval");
  int64_t count = -1;
  for (size_t j = 4; j < c.argc(); ++j) {
    if (c.arg_is(j, "count") && j + 1 < c.argc()) {
      if (!c.int_arg(j + 1, count)) return;
      if (count < 0) count = 0;
      ++j;
    } else {
      return c.syntax_error();
    }
  }
  bool bad;
  stream* s = read_stream(c, c.key_at(1), bad);
  if (bad) return;
  if (s == nullptr) return c.out.empty_array();
  if (count == 0) return c.out.null_array();
  reply_stream_range(c, *s, start, end, count < 0 ? 0 : size_t(count), rev);
}
void cmd_xrange(exec_context& c) {
  range_generic(c, false);
}
void cmd_xrevrange(exec_context& c) {
  range_generic(c, true);
}

void cmd_xlen(exec_context& c) {
  bool bad;
  stream* s = read_stream(c, c.key_at(1), bad);
  if (bad) return;
  c.out.integer(s ? int64_t(s->length) : 0);
}

void cmd_xdel(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  if (s == nullptr) return c.out.integer(0);
  std::vector<stream_id> ids(c.argc() - 2);
  for (size_t j = 2; j < c.argc(); ++j)
    if (!parse_strict_id(c, c.arg(j), ids[j - 2])) return;
  int64_t deleted = 0;
  bool first_entry = false;
  for (auto& id : ids) {
    if (!s->remove(id)) continue;
    if (id == s->first_id) first_entry = true;
    if (id > s->max_deleted_id) s->max_deleted_id = id;
    ++deleted;
  }
  if (deleted) {
    if (s->length == 0)
      s->first_id = {};
    else if (first_entry)
      s->refresh_first_id();
    c.changed(k, deleted);
    c.notify(notify_stream, "xdel", k);
  }
  c.out.integer(deleted);
}

void cmd_xtrim(exec_context& c) {
  add_trim_args a;
  if (parse_add_trim(c, a, false) == 0) return;
  key_ref k = c.key_at(1);
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  if (s == nullptr) return c.out.integer(0);
  int64_t deleted = s->trim(a.trim);
  if (deleted) {
    s->refresh_first_id();
    c.notify(notify_stream, "xtrim", k);
    std::vector<std::string> prop(c.argv.begin(), c.argv.end());
    rewrite_trim(prop, a, *s);
    c.changed(k, deleted);
    c.propagate(std::move(prop));
  }
  c.out.integer(deleted);
}

void cmd_xsetid(exec_context& c) {
  stream_id id, max_xdel;
  if (!parse_strict_id(c, c.arg(2), id)) return;
  int64_t entries_added = -1;
  for (size_t i = 3; i < c.argc();) {
    bool more = i + 1 < c.argc();
    if (c.arg_is(i, "entriesadded") && more) {
      if (!c.int_arg(i + 1, entries_added)) return;
      if (entries_added < 0) return c.out.error("ERR entries_added must be positive");
      i += 2;
    } else if (c.arg_is(i, "maxdeletedid") && more) {
      if (!parse_strict_id(c, c.arg(i + 1), max_xdel)) return;
      if (id < max_xdel)
        return c.out.error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      i += 2;
    } else {
      return c.syntax_error();
    }
  }
  key_ref k = c.key_at(1);
  bool bad;
  stream* s = write_stream(c, k, bad);
  if (bad) return;
  if (s == nullptr) return c.out.error(errors::no_such_key);
  if (s->length > 0) {
    stream_id top;
    s->edge_id(false, top);
    if (id < top)
      return c.out.error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    if (entries_added != -1 && s->length > uint64_t(entries_added))
      return c.out.error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
  }
  if (id < s->max_deleted_id)
    return c.out.error(
        "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
  s->last_id = id;
  if (entries_added != -1) s->entries_added = uint64_t(entries_added);
  if (!max_xdel.is_zero()) s->max_deleted_id = max_xdel;
  c.changed(k);
  c.notify(notify_stream, "xsetid", k);
  c.out.ok();
}

}  // namespace

// -- XREAD / XREADGROUP ---------------------------------------------------------
// Shared with stream_group_family.cpp (declared there).
void xread_generic(exec_context& c, bool group_mode);

namespace {

void cmd_xread(exec_context& c) {
  xread_generic(c, false);
}

// The keys of XREAD / XREADGROUP as Redis 7.0's key spec finds them: the
// first STREAMS at or after `from`, then half of what follows it (rounded
// down). A command that then fails to parse never ran on other keys.
bool streams_keyword_keys(const std::vector<std::string_view>& args, size_t from,
                          std::vector<int>& positions) {
  for (size_t i = from; i < args.size(); ++i) {
    if (!iequals(args[i], "streams")) continue;
    size_t n = (args.size() - i - 1) / 2;
    for (size_t k = 0; k < n; ++k) positions.push_back(int(i + 1 + k));
    return true;
  }
  return false;
}

bool xread_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return streams_keyword_keys(args, 1, positions);
}

const command_def stream_commands[] = {
    {"xadd", -5, "write denyoom fast", 1, 1, 1, "", cmd_xadd, "Appends a new entry to a stream",
     "5.0.0",
     "O(1) when adding a new entry, O(N) when trimming where N being the number of entries "
     "evicted.",
     "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value "
     "[field value ...]"},
    {"xrange", -4, "readonly", 1, 1, 1, "", cmd_xrange,
     "Return a range of elements in a stream, with IDs matching the specified IDs interval",
     "5.0.0",
     "O(N) with N being the number of elements being returned. If N is constant (e.g. always "
     "asking for the first 10 elements with COUNT), you can consider it O(1).",
     "key start end [COUNT count]"},
    {"xrevrange", -4, "readonly", 1, 1, 1, "", cmd_xrevrange,
     "Return a range of elements in a stream, with IDs matching the specified IDs interval, in "
     "reverse order (from greater to smaller IDs) compared to XRANGE",
     "5.0.0",
     "O(N) with N being the number of elements returned. If N is constant (e.g. always asking "
     "for the first 10 elements with COUNT), you can consider it O(1).",
     "key end start [COUNT count]"},
    {"xlen", 2, "readonly fast", 1, 1, 1, "", cmd_xlen, "Return the number of entries in a stream",
     "5.0.0", "O(1)", "key"},
    {"xdel", -3, "write fast", 1, 1, 1, "", cmd_xdel,
     "Removes the specified entries from the stream. Returns the number of items actually "
     "deleted, that may be different from the number of IDs passed in case certain IDs do not "
     "exist.",
     "5.0.0", "O(1) for each single item to delete in the stream, regardless of the stream size.",
     "key id [id ...]"},
    {"xtrim", -4, "write", 1, 1, 1, "", cmd_xtrim,
     "Trims the stream to (approximately if '~' is passed) a certain size", "5.0.0",
     "O(N), with N being the number of evicted entries. Constant times are very small however, "
     "since entries are organized in macro nodes containing multiple entries that can be "
     "released with a single deallocation.",
     "key MAXLEN|MINID [=|~] threshold [LIMIT count]"},
    {"xsetid", -3, "write denyoom fast", 1, 1, 1, "", cmd_xsetid,
     "An internal command for replicating stream values", "5.0.0", "O(1)",
     "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]"},
    {"xread", -4, "readonly blocking", 0, 0, 0, "", cmd_xread,
     "Return never seen elements in multiple streams, with IDs greater than the ones reported "
     "by the caller for each stream. Can block.",
     "5.0.0",
     "For each stream mentioned: O(N) with N being the number of elements being returned, it "
     "means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, "
     "XADD will pay O(M) time in order to serve the M clients blocked on the stream getting "
     "new data.",
     "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]", xread_keys},
};

}  // namespace

bool stream_xreadgroup_keys(const std::vector<std::string_view>& args,
                            std::vector<int>& positions) {
  return streams_keyword_keys(args, 4, positions);
}

void register_stream_family(command_table& t) {
  t.add_all("stream", stream_commands);
}

}  // namespace troupe
