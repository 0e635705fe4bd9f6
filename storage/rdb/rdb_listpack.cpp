#include "storage/rdb/rdb_listpack.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace troupe::rdb {
namespace {

// The back-length size Troupe's listpack code gives an entry of encoding + data
// length l, asked of that code itself (it only looks at the entry's header).
size_t troupe_backlen_size(const unsigned char* p, size_t l) {
  return lp::entry_size(p) - l;
}

void write_backlen(unsigned char* p, size_t l, size_t n) {
  // Most significant group first; every byte after the first has the top bit
  // set, so a reader going leftwards knows where the field starts.
  for (size_t i = 0; i < n; ++i) {
    unsigned char b = static_cast<unsigned char>((l >> (7 * (n - 1 - i))) & 127);
    p[i] = i > 0 ? (b | 128) : b;
  }
}

// Reads a back-length ending at p (its last byte), at most 5 bytes, not before
// `floor`. Returns false if it runs out of room or is too long.
bool read_backlen(const unsigned char* p, const unsigned char* floor, size_t& l) {
  l = 0;
  for (int shift = 0, i = 0; i < 5; ++i, shift += 7) {
    if (p < floor) return false;
    l |= size_t(*p & 127) << shift;
    if (!(*p & 128)) return true;
    --p;
  }
  return false;
}

}  // namespace

