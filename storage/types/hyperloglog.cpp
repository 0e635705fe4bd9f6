#include "storage/types/hyperloglog.hpp"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace troupe::hll {
namespace {

constexpr size_t dense_bytes = dense_size - header_size;  // 12288
constexpr int hash_bits = 64 - precision;                 // the Q of the paper: 50
constexpr int zero_max_len = 64;
constexpr int val_max_len = 4;
constexpr uint32_t seed = 0xadc83b19u;
constexpr double alpha_inf = 0.721347520444481703680;  // 0.5 / ln(2)

// Sparse opcodes.
bool is_zero(unsigned char b) {
  return (b & 0xc0) == 0;
}
bool is_xzero(unsigned char b) {
  return (b & 0xc0) == 0x40;
}
bool is_val(unsigned char b) {
  return b & 0x80;
}
int zero_len(unsigned char b) {
  return (b & 0x3f) + 1;
}
int val_value(unsigned char b) {
  return ((b >> 2) & 0x1f) + 1;
}
int val_len(unsigned char b) {
  return (b & 0x3) + 1;
}
unsigned char val_op(int value, int len) {
  return static_cast<unsigned char>(((value - 1) << 2 | (len - 1)) | 0x80);
}
unsigned char zero_op(int len) {
  return static_cast<unsigned char>(len - 1);
}
void xzero_op(unsigned char* p, int len) {
  int l = len - 1;
  p[0] = static_cast<unsigned char>((l >> 8) | 0x40);
  p[1] = static_cast<unsigned char>(l & 0xff);
}
// An XZERO whose second byte lies past the end reads it as 0, as Redis reads
// the string's terminating NUL there.
int xzero_len(const unsigned char* p, const unsigned char* end) {
  int low = p + 1 < end ? p[1] : 0;
  return (((p[0] & 0x3f) << 8) | low) + 1;
}

const unsigned char* bytes(std::string_view v) {
  return reinterpret_cast<const unsigned char*>(v.data());
}

// Walks the opcodes of a sparse value: f(value, first register, run) for every
// run, in register order. Returns the number of registers covered, or -1 where
// a VAL run would pass the last register (corrupt, as Redis judges it); the
// caller checks the total is 16384.
template <class F>
int64_t walk_sparse(std::string_view v, F&& f) {
  const unsigned char* p = bytes(v) + header_size;
  const unsigned char* end = bytes(v) + v.size();
  int64_t idx = 0;
  while (p < end) {
    if (is_zero(*p)) {
      int run = zero_len(*p);
      f(0, idx, run);
      idx += run;
      ++p;
    } else if (is_xzero(*p)) {
      int run = xzero_len(p, end);
      f(0, idx, run);
      idx += run;
      p += 2;
    } else {
      int run = val_len(*p);
      if (run + idx > registers) return -1;
      f(val_value(*p), idx, run);
      idx += run;
      ++p;
    }
  }
  return idx;
}

// Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog
// sketches" (arXiv:1702.01284): the sigma and tau series, summed until the
// double stops changing.
double sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prev, y = 1, z = x;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prev, y = 1.0, z = 1 - x;
  do {
    x = sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= pow(1 - x, 2) * y;
  } while (z_prev != z);
  return z / 3;
}

