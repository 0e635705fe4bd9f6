#include "storage/keyspace/snapshot_chunker.hpp"

#include <charconv>

#include "protocol/resp/resp_value.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/stream_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {

void snapshot_chunker::entry(int db, const kv_entry* e) {
  if (db != db_) {
    select(chunk_, db);
    db_ = db;
  }
  encode(chunk_, e);
  if (chunk_.size() >= chunk_size) flush();
}

void snapshot_chunker::flush() {
  if (chunk_.empty()) return;
  emit_(std::move(chunk_));
  chunk_ = std::string();
  db_ = -1;  // the next chunk selects again
}

void snapshot_chunker::finish() {
  flush();
  if (done_) done_();
}

void aof_command_sink::select(std::string& out, int db) {
  std::string n = std::to_string(db);
  append_command(out, {"SELECT", n});
}

namespace {
constexpr size_t batch = 64;  // elements per command, like Redis's rewrite

// Builds commands of the form: <cmd> <key> <items...> in batches.
class batcher {
 public:
  batcher(std::string& out, std::string_view cmd, std::string_view key)
      : out_(out), cmd_(cmd), key_(key) {}
  void add(std::string_view a) { owned_.emplace_back(a); }
  void add_pair(std::string_view a, std::string_view b) {
    owned_.emplace_back(a);
    owned_.emplace_back(b);
  }
  void maybe_flush(size_t per_item) {
    if (owned_.size() >= batch * per_item) flush();
  }
  void flush() {
    if (owned_.empty()) return;
    std::vector<std::string_view> args = {cmd_, key_};
    for (auto& s : owned_) args.push_back(s);
    append_command(out_, args);
    owned_.clear();
  }

 private:
  std::string& out_;
  std::string_view cmd_, key_;
  std::vector<std::string> owned_;
};
}  // namespace

// A stream as Redis's rewrite writes it: an XADD per entry (an empty stream
// as XADD MAXLEN 0 of a dummy entry), XSETID with the counters, then each
// group's XGROUP CREATE and, per consumer, XCLAIM ... JUSTID FORCE for its
// pending entries or XGROUP CREATECONSUMER when it has none.
static void stream_commands(std::string& out, std::string_view key, const stream& s) {
  if (s.length > 0) {
    s.range({}, stream_id::max(), false, [&](const stream_entry& en) {
      std::vector<std::string> owned;
      owned.reserve(size_t(en.num_fields) * 2);
      en.for_each_field([&](std::string_view f, std::string_view v) {
        owned.emplace_back(f);
        owned.emplace_back(v);
      });
      std::string id = en.id.str();
      std::vector<std::string_view> args = {"XADD", key, id};
      for (auto& a : owned) args.push_back(a);
      append_command(out, args);
      return true;
    });
  } else {
    append_command(out, {"XADD", key, "MAXLEN", "0", "0-1", "x", "y"});
  }
  std::string last = s.last_id.str(), added = std::to_string(s.entries_added),
              maxdel = s.max_deleted_id.str();
  append_command(out, {"XSETID", key, last, "ENTRIESADDED", added, "MAXDELETEDID", maxdel});
  for (auto& [name, g] : s.groups) {
    std::string gl = g->last_id.str(), read = std::to_string(g->entries_read);
    append_command(out, {"XGROUP", "CREATE", key, name, gl, "ENTRIESREAD", read});
    for (auto& [cname, c] : g->consumers) {
      if (c->pel.empty()) {
        append_command(out, {"XGROUP", "CREATECONSUMER", key, name, cname});
        continue;
      }
      for (auto& [id, nack] : c->pel) {
        std::string ids = id.str(), time = std::to_string(nack->delivery_time),
                    count = std::to_string(nack->delivery_count);
        append_command(out, {"XCLAIM", key, name, cname, "0", ids, "TIME", time, "RETRYCOUNT",
                             count, "JUSTID", "FORCE"});
      }
    }
  }
}

void aof_command_sink::encode(std::string& out, const kv_entry* e) {
  append_entry_commands(out, e);
}

void append_entry_commands(std::string& out, const kv_entry* e) {
  std::string_view key = e->key();
  auto* me = const_cast<kv_entry*>(e);
  switch (e->type()) {
    case value_type::string:
      append_command(out, {"SET", key, e->str()});
      break;
    case value_type::list: {
      batcher b(out, "RPUSH", key);
      auto* q = static_cast<quicklist*>(e->object());
      char buf[24];
      for (quicklist::iter it = q->begin(); it; q->next(it)) {
        b.add(quicklist::get(it).view(buf));
        b.maybe_flush(1);
      }
      b.flush();
      break;
    }
    case value_type::set: {
      batcher b(out, "SADD", key);
      set_ref(me).for_each([&](std::string_view m) {
        b.add(m);
        b.maybe_flush(1);
      });
      b.flush();
      break;
    }
    case value_type::hash: {
      batcher b(out, "HSET", key);
      hash_ref(me).for_each([&](std::string_view f, std::string_view v) {
        b.add_pair(f, v);
        b.maybe_flush(2);
      });
      b.flush();
      break;
    }
    case value_type::zset: {
      batcher b(out, "ZADD", key);
      zset_ref(me).for_each([&](std::string_view m, double score) {
        b.add_pair(double_to_string(score), m);
        b.maybe_flush(2);
      });
      b.flush();
      break;
    }
    case value_type::stream:
      stream_commands(out, key, stream_of(e));
      break;
    default:
      return;
  }
  if (e->has_expire()) {
    std::string when = std::to_string(e->expire_at());
    append_command(out, {"PEXPIREAT", key, when});
  }
}

}  // namespace troupe
