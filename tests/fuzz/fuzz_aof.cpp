// Fuzzes the AOF loader's parsers: the manifest of a multi-part AOF
// (storage/aof_manifest.cpp) and the command files (storage/aof_reader.cpp),
// including a base file with an RDB preamble followed by commands. The same
// input is given to both parsers; the seeds are manifests and AOF files written
// by redis-server 7.0.
//
// Oracles:
// - a manifest that parses prints (to_string) to text that parses to the same
//   files, and what it says about the base and the next sequence numbers holds;
// - a command file read to its end or to a torn or corrupt command stops at a
//   valid offset inside the file; cutting the file there (what
//   aof-load-truncated and troupe-check-aof --fix do) leaves a file that reads
//   to its end with the same commands; the commands written back as RESP read
//   back the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "storage/aof/aof_manifest.hpp"
#include "storage/aof/aof_reader.hpp"
#include "storage/rdb/rdb_loader.hpp"

using namespace troupe;

namespace {

void check_manifest(const std::string& text) {
  std::string err;
  auto m = aof_manifest::parse(text, err);
  if (!m) {
    FUZZ_CHECK(!err.empty());
    return;
  }
  int bases = 0;
  for (auto& f : m->files) {
    FUZZ_CHECK(!f.name.empty());
    FUZZ_CHECK(f.name.find('/') == std::string::npos);
    FUZZ_CHECK(f.type == 'b' || f.type == 'i' || f.type == 'h');
    bases += f.type == 'b';
  }
  FUZZ_CHECK(bases <= 1);
  FUZZ_CHECK((m->base() != nullptr) == (bases == 1));
  std::string printed = m->to_string();
  std::string err2;
  auto again = aof_manifest::parse(printed, err2);
  if (!again)
    fprintf(stderr, "printed manifest does not parse (%s):\n%s\n", err2.c_str(), printed.c_str());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->files.size() == m->files.size());
  // to_string orders base, history, increments; compare as sets of lines.
  FUZZ_CHECK(again->to_string() == printed);
  FUZZ_CHECK(again->next_base_seq() == m->next_base_seq());
  FUZZ_CHECK(again->next_incr_seq() == m->next_incr_seq());
}

struct read_result {
  std::vector<std::vector<std::string>> commands;
  aof_reader::result last = aof_reader::result::end;
  int64_t valid = 0;
};

// Reads commands from bytes[offset, end).
read_result read_commands(const std::string& bytes, int64_t offset) {
  read_result r;
  r.valid = offset;
  if (bytes.empty()) return r;  // fmemopen refuses an empty buffer
  FILE* f = fmemopen(const_cast<char*>(bytes.data()), bytes.size(), "rb");
  FUZZ_CHECK(f != nullptr);
  aof_reader reader(f, offset);
  std::vector<std::string> args;
  for (;;) {
    auto res = reader.next(args);
    FUZZ_CHECK(reader.valid_offset() >= r.valid);
    FUZZ_CHECK(reader.valid_offset() <= int64_t(bytes.size()));
    r.valid = reader.valid_offset();
    if (res != aof_reader::result::command) {
      r.last = res;
      if (res == aof_reader::result::corrupt) FUZZ_CHECK(!reader.error().empty());
      break;
    }
    FUZZ_CHECK(!args.empty());
    r.commands.push_back(args);
  }
  fclose(f);
  return r;
}

std::string as_resp(const std::vector<std::vector<std::string>>& commands) {
  std::string out;
  for (auto& c : commands) {
    out += "*" + std::to_string(c.size()) + "\r\n";
    for (auto& a : c) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  }
  return out;
}

void check_commands(const std::string& bytes, int64_t offset) {
  read_result r = read_commands(bytes, offset);
  // Cut at the last valid offset: reads to its end, same commands.
  std::string cut = bytes.substr(0, size_t(r.valid));
  read_result c = read_commands(cut, offset);
  FUZZ_CHECK(c.commands == r.commands);
  FUZZ_CHECK(c.last == aof_reader::result::end);
  FUZZ_CHECK(c.valid == r.valid);
  // Written back in canonical RESP: reads back the same.
  std::string resp = as_resp(r.commands);
  read_result w = read_commands(resp, 0);
  FUZZ_CHECK(w.commands == r.commands);
  FUZZ_CHECK(w.last == aof_reader::result::end);
  FUZZ_CHECK(w.valid == int64_t(resp.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  check_manifest(bytes);
  int64_t offset = 0;
  if (bytes.compare(0, 5, "REDIS") == 0) {
    // An RDB preamble: the commands start where the RDB ends.
    rdb_memory_source src(bytes);
    rdb_load_options opt;
    opt.verify_checksum = false;
    opt.keep_expired = true;
    rdb_callbacks cb;
    cb.on_entry = [](int, kv_entry* e) { destroy_entry(e); };
    rdb_load_result lr = load_rdb(src, opt, cb);
    if (!lr.ok) return 0;
    FUZZ_CHECK(lr.bytes <= size);
    FUZZ_CHECK(lr.leftover == bytes.substr(lr.bytes));
    offset = int64_t(lr.bytes);
  }
  check_commands(bytes, offset);
  return 0;
}