uint64_t estimate(const int* histo) {
  double m = registers;
  double z = m * tau((m - histo[hash_bits + 1]) / m);
  for (int j = hash_bits; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  double e = double(llroundl(alpha_inf * m * m / z));
  return uint64_t(e);
}

// Registers of a sparse value raised in place: Redis's algorithm step by step
// (find the opcode covering the register, split it into at most five bytes,
// then merge equal neighbouring VALs a few opcodes around), so the same inserts
// leave the same bytes as in Redis.
int sparse_raise(std::string& v, int index, uint8_t count, size_t max_sparse) {
  if (count > sparse_val_max_value) goto promote;
  {
    const size_t npos = std::string::npos;
    size_t pos = header_size, prev = npos;
    int64_t first = 0, span = 0;
    while (pos < v.size()) {
      const unsigned char* p = bytes(v) + pos;
      size_t oplen = 1;
      if (is_zero(*p)) {
        span = zero_len(*p);
      } else if (is_val(*p)) {
        span = val_len(*p);
      } else {
        span = xzero_len(p, bytes(v) + v.size());
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = pos;
      pos += oplen;
      first += span;
    }
    if (span == 0 || pos >= v.size()) return -1;
    unsigned char op = static_cast<unsigned char>(v[pos]);
    bool zero = is_zero(op), xzero = is_xzero(op), val = is_val(op);
    size_t oldlen = xzero ? 2 : 1;
    // An XZERO cut short by the end of the value: Redis reads the missing byte
    // as the string's terminating NUL and writes the new opcodes over both,
    // keeping the length it computed for two bytes (the last new byte is lost).
    bool truncated = pos + oldlen > v.size();
    int64_t runlen = span;

    if (val) {
      int old = val_value(op);
      if (old >= count) return 0;
      if (runlen == 1) {
        v[pos] = char(val_op(count, 1));
        goto updated_at;
      }
    }
    if (zero && runlen == 1) {
      v[pos] = char(val_op(count, 1));
      goto updated_at;
    }
    {
      unsigned char seq[5], *n = seq;
      int64_t last = first + span - 1;
      if (zero || xzero) {
        if (index != first) {
          int len = int(index - first);
          if (len > zero_max_len) {
            xzero_op(n, len);
            n += 2;
          } else {
            *n++ = zero_op(len);
          }
        }
        *n++ = val_op(count, 1);
        if (index != last) {
          int len = int(last - index);
          if (len > zero_max_len) {
            xzero_op(n, len);
            n += 2;
          } else {
            *n++ = zero_op(len);
          }
        }
      } else {
        int cur = val_value(op);
        if (index != first) *n++ = val_op(cur, int(index - first));
        *n++ = val_op(count, 1);
        if (index != last) *n++ = val_op(cur, int(last - index));
      }
      size_t seqlen = size_t(n - seq);
      if (seqlen > oldlen && v.size() + (seqlen - oldlen) > max_sparse) goto promote;
      if (truncated) {
        size_t length = v.size() + seqlen - oldlen;
        v.resize(pos);
        v.append(reinterpret_cast<const char*>(seq), seqlen);
        v.resize(length);
      } else {
        v.replace(pos, oldlen, reinterpret_cast<const char*>(seq), seqlen);
      }
    }
  updated_at:
    // Merge adjacent VALs of equal value, scanning five opcodes from the one
    // before the change.
    size_t q = prev != npos ? prev : header_size;
    int scan = 5;
    while (q < v.size() && scan--) {
      unsigned char b = static_cast<unsigned char>(v[q]);
      if (is_xzero(b)) {
        q += 2;
        continue;
      }
      if (is_zero(b)) {
        ++q;
        continue;
      }
      if (q + 1 < v.size() && is_val(static_cast<unsigned char>(v[q + 1]))) {
        unsigned char b2 = static_cast<unsigned char>(v[q + 1]);
        int v1 = val_value(b), v2 = val_value(b2);
        if (v1 == v2) {
          int len = val_len(b) + val_len(b2);
          if (len <= val_max_len) {
            v[q + 1] = char(val_op(v1, len));
            v.erase(q, 1);
            continue;  // try the merged run with its right neighbour
          }
        }
      }
      ++q;
    }
    invalidate_cache(v.data());
    return 1;
  }
promote:
  if (!to_dense(v)) return -1;
  dense_raise(reinterpret_cast<unsigned char*>(v.data()) + header_size, index, count);
  return 1;
}

}  // namespace

uint64_t murmur64a(const void* key, size_t len, uint32_t s) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  // Redis passes the length as an int.
  uint64_t h = s ^ (uint64_t(int64_t(int(len))) * m);
  const auto* data = static_cast<const unsigned char*>(key);
  const unsigned char* end = data + (len - (len & 7));
  while (data != end) {
    uint64_t k;
    memcpy(&k, data, 8);  // little endian, as on every platform Troupe builds for
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
    data += 8;
  }
  switch (len & 7) {
    case 7:
      h ^= uint64_t(data[6]) << 48;
      [[fallthrough]];
    case 6:
      h ^= uint64_t(data[5]) << 40;
      [[fallthrough]];
    case 5:
      h ^= uint64_t(data[4]) << 32;
      [[fallthrough]];
    case 4:
      h ^= uint64_t(data[3]) << 24;
      [[fallthrough]];
    case 3:
      h ^= uint64_t(data[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint64_t(data[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= uint64_t(data[0]);
      h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

int pattern_length(std::string_view element, int& index) {
  uint64_t hash = murmur64a(element.data(), element.size(), seed);
  index = int(hash & (registers - 1));
  hash >>= precision;
  hash |= uint64_t(1) << hash_bits;  // ends the run at 51 at most
  return __builtin_ctzll(hash) + 1;
}

bool is_valid(std::string_view v) {
  if (v.size() < header_size || v.substr(0, 4) != "HYLL") return false;
  uint8_t enc = uint8_t(v[4]);
  if (enc > enc_sparse) return false;
  return enc != enc_dense || v.size() == dense_size;
}

uint8_t encoding_of(std::string_view v) {
  return uint8_t(v[4]);
}

std::string make_empty() {
  std::string v(header_size + 2, '\0');
  memcpy(v.data(), "HYLL", 4);
  v[4] = char(enc_sparse);
  xzero_op(reinterpret_cast<unsigned char*>(v.data()) + header_size, registers);
  return v;
}

uint8_t dense_get(const unsigned char* regs, int i) {
  size_t bit = size_t(i) * register_bits;
  size_t byte = bit / 8;
  unsigned fb = bit & 7, fb8 = 8 - fb;
  unsigned b0 = regs[byte];
  unsigned b1 = byte + 1 < dense_bytes ? regs[byte + 1] : 0;
  return uint8_t(((b0 >> fb) | (b1 << fb8)) & register_max);
}

void dense_set(unsigned char* regs, int i, uint8_t value) {
  size_t bit = size_t(i) * register_bits;
  size_t byte = bit / 8;
  unsigned fb = bit & 7, fb8 = 8 - fb;
  unsigned v = value;
  regs[byte] = static_cast<unsigned char>((regs[byte] & ~(register_max << fb)) | (v << fb));
  if (byte + 1 < dense_bytes)
    regs[byte + 1] =
        static_cast<unsigned char>((regs[byte + 1] & ~(register_max >> fb8)) | (v >> fb8));
}

bool dense_raise(unsigned char* regs, int i, uint8_t count) {
  if (count <= dense_get(regs, i)) return false;
  dense_set(regs, i, count);
  return true;
}

int raise_register(std::string& v, int i, uint8_t count, size_t max_sparse) {
  switch (encoding_of(v)) {
    case enc_dense:
      return dense_raise(reinterpret_cast<unsigned char*>(v.data()) + header_size, i, count);
    case enc_sparse:
      return sparse_raise(v, i, count, max_sparse);
    default:
      return -1;
  }
}

int add(std::string& v, std::string_view element, size_t max_sparse) {
  int index;
  int count = pattern_length(element, index);
  return raise_register(v, index, uint8_t(count), max_sparse);
}

bool to_dense(std::string& v) {
  if (encoding_of(v) == enc_dense) return true;
  std::string d(dense_size, '\0');
  memcpy(d.data(), v.data(), header_size);  // magic, unused bytes and the cache
  d[4] = char(enc_dense);
  auto* regs = reinterpret_cast<unsigned char*>(d.data()) + header_size;
  int64_t n = walk_sparse(v, [&](int value, int64_t idx, int run) {
    if (value == 0) return;
    for (int j = 0; j < run; ++j) dense_set(regs, int(idx + j), uint8_t(value));
  });
  if (n != registers) return false;
  v = std::move(d);
  return true;
}

bool merge_into(unsigned char* max, std::string_view v) {
  if (encoding_of(v) == enc_dense) {
    const unsigned char* regs = bytes(v) + header_size;
    for (int i = 0; i < registers; ++i) {
      uint8_t r = dense_get(regs, i);
      if (r > max[i]) max[i] = r;
    }
    return true;
  }
  int64_t n = walk_sparse(v, [&](int value, int64_t idx, int run) {
    if (value == 0) return;
    for (int j = 0; j < run; ++j)
      if (value > max[idx + j]) max[idx + j] = uint8_t(value);
  });
  return n == registers;
}

uint64_t count(std::string_view v, bool* invalid) {
  int histo[64] = {0};
  if (encoding_of(v) == enc_dense) {
    const unsigned char* regs = bytes(v) + header_size;
    for (int i = 0; i < registers; ++i) ++histo[dense_get(regs, i)];
  } else {
    int64_t n = walk_sparse(v, [&](int value, int64_t, int run) { histo[value] += run; });
    if (n != registers && invalid) *invalid = true;
  }
  return estimate(histo);
}

uint64_t count_registers(const unsigned char* regs) {
  int histo[256] = {0};
  for (int i = 0; i < registers; ++i) ++histo[regs[i]];
  return estimate(histo);
}

bool cache_valid(std::string_view v) {
  return (uint8_t(v[15]) & 0x80) == 0;
}

uint64_t cached(std::string_view v) {
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | uint8_t(v[8 + i]);
  return card;
}

void set_cached(char* header, uint64_t card) {
  for (int i = 0; i < 8; ++i) header[8 + i] = char((card >> (8 * i)) & 0xff);
}

void invalidate_cache(char* header) {
  header[15] = char(uint8_t(header[15]) | 0x80);
}

std::string decode_sparse(std::string_view v) {
  std::string out;
  const unsigned char* p = bytes(v) + header_size;
  const unsigned char* end = bytes(v) + v.size();
  while (p < end) {
    if (is_zero(*p)) {
      out += "z:" + std::to_string(zero_len(*p)) + " ";
      ++p;
    } else if (is_xzero(*p)) {
      out += "Z:" + std::to_string(xzero_len(p, end)) + " ";
      p += 2;
    } else {
      out += "v:" + std::to_string(val_value(*p)) + "," + std::to_string(val_len(*p)) + " ";
      ++p;
    }
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string self_test() {
  // 1. Dense registers: random values everywhere read back unchanged, so no
  // register spills into its neighbours.
  std::mt19937_64 rng(0x5eed);
  std::vector<unsigned char> regs(dense_bytes, 0);
  std::vector<uint8_t> expect(registers);
  for (int round = 0; round < 64; ++round) {
    for (int i = 0; i < registers; ++i) {
      expect[i] = uint8_t(rng() & register_max);
      dense_set(regs.data(), i, expect[i]);
    }
    for (int i = 0; i < registers; ++i)
      if (dense_get(regs.data(), i) != expect[i])
        return "TESTFAILED Register error at " + std::to_string(i);
  }
  // 2. The same elements into a sparse value (promoted to dense on the way)
  // and a dense one: equal estimates, within five standard errors of the
  // truth.
  std::string sparse = make_empty(), dense = make_empty();
  if (!to_dense(dense)) return "TESTFAILED dense conversion";
  const double max_err = 1.04 / std::sqrt(double(registers)) * 5;
  uint64_t checkpoint = 10;
  for (uint64_t j = 1; j <= 200000; ++j) {
    char ele[8];
    memcpy(ele, &j, 8);
    std::string_view e(ele, 8);
    if (add(sparse, e, 3000) < 0 || add(dense, e, 3000) < 0) return "TESTFAILED corrupt value";
    if (j != checkpoint) continue;
    checkpoint *= 10;
    uint64_t a = count(sparse, nullptr), b = count(dense, nullptr);
    if (a != b) return "TESTFAILED sparse and dense estimates differ at " + std::to_string(j);
    double err = std::fabs(double(b) - double(j)) / double(j);
    if (err > max_err)
      return "TESTFAILED too big error. card:" + std::to_string(b) +
             " abserr:" + std::to_string(err * double(j));
  }
  return {};
}

}  // namespace troupe::hll
