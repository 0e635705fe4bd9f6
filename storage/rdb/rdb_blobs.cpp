#include "storage/rdb/rdb_blobs.hpp"

#include <charconv>
#include <cstring>

namespace troupe::rdb {
namespace {

uint32_t le32(const unsigned char* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

int64_t le_signed(const unsigned char* p, size_t width) {
  uint64_t u = 0;
  for (size_t i = 0; i < width; ++i) u |= uint64_t(p[i]) << (8 * i);
  if (width < 8) {
    uint64_t sign = uint64_t(1) << (8 * width - 1);
    if (u & sign) u |= ~((sign << 1) - 1);
  }
  return int64_t(u);
}

constexpr size_t ziplist_header = 10;
constexpr unsigned char ziplist_end = 0xFF;
constexpr unsigned char ziplist_big_prevlen = 0xFE;

}  // namespace

bool walk_ziplist(const unsigned char* z, size_t n, const std::function<void(std::string_view)>& f,
                  std::string& err) {
  if (n < ziplist_header + 1) {
    err = "ziplist shorter than its header";
    return false;
  }
  if (le32(z) != n) {
    err = "ziplist total bytes do not match its size";
    return false;
  }
  if (z[n - 1] != ziplist_end) {
    err = "ziplist does not end with its terminator";
    return false;
  }
  uint32_t tail = le32(z + 4);
  uint16_t header_count;
  memcpy(&header_count, z + 8, 2);
  const unsigned char* end = z + n - 1;
  const unsigned char* p = z + ziplist_header;
  size_t prev_size = 0, count = 0;
  const unsigned char* last = nullptr;
  char num[24];
  while (p < end) {
    const unsigned char* start = p;
    // Length of the previous entry: 1 byte, or 0xFE and 4 bytes.
    size_t prevlen;
    if (*p < ziplist_big_prevlen) {
      prevlen = *p++;
    } else if (*p == ziplist_big_prevlen) {
      if (end - p < 5) {
        err = "ziplist entry runs past the end";
        return false;
      }
      prevlen = le32(p + 1);
      p += 5;
    } else {
      err = "ziplist entry has an invalid previous length";
      return false;
    }
    if (prevlen != prev_size) {
      err = "ziplist entry previous length does not match";
      return false;
    }
    if (p >= end) {
      err = "ziplist entry runs past the end";
      return false;
    }
    unsigned char e = *p;
    size_t head = 1, data = 0;
    bool is_str = true;
    int64_t v = 0;
    switch (e >> 6) {
      case 0:
        data = e & 0x3f;
        break;
      case 1:
        head = 2;
        if (end - p < 2) {
          err = "ziplist entry runs past the end";
          return false;
        }
        data = (size_t(e & 0x3f) << 8) | p[1];
        break;
      case 2:
        head = 5;
        if (end - p < 5) {
          err = "ziplist entry runs past the end";
          return false;
        }
        data = (size_t(p[1]) << 24) | (size_t(p[2]) << 16) | (size_t(p[3]) << 8) | p[4];
        break;
      default:
        is_str = false;
        if (e == 0xC0) {
          data = 2;
        } else if (e == 0xD0) {
          data = 4;
        } else if (e == 0xE0) {
          data = 8;
        } else if (e == 0xF0) {
          data = 3;
        } else if (e == 0xFE) {
          data = 1;
        } else if (e >= 0xF1 && e <= 0xFD) {
          v = int64_t(e & 0x0f) - 1;  // a 4-bit immediate value 0..12
        } else {
          err = "ziplist entry has an invalid encoding";
          return false;
        }
    }
    if (size_t(end - p) < head || size_t(end - p) - head < data) {
      err = "ziplist entry runs past the end";
      return false;
    }
    const unsigned char* d = p + head;
    if (is_str) {
      f(std::string_view(reinterpret_cast<const char*>(d), data));
    } else {
      if (data > 0) v = le_signed(d, data);
      auto r = std::to_chars(num, num + sizeof(num), v);
      f(std::string_view(num, size_t(r.ptr - num)));
    }
    p = d + data;
    prev_size = size_t(p - start);
    last = start;
    ++count;
  }
  if (header_count != 65535 && header_count != count) {
    err = "ziplist header count does not match its entries";
    return false;
  }
  size_t want_tail = last ? size_t(last - z) : ziplist_header;
  if (tail != want_tail) {
    err = "ziplist tail offset does not match its last entry";
    return false;
  }
  return true;
}

bool walk_zipmap(const unsigned char* z, size_t n,
                 const std::function<void(std::string_view, std::string_view)>& f,
                 std::string& err) {
  constexpr unsigned char big_len = 254, end_mark = 255;
  if (n < 2) {
    err = "zipmap too short";
    return false;
  }
  if (z[n - 1] != end_mark) {
    err = "zipmap does not end with its terminator";
    return false;
  }
  const unsigned char* end = z + n - 1;
  const unsigned char* p = z + 1;
  size_t count = 0;
  // Reads a length (1 byte, or 254 and 4 bytes); false if out of room.
  auto read_len = [&](size_t& len) {
    if (p >= end) return false;
    if (*p < big_len) {
      len = *p++;
      return true;
    }
    if (*p != big_len || end - p < 5) return false;
    len = le32(p + 1);
    p += 5;
    return true;
  };
  while (p < end) {
    size_t klen, vlen;
    if (!read_len(klen) || size_t(end - p) < klen) {
      err = "zipmap field runs past the end";
      return false;
    }
    std::string_view key(reinterpret_cast<const char*>(p), klen);
    p += klen;
    if (!read_len(vlen) || p >= end) {
      err = "zipmap value runs past the end";
      return false;
    }
    size_t free_bytes = *p++;
    if (size_t(end - p) < vlen || size_t(end - p) - vlen < free_bytes) {
      err = "zipmap value runs past the end";
      return false;
    }
    f(key, std::string_view(reinterpret_cast<const char*>(p), vlen));
    p += vlen + free_bytes;
    ++count;
  }
  if (z[0] < big_len && z[0] != count) {
    err = "zipmap count does not match its entries";
    return false;
  }
  return true;
}

bool check_intset(const unsigned char* s, size_t n, size_t& count, std::string& err) {
  if (n < 8) {
    err = "intset shorter than its header";
    return false;
  }
  uint32_t enc = le32(s), len = le32(s + 4);
  if (enc != 2 && enc != 4 && enc != 8) {
    err = "intset has an invalid encoding";
    return false;
  }
  if (uint64_t(len) * enc + 8 != n) {
    err = "intset size does not match its length";
    return false;
  }
  int64_t prev = 0;
  for (size_t i = 0; i < len; ++i) {
    int64_t v = le_signed(s + 8 + i * enc, enc);
    if (i > 0 && v <= prev) {
      err = "intset elements are not strictly ascending";
      return false;
    }
    prev = v;
  }
  count = len;
  return true;
}

}  // namespace troupe::rdb
