#include "storage/rdb/rdb_loader.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

#include "storage/eviction/key_access.hpp"
#include "storage/rdb/rdb_reader.hpp"

namespace troupe {
namespace {

constexpr uint32_t lfu_init_val = 5;
constexpr int checksum_min_version = 5;

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct entry_deleter {
  void operator()(kv_entry* e) const { destroy_entry(e); }
};

// The LRU/LFU field of a loaded key, as Redis's objectSetLRUOrLFU sets it.
uint32_t lru_field(const rdb_load_options& o, int64_t idle, int freq) {
  switch (o.lru) {
    case rdb::lru_mode::lfu:
      return (uint32_t(o.lfu_minutes) << 8) | uint32_t(freq >= 0 ? freq : lfu_init_val);
    case rdb::lru_mode::lru: {
      uint32_t clock = o.lru_clock & lru_clock_max;
      if (idle < 0) return clock;
      uint64_t i = uint64_t(idle) > lru_clock_max ? lru_clock_max : uint64_t(idle);
      return clock >= i ? uint32_t(clock - i) : uint32_t(clock + (lru_clock_max - i));
    }
    case rdb::lru_mode::none:
      break;
  }
  return o.lru_clock & lru_clock_max;
}

class loader {
 public:
  loader(rdb_source& src, const rdb_load_options& opt, const rdb_callbacks& cb,
         rdb_load_result& res)
      : r_(src, opt.read_buffer), opt_(opt), cb_(cb), res_(res) {}

  void run() {
    r_.start_crc();
    header();
    int db = 0;
    int64_t expire = -1, idle = -1;
    int freq = -1;
    uint64_t since_progress = 0;
    while (true) {
      uint64_t record_at = r_.offset();
      uint8_t type = r_.byte();
      switch (type) {
        case rdb::op_expiretime:
          expire = int64_t(int32_t(r_.u32le())) * 1000;
          continue;
        case rdb::op_expiretime_ms:
          expire = int64_t(r_.u64le());
          continue;
        case rdb::op_freq:
          freq = r_.byte();
          continue;
        case rdb::op_idle:
          idle = int64_t(r_.length() & INT64_MAX);
          continue;
        case rdb::op_selectdb: {
          uint64_t d = r_.length();
          if (opt_.databases > 0 && d >= uint64_t(opt_.databases))
            throw rdb_format_error("database " + std::to_string(d) +
                                   " is beyond the configured databases (" +
                                   std::to_string(opt_.databases) + ")");
          db = int(d);
          continue;
        }
        case rdb::op_resizedb: {
          uint64_t keys = r_.length(), expires = r_.length();
          if (cb_.on_resize_db) cb_.on_resize_db(db, keys, expires);
          continue;
        }
        case rdb::op_aux: {
          std::string key, value;
          r_.string(key);
          r_.string(value);
          if (cb_.on_aux) cb_.on_aux(key, value);
          res_.aux.emplace_back(std::move(key), std::move(value));
          continue;
        }
        case rdb::op_module_aux:
          throw rdb_format_error("module auxiliary data not supported");
        case rdb::op_function_pre_ga:
          throw rdb_format_error("pre-release function format not supported");
        case rdb::op_function2: {
          std::string_view code = r_.string();
          if (cb_.on_function)
            cb_.on_function(code);
          else
            res_.warnings.push_back("skipped a function library at offset " +
                                    std::to_string(record_at) + " (functions not supported)");
          continue;
        }
        case rdb::op_eof:
          trailer();
          return;
      }
      if (!rdb::is_value_type(type))
        throw rdb_format_error("unknown RDB type or opcode " + std::to_string(type));
      r_.string(key_);
      in_key_ = true;
      std::unique_ptr<kv_entry, entry_deleter> e(
          read_rdb_value(r_, type, key_, expire != -1, opt_.limits));
      in_key_ = false;
      ++res_.types[type];
      rdb_db_stats& st = res_.dbs[db];
      if (!e) {
        ++st.empty_skipped;
        ++res_.empty_skipped;
      } else if (expire != -1 && !opt_.keep_expired && expire < now_) {
        ++st.expired_skipped;
        ++res_.expired_skipped;
      } else {
        if (expire != -1) e->set_expire_at(expire);
        e->set_lru(lru_field(opt_, idle, freq));
        ++st.keys;
        ++res_.keys;
        if (expire != -1) {
          ++st.expires;
          ++res_.expires;
        }
        if (cb_.on_entry) cb_.on_entry(db, e.release());
      }
      expire = idle = -1;
      freq = -1;
      if (++since_progress == 1024) {
        since_progress = 0;
        if (cb_.on_progress) cb_.on_progress(r_.offset());
      }
    }
  }

  uint64_t offset() const { return r_.offset(); }
  bool in_key() const { return in_key_; }
  const std::string& key() const { return key_; }
  std::string_view unconsumed() const { return r_.unconsumed(); }

 private:
  void header() {
    char h[9];
    r_.bytes(h, 9);
    if (memcmp(h, "REDIS", 5) != 0) throw rdb_format_error("wrong signature trying to load DB");
    int v = 0;
    for (int i = 5; i < 9; ++i) {
      if (h[i] < '0' || h[i] > '9') throw rdb_format_error("invalid RDB version field");
      v = v * 10 + (h[i] - '0');
    }
    res_.version = v;
    if (v < rdb::min_version || v > rdb::max_version)
      throw rdb_format_error("can't handle RDB format version " + std::to_string(v));
    now_ = opt_.now_ms != 0 ? opt_.now_ms : wall_ms();
  }

  void trailer() {
    if (res_.version < checksum_min_version) {
      res_.checksum = rdb_checksum::absent;
      return;
    }
    uint64_t computed = r_.crc();  // everything up to and including the EOF opcode
    uint64_t stored = r_.u64le();
    res_.stored_checksum = stored;
    res_.computed_checksum = computed;
    if (stored == 0) {
      res_.checksum = rdb_checksum::disabled;
    } else if (!opt_.verify_checksum) {
      res_.checksum = rdb_checksum::not_checked;
    } else if (stored != computed) {
      char buf[128];
      snprintf(buf, sizeof(buf), "wrong RDB checksum: expected %016llx, got %016llx",
               static_cast<unsigned long long>(computed), static_cast<unsigned long long>(stored));
      throw rdb_format_error(buf);
    } else {
      res_.checksum = rdb_checksum::verified;
    }
  }

  rdb_reader r_;
  const rdb_load_options& opt_;
  const rdb_callbacks& cb_;
  rdb_load_result& res_;
  int64_t now_ = 0;
  std::string key_;
  bool in_key_ = false;
};

}  // namespace

rdb_load_result load_rdb(rdb_source& src, const rdb_load_options& opt, const rdb_callbacks& cb) {
  rdb_load_result res;
  loader l(src, opt, cb, res);
  try {
    l.run();
    res.ok = true;
    res.bytes = l.offset();
    res.leftover.assign(l.unconsumed());
  } catch (const rdb_format_error& e) {
    res.error = e.what();
    res.error_offset = l.offset();
    if (l.in_key()) res.error_key = l.key();
  } catch (const std::bad_alloc&) {
    res.error = "out of memory";
    res.error_offset = l.offset();
    if (l.in_key()) res.error_key = l.key();
  }
  return res;
}

}  // namespace troupe
