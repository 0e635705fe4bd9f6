#include "storage/rdb/rdb_reader.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "storage/encodings/crc64.hpp"
#include "storage/encodings/lzf.hpp"
#include "storage/rdb/rdb_format.hpp"

namespace troupe {
namespace {
// Strings longer than this are read into scratch memory piece by piece, so a
// corrupt length only costs memory as fast as real bytes arrive.
constexpr size_t grow_step = 16 * 1024 * 1024;
}  // namespace

rdb_reader::rdb_reader(rdb_source& src, size_t buffer_size) : src_(src) {
  if (auto all = src.take_all()) {
    data_ = all->data();
    end_ = cap_ = all->size();
    in_memory_ = true;
  } else {
    cap_ = buffer_size < 64 ? 64 : buffer_size;
    own_.reset(new char[cap_]);
    data_ = own_.get();
  }
}

void rdb_reader::update_crc() {
  if (crc_on_ && pos_ > crc_from_) crc_ = crc64(crc_, data_ + crc_from_, pos_ - crc_from_);
  crc_from_ = pos_;
}

void rdb_reader::start_crc() {
  crc_on_ = true;
  crc_ = 0;
  crc_from_ = pos_;
}

uint64_t rdb_reader::crc() {
  update_crc();
  return crc_;
}

void rdb_reader::fill(size_t n) {
  if (end_ - pos_ >= n) return;
  if (in_memory_ || n > cap_) throw rdb_format_error("unexpected end of input");
  update_crc();
  char* buf = own_.get();
  size_t keep = end_ - pos_;
  if (keep > 0 && pos_ > 0) memmove(buf, buf + pos_, keep);
  base_ += pos_;
  pos_ = 0;
  crc_from_ = 0;
  end_ = keep;
  while (end_ < n) {
    size_t r = src_.read(buf + end_, cap_ - end_);
    if (r == 0) {
      std::string why = src_.error();
      throw rdb_format_error(why.empty() ? "unexpected end of input" : why);
    }
    end_ += r;
  }
}

void rdb_reader::bytes(void* out, size_t n) {
  auto* o = static_cast<char*>(out);
  while (n > 0) {
    if (pos_ == end_) fill(1);
    size_t k = end_ - pos_ < n ? end_ - pos_ : n;
    memcpy(o, data_ + pos_, k);
    pos_ += k;
    o += k;
    n -= k;
  }
}

void rdb_reader::skip(uint64_t n) {
  need(n);
  while (n > 0) {
    if (pos_ == end_) fill(1);
    uint64_t k = end_ - pos_ < n ? end_ - pos_ : n;
    pos_ += size_t(k);
    n -= k;
  }
}

void rdb_reader::need(uint64_t n) {
  uint64_t have = end_ - pos_;
  if (n <= have) return;
  if (in_memory_) throw rdb_format_error("length " + std::to_string(n) + " exceeds the input left");
  auto rest = src_.remaining();
  if (rest && n - have > *rest)
    throw rdb_format_error("length " + std::to_string(n) + " exceeds the input left");
}

uint32_t rdb_reader::u32le() {
  fill(4);
  uint32_t v;
  memcpy(&v, data_ + pos_, 4);
  pos_ += 4;
  return v;
}

uint64_t rdb_reader::u64le() {
  fill(8);
  uint64_t v;
  memcpy(&v, data_ + pos_, 8);
  pos_ += 8;
  return v;
}

bool rdb_reader::length_or_encoding(uint64_t& v) {
  uint8_t b = byte();
  switch (b >> 6) {
    case rdb::len_6bit:
      v = b & 0x3f;
      return false;
    case rdb::len_14bit:
      v = (uint64_t(b & 0x3f) << 8) | byte();
      return false;
    case rdb::len_encval:
      v = b & 0x3f;
      return true;
  }
  if (b == rdb::len_32bit) {
    fill(4);
    const auto* p = reinterpret_cast<const unsigned char*>(data_ + pos_);
    v = (uint64_t(p[0]) << 24) | (uint64_t(p[1]) << 16) | (uint64_t(p[2]) << 8) | p[3];
    pos_ += 4;
    return false;
  }
  if (b == rdb::len_64bit) {
    fill(8);
    const auto* p = reinterpret_cast<const unsigned char*>(data_ + pos_);
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    pos_ += 8;
    return false;
  }
  throw rdb_format_error("unknown length encoding " + std::to_string(b));
}

uint64_t rdb_reader::length() {
  uint64_t v;
  if (length_or_encoding(v)) throw rdb_format_error("unexpected encoded string for a length");
  return v;
}

std::string_view rdb_reader::plain_string(uint64_t n) {
  need(n);
  if (n <= end_ - pos_ || (n <= cap_ / 2 && !in_memory_)) {
    fill(size_t(n));
    std::string_view v(data_ + pos_, size_t(n));
    pos_ += size_t(n);
    return v;
  }
  // Too big for the buffer: copy out, growing only as bytes really arrive.
  scratch_.clear();
  while (scratch_.size() < n) {
    size_t have = scratch_.size();
    size_t step = n - have < grow_step ? size_t(n - have) : grow_step;
    scratch_.resize(have + step);
    bytes(scratch_.data() + have, step);
  }
  return scratch_;
}

std::string_view rdb_reader::lzf_string() {
  uint64_t clen = length(), len = length();
  // LZF turns 3 bytes into at most 264, so anything beyond ~88x is corrupt.
  if (len == 0 || clen == 0 || len / 90 > clen)
    throw rdb_format_error("invalid LZF lengths (compressed " + std::to_string(clen) + ", plain " +
                           std::to_string(len) + ")");
  std::string_view packed = plain_string(clen);
  if (packed.data() == scratch_.data()) {
    packed_.swap(scratch_);
    packed = packed_;
  }
  scratch_.resize(size_t(len));
  if (lzf_decompress(packed.data(), packed.size(), scratch_.data(), scratch_.size()) != len)
    throw rdb_format_error("invalid LZF compressed string");
  return scratch_;
}

std::string_view rdb_reader::string() {
  uint64_t v;
  if (!length_or_encoding(v)) return plain_string(v);
  int64_t n;
  switch (v) {
    case rdb::enc_int8:
      n = int8_t(byte());
      break;
    case rdb::enc_int16: {
      fill(2);
      int16_t x;
      memcpy(&x, data_ + pos_, 2);
      pos_ += 2;
      n = x;
      break;
    }
    case rdb::enc_int32: {
      int32_t x = int32_t(u32le());
      n = x;
      break;
    }
    case rdb::enc_lzf:
      return lzf_string();
    default:
      throw rdb_format_error("unknown string encoding " + std::to_string(v));
  }
  auto r = std::to_chars(num_, num_ + sizeof(num_), n);
  return {num_, size_t(r.ptr - num_)};
}

void rdb_reader::skip_string() {
  uint64_t v;
  if (!length_or_encoding(v)) return skip(v);
  switch (v) {
    case rdb::enc_int8:
      return skip(1);
    case rdb::enc_int16:
      return skip(2);
    case rdb::enc_int32:
      return skip(4);
    case rdb::enc_lzf: {
      uint64_t clen = length();
      length();
      return skip(clen);
    }
  }
  throw rdb_format_error("unknown string encoding " + std::to_string(v));
}

double rdb_reader::text_double() {
  uint8_t n = byte();
  switch (n) {
    case rdb::double_nan:
      return std::nan("");
    case rdb::double_pos_inf:
      return INFINITY;
    case rdb::double_neg_inf:
      return -INFINITY;
  }
  char buf[256];
  bytes(buf, n);
  buf[n] = '\0';
  char* end;
  double d = strtod(buf, &end);
  if (n == 0 || end != buf + n) throw rdb_format_error("invalid double value");
  return d;
}

double rdb_reader::binary_double() {
  uint64_t u = u64le();
  double d;
  memcpy(&d, &u, 8);
  return d;
}

}  // namespace troupe
