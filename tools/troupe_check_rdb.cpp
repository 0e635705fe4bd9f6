// troupe-check-rdb: verifies an RDB file as redis-check-rdb does and says what it
// holds: version, aux fields, keys and expires per database, keys per RDB type
// and per in-memory encoding. Exit status 0 if the file loads, 1 if not.
//
//   troupe-check-rdb [--keys] FILE
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "storage/rdb/rdb_loader.hpp"
#include "storage/types/kv_entry.hpp"

using namespace troupe;

namespace {

void usage() {
  fprintf(stderr, "Usage: troupe-check-rdb [--keys] <rdb-file-name>\n");
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char ch : s) {
    if (ch >= 32 && ch < 127 && ch != '\\') {
      out.push_back(char(ch));
    } else {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", ch);
      out += buf;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool list_keys = false;
  const char* path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--keys") == 0) {
      list_keys = true;
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage();
      return 0;
    } else if (path == nullptr) {
      path = argv[i];
    } else {
      usage();
      return 1;
    }
  }
  if (path == nullptr) {
    usage();
    return 1;
  }
  printf("[offset 0] Checking RDB file %s\n", path);
  rdb_file_source src(path);
  if (!src.ok()) {
    printf("--- RDB ERROR DETECTED ---\n%s\n", src.error().c_str());
    return 1;
  }

  std::map<std::string, uint64_t> encodings;  // "type/encoding" -> keys
  rdb_load_options opt;
  opt.databases = 0;  // accept any database number
  rdb_callbacks cb;
  cb.on_aux = [](std::string_view k, std::string_view v) {
    printf("[info] AUX FIELD %s = '%s'\n", printable(k).c_str(), printable(v).c_str());
  };
  cb.on_entry = [&](int db, kv_entry* e) {
    value_encoding enc = e->type() == value_type::string ? string_encoding_of(e) : e->encoding();
    ++encodings[std::string(type_name(e->type())) + "/" + encoding_name(enc)];
    if (list_keys) {
      printf("[key] db %d %s %s %s", db, printable(e->key()).c_str(), type_name(e->type()),
             encoding_name(enc));
      if (e->has_expire()) printf(" expire-at-ms %lld", static_cast<long long>(e->expire_at()));
      printf("\n");
    }
    destroy_entry(e);
  };
  rdb_load_result r = load_rdb(src, opt, cb);

  if (r.version > 0) printf("[info] RDB version %d\n", r.version);
  for (auto& [db, st] : r.dbs)
    printf(
        "[info] db %d: %llu keys, %llu with an expire, %llu already expired, %llu empty skipped\n",
        db, static_cast<unsigned long long>(st.keys + st.expired_skipped),
        static_cast<unsigned long long>(st.expires + st.expired_skipped),
        static_cast<unsigned long long>(st.expired_skipped),
        static_cast<unsigned long long>(st.empty_skipped));
  for (auto& [t, n] : r.types)
    printf("[info] RDB type %d (%s): %llu keys\n", t, rdb::type_name(t),
           static_cast<unsigned long long>(n));
  for (auto& [name, n] : encodings)
    printf("[info] loaded as %s: %llu keys\n", name.c_str(), static_cast<unsigned long long>(n));
  for (auto& w : r.warnings) printf("[warning] %s\n", w.c_str());

  if (!r.ok) {
    printf("--- RDB ERROR DETECTED ---\n");
    printf("[offset %llu] %s", static_cast<unsigned long long>(r.error_offset), r.error.c_str());
    if (!r.error_key.empty()) printf(" (reading key '%s')", printable(r.error_key).c_str());
    printf("\n");
    return 1;
  }
  unsigned long long end = r.bytes;
  switch (r.checksum) {
    case rdb_checksum::verified:
      printf("[offset %llu] Checksum OK\n", end);
      break;
    case rdb_checksum::disabled:
      printf("[offset %llu] RDB file was saved with checksum disabled: no check performed.\n", end);
      break;
    case rdb_checksum::absent:
      printf("[offset %llu] RDB version %d has no checksum.\n", end, r.version);
      break;
    case rdb_checksum::not_checked:
      break;
  }
  printf("[info] %llu keys read\n", static_cast<unsigned long long>(r.keys + r.expired_skipped));
  printf("[info] %llu expires\n", static_cast<unsigned long long>(r.expires + r.expired_skipped));
  printf("[info] %llu already expired\n", static_cast<unsigned long long>(r.expired_skipped));
  if (!r.leftover.empty() || src.remaining().value_or(0) > 0)
    printf("[info] %llu bytes follow the RDB (an AOF tail?)\n",
           static_cast<unsigned long long>(r.leftover.size() + src.remaining().value_or(0)));
  printf("[offset %llu] \\o/ RDB looks OK! \\o/\n", end);
  return 0;
}