size_t redis_backlen_size(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

bool check_listpack(const unsigned char* bytes, size_t n, listpack_info& info, std::string& err) {
  info = {};
  if (n < lp::header_size + 1) {
    err = "listpack shorter than its header";
    return false;
  }
  uint32_t total;
  memcpy(&total, bytes, 4);
  if (total != n) {
    err = "listpack total bytes do not match its size";
    return false;
  }
  if (bytes[n - 1] != lp::eof) {
    err = "listpack does not end with its terminator";
    return false;
  }
  uint16_t header_count;
  memcpy(&header_count, bytes + 4, 2);
  const unsigned char* end = bytes + n - 1;  // the terminator
  const unsigned char* p = bytes + lp::header_size;
  size_t count = 0;
  while (p < end) {
    unsigned char b = *p;
    // The encoding's own header bytes must be inside before they are read.
    size_t head = 1;
    if ((b & 0xF0) == 0xE0)
      head = 2;
    else if (b == 0xF0)
      head = 5;
    if (size_t(end - p) < head) {
      err = "listpack entry header runs past the end";
      return false;
    }
    size_t l = lp::encoded_len(p);
    if (l == 0) {
      err = "listpack entry has an invalid encoding byte";
      return false;
    }
    size_t bl = redis_backlen_size(l);
    if (size_t(end - p) < l || size_t(end - p) - l < bl) {
      err = "listpack entry runs past the end";
      return false;
    }
    size_t back;
    if (!read_backlen(p + l + bl - 1, p + l, back) || back != l) {
      err = "listpack entry back-length does not match";
      return false;
    }
    if (bl != troupe_backlen_size(p, l)) info.troupe_layout = false;
    lp::value v = lp::get(p);
    // Troupe's lookups expect a canonical integer as an integer entry (as Redis
    // writes it); one stored as text would never be found.
    int64_t as_int;
    if (!v.is_int() &&
        lp::string_to_int(std::string_view(reinterpret_cast<const char*>(v.str), v.len), as_int))
      info.troupe_layout = false;
    char digits[24];
    size_t len = v.is_int() ? v.view(digits).size() : v.len;
    if (len > info.longest) info.longest = len;
    p += l + bl;
    ++count;
  }
  if (header_count != 65535 && header_count != count) {
    err = "listpack header count does not match its entries";
    return false;
  }
  info.count = count;
  return true;
}

bool is_redis_layout(const unsigned char* lp) {
  const unsigned char* p = lp + lp::header_size;
  while (*p != lp::eof) {
    size_t l = lp::encoded_len(p);
    size_t bl = troupe_backlen_size(p, l);
    if (bl != redis_backlen_size(l)) return false;
    p += l + bl;
  }
  return true;
}

void listpack_writer::reset() {
  buf_.assign(lp::header_size, '\0');
  count_ = 0;
  finished_ = false;
}

void listpack_writer::add_entry(const unsigned char* head, size_t head_len, std::string_view data) {
  if (finished_) {
    buf_.pop_back();  // the terminator goes back on at the next finish()
    finished_ = false;
  }
  size_t l = head_len + data.size();
  size_t bl = redis_backlen_size(l);
  size_t at = buf_.size();
  buf_.resize(at + l + bl);
  auto* p = reinterpret_cast<unsigned char*>(buf_.data()) + at;
  memcpy(p, head, head_len);
  if (!data.empty()) memcpy(p + head_len, data.data(), data.size());
  write_backlen(p + l, l, bl);
  ++count_;
}

void listpack_writer::add(int64_t v) {
  unsigned char h[9];
  size_t n;
  if (v >= 0 && v <= 127) {
    h[0] = static_cast<unsigned char>(v);
    n = 1;
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = v < 0 ? (uint64_t(1) << 13) + uint64_t(v) : uint64_t(v);
    h[0] = static_cast<unsigned char>(0xC0 | (u >> 8));
    h[1] = static_cast<unsigned char>(u & 0xFF);
    n = 2;
  } else {
    size_t width;
    if (v >= -32768 && v <= 32767) {
      h[0] = 0xF1;
      width = 2;
    } else if (v >= -8388608 && v <= 8388607) {
      h[0] = 0xF2;
      width = 3;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      h[0] = 0xF3;
      width = 4;
    } else {
      h[0] = 0xF4;
      width = 8;
    }
    uint64_t u = uint64_t(v);
    for (size_t i = 0; i < width; ++i) h[1 + i] = static_cast<unsigned char>(u >> (8 * i));
    n = 1 + width;
  }
  add_entry(h, n, {});
}

void listpack_writer::add(std::string_view s) {
  int64_t v;
  if (lp::string_to_int(s, v)) return add(v);
  unsigned char h[5];
  size_t n;
  if (s.size() < 64) {
    h[0] = static_cast<unsigned char>(0x80 | s.size());
    n = 1;
  } else if (s.size() < 4096) {
    h[0] = static_cast<unsigned char>(0xE0 | (s.size() >> 8));
    h[1] = static_cast<unsigned char>(s.size() & 0xFF);
    n = 2;
  } else {
    h[0] = 0xF0;
    uint32_t l = uint32_t(s.size());
    memcpy(h + 1, &l, 4);
    n = 5;
  }
  add_entry(h, n, s);
}

std::string_view listpack_writer::finish() {
  if (!finished_) {
    buf_.push_back(static_cast<char>(lp::eof));
    finished_ = true;
  }
  uint32_t total = uint32_t(buf_.size());
  memcpy(buf_.data(), &total, 4);
  uint16_t c = count_ >= 65535 ? uint16_t(65535) : uint16_t(count_);
  memcpy(buf_.data() + 4, &c, 2);
  return buf_;
}

unsigned char* adopt_listpack(std::string_view blob, const listpack_info& info) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(blob.data());
  if (info.troupe_layout) {
    auto* p = static_cast<unsigned char*>(malloc(blob.size()));
    if (p == nullptr) throw std::bad_alloc();
    memcpy(p, bytes, blob.size());
    return p;
  }
  unsigned char* l = lp::create();
  try {
    for_each_listpack_entry(bytes, [&](const lp::value& v) {
      if (v.is_int())
        lp::append_int(l, v.num);
      else
        lp::append(l, std::string_view(reinterpret_cast<const char*>(v.str), v.len));
    });
  } catch (...) {
    lp::destroy(l);
    throw;
  }
  return l;
}

}  // namespace troupe::rdb
