#include "storage/keyspace/snapshot_chunker.hpp"

#include <charconv>

#include "protocol/resp/resp_value.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/set_type.hpp"
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

void aof_command_sink::encode(std::string& out, const kv_entry* e) {
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
    default:
      return;
  }
  if (e->has_expire()) {
    std::string when = std::to_string(e->expire_at());
    append_command(out, {"PEXPIREAT", key, when});
  }
}

}  // namespace troupe
