// Fuzzes RDB file loading (storage/rdb_loader.cpp, rdb_reader, rdb_value,
// rdb_blobs, rdb_listpack, lzf): the seeds are dump.rdb files written by
// redis-server 7.0 with every type and encoding, expiries and several
// databases. The checksum is not verified (the fuzzer's mutations would
// otherwise stop there), everything else is.
//
// Oracles:
// - every loaded value is walked through its own lookups (value_checks.hpp);
// - the file read from memory in place, streamed through a small buffer in
//   uneven pieces, and streamed from a source that cannot tell its size (a
//   socket, as a replica reads a full sync) loads the same keys and values and
//   agrees on success;
// - a file that loads, written again by Troupe's encoder, loads with its
//   checksum verified to the same keys and values.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "storage/encodings/crc64.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_loader.hpp"
#include "value_checks.hpp"

using namespace troupe;

namespace {

// Bytes in memory handed out in pieces, like a file or a socket would.
class piecewise_source : public rdb_source {
 public:
  piecewise_source(std::string_view data, size_t piece, bool knows_size)
      : data_(data), piece_(piece), knows_size_(knows_size) {}
  size_t read(void* p, size_t n) override {
    size_t k = std::min({n, piece_, data_.size() - pos_});
    if (k > 0) memcpy(p, data_.data() + pos_, k);
    pos_ += k;
    piece_ = piece_ % 13 + 1;  // uneven pieces
    return k;
  }
  std::optional<uint64_t> remaining() const override {
    if (!knows_size_) return std::nullopt;
    return data_.size() - pos_;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0, piece_;
  bool knows_size_;
};

struct loaded {
  rdb_load_result res;
  std::vector<std::pair<int, std::string>> keys;  // (db, canonical line)
  std::vector<kv_entry*> entries;                 // kept for re-encoding
  std::vector<int> dbs;
  ~loaded() {
    for (auto* e : entries) destroy_entry(e);
  }
};

void load(rdb_source& src, bool verify, size_t buffer, bool keep, loaded& out) {
  rdb_load_options opt;
  opt.verify_checksum = verify;
  opt.keep_expired = true;
  opt.now_ms = 1;
  opt.read_buffer = buffer;
  rdb_callbacks cb;
  cb.on_entry = [&](int db, kv_entry* e) {
    FUZZ_CHECK(db >= 0 && db < 16);
    fuzz::walk_value(e);
    out.keys.emplace_back(db, rdb_test::canonical(db, e));
    if (keep) {
      out.entries.push_back(e);
      out.dbs.push_back(db);
    } else {
      destroy_entry(e);
    }
  };
  out.res = load_rdb(src, opt, cb);
  if (!out.res.ok) FUZZ_CHECK(!out.res.error.empty());
}

void same(const loaded& a, const loaded& b, const char* what) {
  if (a.res.ok != b.res.ok || a.keys != b.keys)
    fprintf(stderr, "%s: ok %d/%d (%s / %s), keys %zu/%zu\n", what, int(a.res.ok), int(b.res.ok),
            a.res.error.c_str(), b.res.error.c_str(), a.keys.size(), b.keys.size());
  FUZZ_CHECK(a.res.ok == b.res.ok);
  FUZZ_CHECK(a.keys == b.keys);
  FUZZ_CHECK(a.res.aux == b.res.aux);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view file(reinterpret_cast<const char*>(data), size);
  loaded in_place;
  {
    rdb_memory_source src(file);
    load(src, false, 256 * 1024, true, in_place);
  }
  {
    loaded streamed;
    piecewise_source src(file, 7, true);
    load(src, false, 64, false, streamed);
    same(in_place, streamed, "streamed");
  }
  {
    loaded unsized;
    piecewise_source src(file, 3, false);
    load(src, false, 100, false, unsized);
    same(in_place, unsized, "unsized");
  }
  if (!in_place.res.ok) return 0;

  std::string again;
  rdb_encoder enc(again);
  enc.header();
  int db = -1;
  for (size_t i = 0; i < in_place.entries.size(); ++i) {
    if (in_place.dbs[i] != db) {
      db = in_place.dbs[i];
      enc.select_db(db);
    }
    enc.entry(in_place.entries[i]);
  }
  enc.eof();
  enc.trailer(crc64(0, again.data(), again.size()));
  loaded reloaded;
  rdb_memory_source src(again);
  load(src, true, 256 * 1024, false, reloaded);
  if (!reloaded.res.ok) fprintf(stderr, "rewritten file fails: %s\n", reloaded.res.error.c_str());
  FUZZ_CHECK(reloaded.res.ok);
  FUZZ_CHECK(reloaded.keys == in_place.keys);
  return 0;
}
