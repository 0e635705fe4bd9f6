#include "storage/commands/stream_support.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "storage/keyspace/blocking.hpp"

namespace troupe {

namespace {

// Redis's string2ull: a strict 64-bit integer that is not negative, or else
// whatever strtoull accepts whole (leading blanks, a '+').
bool parse_u64(const char* s, uint64_t& out) {
  size_t n = strlen(s);
  if (auto v = parse_int64(std::string_view(s, n))) {
    if (*v < 0) return false;
    out = uint64_t(*v);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno == EINVAL || errno == ERANGE || !(*s != '\0' && *end == '\0')) return false;
  out = v;
  return true;
}

}  // namespace

bool parse_stream_id(exec_context* c, std::string_view arg, stream_id& id, uint64_t missing_seq,
                     bool strict, bool* seq_given) {
  auto invalid = [&] {
    if (c) c->out.error(stream_errors::invalid_id);
    return false;
  };
  char buf[128];
  if (arg.size() > sizeof(buf) - 1) return invalid();
  memcpy(buf, arg.data(), arg.size());
  buf[arg.size()] = '\0';  // Redis reads the argument as a C string
  if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') return invalid();
  if (seq_given) *seq_given = true;
  if (buf[0] == '-' && buf[1] == '\0') {
    id = {};
    return true;
  }
  if (buf[0] == '+' && buf[1] == '\0') {
    id = stream_id::max();
    return true;
  }
  char* dash = strchr(buf, '-');
  if (dash) *dash = '\0';
  uint64_t ms, seq;
  if (!parse_u64(buf, ms)) return invalid();
  if (dash) {
    if (seq_given && dash[1] == '*' && dash[2] == '\0') {
      seq = 0;
      *seq_given = false;
    } else if (!parse_u64(dash + 1, seq)) {
      return invalid();
    }
  } else {
    seq = missing_seq;
  }
  id = {ms, seq};
  return true;
}

bool parse_interval_id(exec_context& c, std::string_view arg, stream_id& id, bool& exclusive,
                       uint64_t missing_seq) {
  exclusive = arg.size() > 1 && arg[0] == '(';
  if (exclusive) return parse_stream_id(&c, arg.substr(1), id, missing_seq, true);
  return parse_stream_id(&c, arg, id, missing_seq, false);
}

void reply_stream_entry(exec_context& c, const stream_entry& e) {
  c.out.array(2);
  c.out.bulk(e.id.str());
  c.out.array(size_t(e.num_fields) * 2);
  e.for_each_field([&](std::string_view f, std::string_view v) {
    c.out.bulk(f);
    c.out.bulk(v);
  });
}

size_t reply_stream_range(exec_context& c, const stream& s, stream_id start, stream_id end,
                          size_t count, bool rev) {
  // The count is not known before the walk: the header is written after it.
  std::string body;
  size_t n = 0;
  size_t mark = c.out.buffer().size();
  s.range(start, end, rev, [&](const stream_entry& e) {
    reply_stream_entry(c, e);
    ++n;
    return count == 0 || n < count;
  });
  body.assign(c.out.buffer(), mark, std::string::npos);
  c.out.buffer().resize(mark);
  c.out.array(n);
  c.out.buffer().append(body);
  return n;
}

std::string no_group_error(std::string_view key, std::string_view group, std::string_view where) {
  std::string m = "NOGROUP No such key '";
  m.append(as_c_string(key));
  m.append("' or consumer group '");
  m.append(as_c_string(group));
  m.append("'");
  m.append(where);
  return m;
}

std::vector<std::string> xclaim_propagation(std::string_view key, std::string_view group,
                                            stream_id id, const stream_nack& nack,
                                            const stream_group& g) {
  return {"XCLAIM",
          std::string(key),
          std::string(group),
          nack.consumer ? nack.consumer->name : std::string(),
          "0",
          id.str(),
          "TIME",
          std::to_string(nack.delivery_time),
          "RETRYCOUNT",
          std::to_string(nack.delivery_count),
          "FORCE",
          "JUSTID",
          "LASTID",
          g.last_id.str()};
}

std::vector<std::string> setid_propagation(std::string_view key, std::string_view group,
                                           const stream_group& g) {
  return {"XGROUP",
          "SETID",
          std::string(key),
          std::string(group),
          g.last_id.str(),
          "ENTRIESREAD",
          std::to_string(g.entries_read)};
}

void signal_stream_ready(exec_context& c, const key_ref& k) {
  signal_key_ready(c.ks, *k.shard, k.db_index, k.name);
}

}  // namespace troupe
