// Bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP.
#include <algorithm>
#include <cstring>
#include <string>

#include "protocol/text/numbers.hpp"
#include "storage/types/string_ops.hpp"

namespace troupe {
namespace {

// A bit offset as Redis takes it: its byte must lie below proto-max-bulk-len
// (and, for SETBIT, below what a string value can hold).
bool parse_bit_offset(exec_context& c, std::string_view arg, uint64_t& out, bool for_write) {
  auto v = parse_int64(arg);
  int64_t max_bytes = c.srv.config().proto_max_bulk_len.get();
  if (for_write) max_bytes = int64_t(std::min<uint64_t>(uint64_t(max_bytes), max_string_size(c)));
  if (!v || *v < 0 || (*v >> 3) >= max_bytes) {
    c.out.error(bit_offset_error);
    return false;
  }
  out = uint64_t(*v);
  return true;
}

void cmd_setbit(exec_context& c) {
  uint64_t offset;
  if (!parse_bit_offset(c, c.arg(2), offset, true)) return;
  std::string_view bit = c.arg(3);
  if (bit.size() != 1 || (bit[0] != '0' && bit[0] != '1'))
    return c.out.error("ERR bit is not an integer or out of range");
  int on = bit[0] - '0';
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (loc && loc.entry()->type() != value_type::string) return c.wrongtype();
  if (!loc) {
    store_string(c, k, loc, std::string_view(), -1, false);
    loc = k.db->keys.locate(k.name, k.hash);
  }
  kv_entry* e = loc.entry();
  size_t byte = size_t(offset >> 3);
  size_t len = e->str_len();
  if (byte >= len) {
    kv_entry* grown = resize_string_entry(e, byte + 1, true);
    if (grown != e) k.db->moved(loc, grown);
    e = grown;
    memset(e->str_data() + len, 0, byte + 1 - len);
    e->set_str_len(uint32_t(byte + 1));
  }
  unsigned char* p = reinterpret_cast<unsigned char*>(e->str_data()) + byte;
  int shift = 7 - int(offset & 7);
  int old = (*p >> shift) & 1;
  *p = static_cast<unsigned char>((*p & ~(1 << shift)) | (on << shift));
  e->flags |= kv_entry::flag_raw;
  c.changed(k);
  c.notify(notify_string, "setbit", k);
  c.out.integer(old);
}

void cmd_getbit(exec_context& c) {
  uint64_t offset;
  if (!parse_bit_offset(c, c.arg(2), offset, false)) return;
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.integer(0);
  if (e->type() != value_type::string) return c.wrongtype();
  size_t byte = size_t(offset >> 3);
  if (byte >= e->str_len()) return c.out.integer(0);
  unsigned char v = static_cast<unsigned char>(e->str_data()[byte]);
  c.out.integer((v >> (7 - (offset & 7))) & 1);
}

// Resolves a [start end [BYTE|BIT]] range against a string of `len` bytes into a
// bit range [first, last]; false when empty.
bool resolve_range(int64_t start, int64_t end, bool bits, int64_t len, int64_t& first,
                   int64_t& last) {
  int64_t total = bits ? len * 8 : len;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end || total == 0) return false;
  first = bits ? start : start * 8;
  last = bits ? end : end * 8 + 7;
  return true;
}

bool parse_unit(exec_context& c, size_t i, bool& bits) {
  if (c.arg_is(i, "bit"))
    bits = true;
  else if (c.arg_is(i, "byte"))
    bits = false;
  else {
    c.syntax_error();
    return false;
  }
  return true;
}

// BITCOUNT and BITPOS look the key up before they read the range (Redis's
// order of errors): a missing key answers 0 (-1) whatever the range says.
void cmd_bitcount(exec_context& c) {
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.integer(0);
  if (e->type() != value_type::string) return c.wrongtype();
  int64_t start = 0, end = -1;
  bool bits = false, ranged = false;
  if (c.argc() == 3 || c.argc() > 5) return c.syntax_error();
  if (c.argc() >= 4) {
    if (!c.int_arg(2, start) || !c.int_arg(3, end)) return;
    ranged = true;
    if (c.argc() == 5 && !parse_unit(c, 4, bits)) return;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(e->str_data());
  int64_t len = e->str_len();
  int64_t first, last;
  if (!ranged) {
    first = 0;
    last = len * 8 - 1;
    if (len == 0) return c.out.integer(0);
  } else if ((start < 0 && end < 0 && start > end) ||  // Redis 7.0 answers 0 at once
             !resolve_range(start, end, bits, len, first, last)) {
    return c.out.integer(0);
  }
  int64_t count = 0;
  int64_t b = first;
  while (b <= last && (b & 7) != 0) {
    count += (p[b >> 3] >> (7 - (b & 7))) & 1;
    ++b;
  }
  while (b + 64 <= last + 1) {
    uint64_t w;
    memcpy(&w, p + (b >> 3), 8);
    count += __builtin_popcountll(w);
    b += 64;
  }
  while (b + 8 <= last + 1) {
    count += __builtin_popcount(p[b >> 3]);
    b += 8;
  }
  while (b <= last) {
    count += (p[b >> 3] >> (7 - (b & 7))) & 1;
    ++b;
  }
  c.out.integer(count);
}

void cmd_bitpos(exec_context& c) {
  int64_t bit;
  if (!c.int_arg(2, bit)) return;
  if (bit != 0 && bit != 1) return c.out.error("ERR The bit argument must be 1 or 0.");
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.integer(bit ? -1 : 0);
  if (e->type() != value_type::string) return c.wrongtype();
  int64_t start = 0, end = -1;
  bool bits = false, end_given = false;
  if (c.argc() > 6) return c.syntax_error();
  if (c.argc() >= 4 && !c.int_arg(3, start)) return;
  if (c.argc() == 6 && !parse_unit(c, 5, bits)) return;
  if (c.argc() >= 5) {
    if (!c.int_arg(4, end)) return;
    end_given = true;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(e->str_data());
  int64_t len = e->str_len();
  int64_t first, last;
  if (!resolve_range(start, end, bits, len, first, last)) return c.out.integer(-1);
  for (int64_t b = first; b <= last; ++b) {
    if ((b & 7) == 0 && b + 7 <= last) {
      unsigned char skip = bit ? 0x00 : 0xff;
      if (p[b >> 3] == skip) {
        b += 7;
        continue;
      }
    }
    if (((p[b >> 3] >> (7 - (b & 7))) & 1) == bit) return c.out.integer(b);
  }
  // Looking for a 0 past the end of the string without an explicit end: the
  // string is considered padded with zeros on the right.
  if (bit == 0 && !end_given) return c.out.integer(last + 1);
  c.out.integer(-1);
}

void cmd_bitop(exec_context& c) {
  std::string_view op = c.arg(1);
  enum { op_and, op_or, op_xor, op_not } kind;
  if (iequals(op, "and"))
    kind = op_and;
  else if (iequals(op, "or"))
    kind = op_or;
  else if (iequals(op, "xor"))
    kind = op_xor;
  else if (iequals(op, "not"))
    kind = op_not;
  else
    return c.syntax_error();
  if (kind == op_not && c.argc() != 4)
    return c.out.error("ERR BITOP NOT must be called with a single source key.");
  std::vector<std::string> srcs;
  size_t maxlen = 0;
  for (size_t i = 3; i < c.argc(); ++i) {
    kv_entry* e = c.lookup_read(c.key_at(i));
    if (e == nullptr) {
      srcs.emplace_back();
      continue;
    }
    if (e->type() != value_type::string) return c.wrongtype();
    srcs.emplace_back(e->str());
    maxlen = std::max(maxlen, srcs.back().size());
  }
  std::string res(maxlen, '\0');
  for (size_t j = 0; j < maxlen; ++j) {
    auto byte = [&](size_t s) -> unsigned char {
      return j < srcs[s].size() ? static_cast<unsigned char>(srcs[s][j]) : 0;
    };
    unsigned char v = byte(0);
    if (kind == op_not) v = static_cast<unsigned char>(~v);
    for (size_t s = 1; s < srcs.size(); ++s) {
      if (kind == op_and)
        v &= byte(s);
      else if (kind == op_or)
        v |= byte(s);
      else
        v ^= byte(s);
    }
    res[j] = char(v);
  }
  key_ref dst = c.key_at(2);
  dict::location loc = c.locate(dst);
  if (maxlen == 0) {
    if (loc) {
      dst.db->remove(loc);
      c.changed(dst);
      c.notify(notify_generic, "del", dst);
    }
    return c.out.integer(0);
  }
  kv_entry* e = store_string(c, dst, loc, res, -1, false);
  e->flags |= kv_entry::flag_raw;
  c.changed(dst);
  c.notify(notify_string, "set", dst);
  c.out.integer(int64_t(maxlen));
}

const command_def bitmap_commands[] = {
    {"setbit", 4, "write denyoom", 1, 1, 1, "", cmd_setbit,
     "Sets or clears the bit at offset in the string value stored at key", "2.2.0", "O(1)",
     "key offset value"},
    {"getbit", 3, "readonly fast", 1, 1, 1, "", cmd_getbit,
     "Returns the bit value at offset in the string value stored at key", "2.2.0", "O(1)",
     "key offset"},
    {"bitcount", -2, "readonly", 1, 1, 1, "", cmd_bitcount, "Count set bits in a string", "2.6.0",
     "O(N)", "key [start end [BYTE|BIT]]"},
    {"bitpos", -3, "readonly", 1, 1, 1, "", cmd_bitpos, "Find first bit set or clear in a string",
     "2.8.7", "O(N)", "key bit [start [end [BYTE|BIT]]]"},
    {"bitop", -4, "write denyoom", 2, -1, 1, "", cmd_bitop,
     "Perform bitwise operations between strings", "2.6.0", "O(N)",
     "operation destkey key [key ...]"},
};

}  // namespace

void register_bitmap_family(command_table& t) {
  t.add_all("bitmap", bitmap_commands);
}

}  // namespace troupe
