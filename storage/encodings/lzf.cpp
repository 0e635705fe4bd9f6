#include "storage/encodings/lzf.hpp"

#include <cstdint>
#include <cstring>

namespace troupe {
namespace {

constexpr unsigned hash_bits = 14;
constexpr size_t max_offset = 1 << 13;  // back references reach 8 KB
constexpr size_t max_match = 7 + 255 + 2;
constexpr size_t max_literals = 32;

inline uint32_t hash3(const unsigned char* p) {
  uint32_t v = uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
  return (v * 2654435761u) >> (32 - hash_bits);
}

}  // namespace

size_t lzf_compress(const void* in_data, size_t in_len, void* out_data, size_t out_len) {
  // Positions of recent 3-byte sequences. Never cleared: a stale slot may point
  // anywhere, so every candidate is checked to lie behind us and to match.
  thread_local uint32_t last_seen[1 << hash_bits];
  const auto* in = static_cast<const unsigned char*>(in_data);
  auto* out = static_cast<unsigned char*>(out_data);
  // Positions are kept in 32 bits; RDB strings are far smaller anyway.
  if (in_len == 0 || out_len == 0 || in_len > UINT32_MAX) return 0;

  size_t ip = 0, op = 0;
  size_t ctrl = op++;  // control byte of the literal run being built
  size_t lit = 0;
  while (ip + 2 < in_len) {
    uint32_t h = hash3(in + ip);
    size_t ref = last_seen[h];
    last_seen[h] = uint32_t(ip);
    if (ref < ip && ip - ref <= max_offset && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] &&
        in[ref + 2] == in[ip + 2]) {
      size_t limit = in_len - ip < max_match ? in_len - ip : max_match;
      size_t len = 3;
      while (len < limit && in[ref + len] == in[ip + len]) ++len;
      // Close the literal run (or take back its unused control byte).
      if (lit > 0)
        out[ctrl] = static_cast<unsigned char>(lit - 1);
      else
        op = ctrl;
      size_t off = ip - ref - 1;
      size_t l = len - 2;
      if (op + 3 + 1 > out_len) return 0;  // the reference and the next control byte
      if (l < 7) {
        out[op++] = static_cast<unsigned char>((l << 5) | (off >> 8));
      } else {
        out[op++] = static_cast<unsigned char>((7 << 5) | (off >> 8));
        out[op++] = static_cast<unsigned char>(l - 7);
      }
      out[op++] = static_cast<unsigned char>(off & 0xff);
      ip += len;
      // Remember the sequences just before the new position so that repeats
      // right after this match are found.
      if (ip + 2 < in_len) {
        last_seen[hash3(in + ip - 2)] = uint32_t(ip - 2);
        last_seen[hash3(in + ip - 1)] = uint32_t(ip - 1);
      }
      ctrl = op++;
      lit = 0;
      continue;
    }
    if (op + 1 > out_len) return 0;
    out[op++] = in[ip++];
    if (++lit == max_literals) {
      out[ctrl] = static_cast<unsigned char>(lit - 1);
      if (op + 1 > out_len) return 0;
      ctrl = op++;
      lit = 0;
    }
  }
  while (ip < in_len) {
    if (op + 1 > out_len) return 0;
    out[op++] = in[ip++];
    if (++lit == max_literals) {
      out[ctrl] = static_cast<unsigned char>(lit - 1);
      if (ip == in_len) return op;
      if (op + 1 > out_len) return 0;
      ctrl = op++;
      lit = 0;
    }
  }
  if (lit > 0)
    out[ctrl] = static_cast<unsigned char>(lit - 1);
  else
    op = ctrl;  // an empty run at the end: drop its control byte
  return op;
}

size_t lzf_decompress(const void* in_data, size_t in_len, void* out_data, size_t out_len) {
  const auto* in = static_cast<const unsigned char*>(in_data);
  auto* out = static_cast<unsigned char*>(out_data);
  size_t ip = 0, op = 0;
  while (ip < in_len) {
    unsigned ctrl = in[ip++];
    if (ctrl < 32) {
      size_t n = size_t(ctrl) + 1;
      if (ip + n > in_len || op + n > out_len) return 0;
      memcpy(out + op, in + ip, n);
      ip += n;
      op += n;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= in_len) return 0;
      len += in[ip++];
    }
    len += 2;
    if (ip >= in_len) return 0;
    size_t back = ((size_t(ctrl) & 0x1f) << 8) + in[ip++] + 1;
    if (back > op || op + len > out_len) return 0;
    size_t from = op - back;
    if (back >= len) {
      memcpy(out + op, out + from, len);
    } else {
      // Overlapping copy: the reference repeats bytes it is producing.
      for (size_t i = 0; i < len; ++i) out[op + i] = out[from + i];
    }
    op += len;
  }
  return op;
}

}  // namespace troupe
