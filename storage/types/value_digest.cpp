#include "storage/types/value_digest.hpp"

#include <openssl/sha.h>

#include <cstdio>

#include "storage/encodings/quicklist.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/kv_entry.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/stream_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {
namespace {

void xor_in(digest20& d, std::string_view data) {
  unsigned char h[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), h);
  for (size_t i = 0; i < d.size(); ++i) d[i] ^= h[i];
}

void mix_in(digest20& d, std::string_view data) {
  xor_in(d, data);
  SHA1(d.data(), d.size(), d.data());
}

std::string_view as_bytes(const digest20& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string_view big_endian32(uint32_t v, char (&buf)[4]) {
  for (int i = 0; i < 4; ++i) buf[i] = char(v >> (8 * (3 - i)));
  return {buf, 4};
}

}  // namespace

void add_value_digest(digest20& d, const kv_entry* e) {
  char be[4];
  mix_in(d, big_endian32(uint32_t(e->type()), be));
  auto* mut = const_cast<kv_entry*>(e);  // the *_ref views take a mutable entry
  switch (e->type()) {
    case value_type::string:
      mix_in(d, e->str());
      break;
    case value_type::list: {
      const auto* q = static_cast<const quicklist*>(e->object());
      char buf[24];
      for (auto it = q->begin(); it; q->next(it)) mix_in(d, quicklist::get(it).view(buf));
      break;
    }
    case value_type::set:
      set_ref(mut).for_each([&](std::string_view m) { xor_in(d, m); });
      break;
    case value_type::zset:
      zset_ref(mut).for_each([&](std::string_view m, double score) {
        digest20 one{};
        char buf[64];
        int n = std::snprintf(buf, sizeof buf, "%.17g", score);
        mix_in(one, m);
        mix_in(one, std::string_view(buf, size_t(n)));
        xor_in(d, as_bytes(one));
      });
      break;
    case value_type::hash:
      hash_ref(mut).for_each([&](std::string_view field, std::string_view value) {
        digest20 one{};
        mix_in(one, field);
        mix_in(one, value);
        xor_in(d, as_bytes(one));
      });
      break;
    case value_type::stream:
      // Each entry as "ms.seq", then its fields and values, in ID order
      // (groups are not part of it, as in Redis).
      stream_of(e).range({}, stream_id::max(), false, [&](const stream_entry& en) {
        mix_in(d, std::to_string(en.id.ms) + "." + std::to_string(en.id.seq));
        en.for_each_field([&](std::string_view f, std::string_view v) {
          mix_in(d, f);
          mix_in(d, v);
        });
        return true;
      });
      break;
  }
  if (e->has_expire()) xor_in(d, "!!expire!!");
}

digest20 dataset_digest(keyspace& ks) {
  digest20 total{};
  for (int db = 0; db < ks.databases(); ++db) {
    bool any = false;
    for (int s = 0; s < ks.shard_count() && !any; ++s) any = ks.shard(s).db(db).size() > 0;
    if (!any) continue;
    char be[4];
    mix_in(total, big_endian32(uint32_t(db), be));
    for (int s = 0; s < ks.shard_count(); ++s) {
      ks.shard(s).db(db).keys.for_each([&](kv_entry* e) {
        digest20 one{};
        mix_in(one, e->key());
        add_value_digest(one, e);
        xor_in(total, as_bytes(one));
      });
    }
  }
  return total;
}

std::string digest_hex(const digest20& d) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace troupe
