#include "storage/encodings/listpack.hpp"

#include <charconv>
#include <cstdlib>
#include <new>

#include "protocol/text/numbers.hpp"

namespace troupe::lp {
namespace {

constexpr uint16_t unknown_count = 65535;

void* checked_realloc(void* p, size_t n) {
  void* r = realloc(p, n);
  if (r == nullptr) throw std::bad_alloc();
  return r;
}

void set_bytes(unsigned char* lp, size_t n) {
  uint32_t v = uint32_t(n);
  memcpy(lp, &v, 4);
}
uint16_t header_count(const unsigned char* lp) {
  uint16_t v;
  memcpy(&v, lp + 4, 2);
  return v;
}
void set_count(unsigned char* lp, size_t n) {
  uint16_t v = n >= unknown_count ? unknown_count : uint16_t(n);
  memcpy(lp + 4, &v, 2);
}
void adjust_count(unsigned char* lp, long delta) {
  uint16_t c = header_count(lp);
  if (c == unknown_count) {
    // Recount lazily only when it may fit again.
    if (delta < 0) set_count(lp, length(lp));
    return;
  }
  set_count(lp, size_t(long(c) + delta));
}

size_t backlen_size(size_t l) {
  if (l < 128) return 1;
  if (l < 16384) return 2;
  if (l < 2097152) return 3;
  if (l < 268435456) return 4;
  return 5;
}

void write_backlen(unsigned char* p, size_t l) {
  size_t n = backlen_size(l);
  // p[0] holds the highest group without the continuation bit; every later byte
  // carries it, so a reader walking leftwards knows when to stop.
  for (size_t i = 0; i < n; ++i) {
    size_t shift = 7 * (n - 1 - i);
    unsigned char b = static_cast<unsigned char>((l >> shift) & 127);
    if (i > 0) b |= 128;
    p[i] = b;
  }
}

// Encodes an integer; returns the number of bytes written to buf (at most 9).
size_t encode_int(int64_t v, unsigned char* buf) {
  if (v >= 0 && v <= 127) {
    buf[0] = static_cast<unsigned char>(v);
    return 1;
  }
  if (v >= -4096 && v <= 4095) {
    uint64_t u = v < 0 ? (uint64_t(1) << 13) + uint64_t(v) : uint64_t(v);
    buf[0] = static_cast<unsigned char>(0xC0 | (u >> 8));
    buf[1] = static_cast<unsigned char>(u & 0xFF);
    return 2;
  }
  auto le = [&](unsigned char tag, size_t width) {
    uint64_t u = uint64_t(v);
    buf[0] = tag;
    for (size_t i = 0; i < width; ++i) buf[1 + i] = static_cast<unsigned char>(u >> (8 * i));
    return width + 1;
  };
  if (v >= -32768 && v <= 32767) return le(0xF1, 2);
  if (v >= -8388608 && v <= 8388607) return le(0xF2, 3);
  if (v >= INT32_MIN && v <= INT32_MAX) return le(0xF3, 4);
  return le(0xF4, 8);
}

size_t str_header_len(size_t len) {
  if (len < 64) return 1;
  if (len < 4096) return 2;
  return 5;
}

void write_str_header(unsigned char* p, size_t len) {
  if (len < 64) {
    p[0] = static_cast<unsigned char>(0x80 | len);
  } else if (len < 4096) {
    p[0] = static_cast<unsigned char>(0xE0 | (len >> 8));
    p[1] = static_cast<unsigned char>(len & 0xFF);
  } else {
    p[0] = 0xF0;
    uint32_t l = uint32_t(len);
    memcpy(p + 1, &l, 4);
  }
}

int64_t read_signed(const unsigned char* p, size_t width) {
  uint64_t u = 0;
  for (size_t i = 0; i < width; ++i) u |= uint64_t(p[i]) << (8 * i);
  if (width < 8) {
    uint64_t sign = uint64_t(1) << (8 * width - 1);
    if (u & sign) u |= ~((sign << 1) - 1);
  }
  return int64_t(u);
}

// What an insertion writes: encoding + data, then backlen.
struct encoded {
  unsigned char head[9];
  size_t head_len = 0;
  std::string_view data;  // string payload (empty for integers)
  size_t enc_len = 0;     // head + data
  size_t total() const { return enc_len + backlen_size(enc_len); }
  void write(unsigned char* p) const {
    memcpy(p, head, head_len);
    if (!data.empty()) memcpy(p + head_len, data.data(), data.size());
    write_backlen(p + enc_len, enc_len);
  }
};

encoded encode_value(std::string_view s) {
  encoded e;
  int64_t v;
  if (string_to_int(s, v)) {
    e.head_len = encode_int(v, e.head);
  } else {
    e.head_len = str_header_len(s.size());
    write_str_header(e.head, s.size());
    e.data = s;
  }
  e.enc_len = e.head_len + e.data.size();
  return e;
}

encoded encode_integer(int64_t v) {
  encoded e;
  e.head_len = encode_int(v, e.head);
  e.enc_len = e.head_len;
  return e;
}

unsigned char* insert_encoded(unsigned char*& lp, unsigned char* p, const encoded& e) {
  size_t old = bytes(lp);
  size_t off = p == nullptr ? old - 1 : size_t(p - lp);
  size_t add = e.total();
  size_t cap = old + add;
  lp = static_cast<unsigned char*>(checked_realloc(lp, cap));
  memmove(lp + off + add, lp + off, old - off);
  e.write(lp + off);
  set_bytes(lp, old + add);
  adjust_count(lp, 1);
  return lp + off;
}

}  // namespace

std::string_view value::view(char* buf) const {
  if (str != nullptr) return {reinterpret_cast<const char*>(str), len};
  auto r = std::to_chars(buf, buf + 21, num);
  return {buf, size_t(r.ptr - buf)};
}

bool value::equals(std::string_view s) const {
  if (str != nullptr) return len == s.size() && (len == 0 || memcmp(str, s.data(), len) == 0);
  int64_t v;
  return string_to_int(s, v) && v == num;
}

bool value::as_int(int64_t& out) const {
  if (str == nullptr) {
    out = num;
    return true;
  }
  return string_to_int({reinterpret_cast<const char*>(str), len}, out);
}

bool string_to_int(std::string_view s, int64_t& v) {
  if (s.empty() || s.size() > 20) return false;
  auto r = parse_int64(s);
  if (!r) return false;
  v = *r;
  return true;
}

unsigned char* create(size_t capacity) {
  size_t n = capacity > header_size + 1 ? capacity : header_size + 1;
  auto* lp = static_cast<unsigned char*>(malloc(n));
  if (lp == nullptr) throw std::bad_alloc();
  set_bytes(lp, header_size + 1);
  set_count(lp, 0);
  lp[header_size] = eof;
  return lp;
}

void destroy(unsigned char* lp) {
  free(lp);
}

unsigned char* copy(const unsigned char* lp) {
  size_t n = bytes(lp);
  auto* c = static_cast<unsigned char*>(malloc(n));
  if (c == nullptr) throw std::bad_alloc();
  memcpy(c, lp, n);
  return c;
}

size_t length(const unsigned char* lp) {
  uint16_t c = header_count(lp);
  if (c != unknown_count) return c;
  size_t n = 0;
  const unsigned char* p = lp + header_size;
  while (*p != eof) {
    p += entry_size(p);
    ++n;
  }
  return n;
}

size_t encoded_len(const unsigned char* p) {
  unsigned char b = p[0];
  if (b < 0x80) return 1;
  if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 2 + ((size_t(b & 0x0F) << 8) | p[1]);
  switch (b) {
    case 0xF0: {
      uint32_t l;
      memcpy(&l, p + 1, 4);
      return 5 + l;
    }
    case 0xF1:
      return 3;
    case 0xF2:
      return 4;
    case 0xF3:
      return 5;
    case 0xF4:
      return 9;
  }
  return 0;  // 0xF5-0xFF start no entry
}

size_t entry_size(const unsigned char* p) {
  size_t l = encoded_len(p);
  return l + backlen_size(l);
}

unsigned char* next(unsigned char*, unsigned char* p) {
  p += entry_size(p);
  return *p == eof ? nullptr : p;
}

unsigned char* prev(unsigned char* lp, unsigned char* p) {
  if (p == nullptr) return last(lp);
  if (p == lp + header_size) return nullptr;
  unsigned char* q = p - 1;
  size_t l = 0;
  size_t shift = 0;
  while (true) {
    unsigned char b = *q;
    l |= size_t(b & 127) << shift;
    shift += 7;
    if (!(b & 128)) break;
    --q;
  }
  return q - l;
}

unsigned char* last(unsigned char* lp) {
  unsigned char* end = lp + bytes(lp) - 1;
  if (end == lp + header_size) return nullptr;
  return prev(lp, end);
}

value get(const unsigned char* p) {
  value v;
  unsigned char b = p[0];
  if (b < 0x80) {
    v.num = b;
  } else if ((b & 0xC0) == 0x80) {
    v.str = p + 1;
    v.len = b & 0x3F;
  } else if ((b & 0xE0) == 0xC0) {
    uint64_t u = (uint64_t(b & 0x1F) << 8) | p[1];
    v.num = u >= 4096 ? int64_t(u) - 8192 : int64_t(u);
  } else if ((b & 0xF0) == 0xE0) {
    v.len = uint32_t((size_t(b & 0x0F) << 8) | p[1]);
    v.str = p + 2;
  } else if (b == 0xF0) {
    memcpy(&v.len, p + 1, 4);
    v.str = p + 5;
  } else if (b == 0xF1) {
    v.num = read_signed(p + 1, 2);
  } else if (b == 0xF2) {
    v.num = read_signed(p + 1, 3);
  } else if (b == 0xF3) {
    v.num = read_signed(p + 1, 4);
  } else if (b == 0xF4) {
    v.num = read_signed(p + 1, 8);
  }
  return v;
}

unsigned char* seek(unsigned char* lp, long i) {
  size_t n = length(lp);
  if (i < 0) i += long(n);
  if (i < 0 || size_t(i) >= n) return nullptr;
  if (size_t(i) < n / 2) {
    unsigned char* p = first(lp);
    while (i-- > 0) p = next(lp, p);
    return p;
  }
  unsigned char* p = last(lp);
  for (long k = long(n) - 1; k > i; --k) p = prev(lp, p);
  return p;
}

unsigned char* find(unsigned char*, unsigned char* p, std::string_view s, unsigned skip) {
  int64_t iv = 0;
  bool s_is_int = string_to_int(s, iv);
  unsigned left = 0;
  while (p != nullptr && *p != eof) {
    if (left == 0) {
      unsigned char b = p[0];
      bool is_str = (b & 0xC0) == 0x80 || (b & 0xF0) == 0xE0 || b == 0xF0;
      if (is_str) {
        if (!s_is_int) {
          value v = get(p);
          if (v.len == s.size() && (s.empty() || memcmp(v.str, s.data(), s.size()) == 0)) return p;
        }
      } else if (s_is_int && get(p).num == iv) {
        return p;
      }
      left = skip;
    } else {
      --left;
    }
    p += entry_size(p);
  }
  return nullptr;
}

unsigned char* insert(unsigned char*& lp, unsigned char* p, std::string_view s) {
  return insert_encoded(lp, p, encode_value(s));
}

unsigned char* insert_int(unsigned char*& lp, unsigned char* p, int64_t v) {
  return insert_encoded(lp, p, encode_integer(v));
}

unsigned char* replace(unsigned char*& lp, unsigned char* p, std::string_view s) {
  encoded e = encode_value(s);
  size_t off = size_t(p - lp);
  size_t old_entry = entry_size(p);
  size_t add = e.total();
  size_t old = bytes(lp);
  if (add > old_entry) {
    lp = static_cast<unsigned char*>(checked_realloc(lp, old + add - old_entry));
    memmove(lp + off + add, lp + off + old_entry, old - off - old_entry);
  } else if (add < old_entry) {
    memmove(lp + off + add, lp + off + old_entry, old - off - old_entry);
  }
  e.write(lp + off);
  set_bytes(lp, old + add - old_entry);
  return lp + off;
}

unsigned char* remove(unsigned char*& lp, unsigned char* p, size_t n) {
  size_t off = size_t(p - lp);
  unsigned char* q = p;
  size_t removed = 0;
  while (removed < n && *q != eof) {
    q += entry_size(q);
    ++removed;
  }
  size_t gap = size_t(q - p);
  size_t old = bytes(lp);
  memmove(p, q, old - size_t(q - lp));
  set_bytes(lp, old - gap);
  uint16_t c = header_count(lp);
  if (c != unknown_count)
    set_count(lp, c - removed);
  else
    set_count(lp, length(lp));
  return lp[off] == eof ? nullptr : lp + off;
}

void remove_range(unsigned char*& lp, long index, size_t n) {
  unsigned char* p = seek(lp, index);
  if (p != nullptr && n > 0) remove(lp, p, n);
}

void shrink_to_fit(unsigned char*& lp) {
  lp = static_cast<unsigned char*>(checked_realloc(lp, bytes(lp)));
}

size_t encoded_size(std::string_view s) {
  return encode_value(s).total();
}

}  // namespace troupe::lp
