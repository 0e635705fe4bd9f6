#include "storage/rdb/rdb_dump.hpp"

#include <cstring>

#include "storage/encodings/crc64.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_format.hpp"
#include "storage/rdb/rdb_reader.hpp"

namespace troupe {
namespace {
constexpr size_t footer_size = 10;
}

std::string make_dump_payload(const kv_entry* e, bool compression) {
  std::string p;
  rdb_encoder enc(p, compression);
  enc.value(e);
  p.push_back(static_cast<char>(rdb::version & 0xff));
  p.push_back(static_cast<char>(rdb::version >> 8));
  enc.trailer(crc64(0, p.data(), p.size()));
  return p;
}

bool verify_dump_payload(std::string_view payload, bool skip_checksum) {
  if (payload.size() < footer_size) return false;
  const auto* f = reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - 10);
  int version = f[0] | (f[1] << 8);
  if (version > rdb::max_version) return false;
  if (skip_checksum) return true;
  uint64_t want = crc64(0, payload.data(), payload.size() - 8);
  uint64_t got;
  memcpy(&got, f + 2, 8);
  if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) got = __builtin_bswap64(got);
  return want == got;
}

kv_entry* load_dump_payload(std::string_view payload, std::string_view key, bool with_expire,
                            const rdb_load_limits& lim, std::string* err) {
  if (payload.size() < footer_size) {
    if (err) *err = "payload too short";
    return nullptr;
  }
  // Like Redis, the value is read from the whole payload: a corrupt value may
  // run into the footer (the checksum already vouched for the bytes).
  rdb_memory_source src(payload);
  rdb_reader r(src);
  try {
    uint8_t type = r.byte();
    if (!rdb::is_value_type(type)) throw rdb_format_error("unknown RDB value type");
    kv_entry* e = read_rdb_value(r, type, key, with_expire, lim);
    if (e == nullptr && err) *err = "empty value";
    return e;
  } catch (const rdb_format_error& x) {
    if (err) *err = x.what();
    return nullptr;
  }
}

}  // namespace troupe
