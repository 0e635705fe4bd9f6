// BITFIELD and BITFIELD_RO: signed (i1..i64) and unsigned (u1..u63) integers
// at any bit offset of a string (or at #n, n times the width), GET, SET and
// INCRBY with OVERFLOW WRAP, SAT or FAIL, as Redis 7.0 computes them.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "protocol/text/numbers.hpp"
#include "storage/types/string_ops.hpp"

namespace troupe {
namespace {

enum class overflow { wrap, sat, fail };
enum class opcode { get, set, incrby };

struct field_op {
  uint64_t offset;
  int64_t value;
  opcode op;
  overflow ow;
  int bits;
  bool sign;
};

uint64_t get_unsigned(const unsigned char* p, uint64_t offset, int bits) {
  uint64_t value = 0;
  for (int n = 0; n < bits; ++n, ++offset)
    value = (value << 1) | ((p[offset >> 3] >> (7 - (offset & 7))) & 1);
  return value;
}

int64_t get_signed(const unsigned char* p, uint64_t offset, int bits) {
  uint64_t u = get_unsigned(p, offset, bits);
  // Sign-extend from the field's top bit.
  if (bits < 64 && (u & (uint64_t(1) << (bits - 1)))) u |= ~uint64_t(0) << bits;
  return int64_t(u);
}

void set_unsigned(unsigned char* p, uint64_t offset, int bits, uint64_t value) {
  for (int j = 0; j < bits; ++j, ++offset) {
    unsigned bit = (value >> (bits - 1 - j)) & 1;
    unsigned shift = 7 - (offset & 7);
    p[offset >> 3] = static_cast<unsigned char>((p[offset >> 3] & ~(1u << shift)) | (bit << shift));
  }
}

// 1 (overflow up) / -1 (down) / 0; `limit` gets the wrapped or saturated value.
int unsigned_overflow(uint64_t value, int64_t incr, int bits, overflow ow, uint64_t& limit) {
  uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t(1) << bits) - 1;
  int64_t maxincr = int64_t(max - value);
  int64_t minincr = int64_t(uint64_t(0) - value);
  int result = 0;
  if (value > max || (incr > 0 && incr > maxincr)) {
    result = 1;
    if (ow == overflow::sat) limit = max;
  } else if (incr < 0 && incr < minincr) {
    result = -1;
    if (ow == overflow::sat) limit = 0;
  }
  if (result != 0 && ow == overflow::wrap) {
    limit = (value + uint64_t(incr)) & ~(~uint64_t(0) << bits);
    return 1;
  }
  return result;
}

int signed_overflow(int64_t value, int64_t incr, int bits, overflow ow, int64_t& limit) {
  int64_t max = bits == 64 ? INT64_MAX : (int64_t(1) << (bits - 1)) - 1;
  int64_t min = -max - 1;
  // Computed with wrapping arithmetic, and only used where they cannot have.
  int64_t maxincr = int64_t(uint64_t(max) - uint64_t(value));
  int64_t minincr = int64_t(uint64_t(min) - uint64_t(value));
  int result = 0;
  if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
    result = 1;
    if (ow == overflow::sat) limit = max;
  } else if (value < min || (bits != 64 && incr < minincr) ||
             (value < 0 && incr < 0 && incr < minincr)) {
    result = -1;
    if (ow == overflow::sat) limit = min;
  }
  if (result != 0 && ow == overflow::wrap) {
    uint64_t sum = uint64_t(value) + uint64_t(incr);
    if (bits < 64) {
      uint64_t mask = ~uint64_t(0) << bits;
      if (sum & (uint64_t(1) << (bits - 1)))
        sum |= mask;
      else
        sum &= ~mask;
    }
    limit = int64_t(sum);
    return 1;
  }
  return result;
}

bool type_arg(exec_context& c, std::string_view t, bool& sign, int& bits) {
  const std::string_view err =
      "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
      "i64 is.";
  t = as_c_string(t);
  if (t.empty() || (t[0] != 'i' && t[0] != 'u')) {
    c.out.error(err);
    return false;
  }
  sign = t[0] == 'i';
  auto n = parse_int64(t.substr(1));
  if (!n || *n < 1 || (sign && *n > 64) || (!sign && *n > 63)) {
    c.out.error(err);
    return false;
  }
  bits = int(*n);
  return true;
}

// An offset, or #n for the n-th field of this width.
bool offset_arg(exec_context& c, std::string_view s, int bits, uint64_t& out) {
  bool hash = !s.empty() && s[0] == '#';
  auto v = parse_int64(hash ? s.substr(1) : s);
  if (!v) {
    c.out.error(bit_offset_error);
    return false;
  }
  int64_t off = hash ? int64_t(uint64_t(*v) * uint64_t(bits)) : *v;  // wraps as in Redis
  if (off < 0 || uint64_t(off >> 3) >= uint64_t(c.srv.config().proto_max_bulk_len.get())) {
    c.out.error(bit_offset_error);
    return false;
  }
  out = uint64_t(off);
  return true;
}

// The string at k, grown with zero bytes to hold `bytes` (created if absent).
kv_entry* string_for_write(exec_context& c, const key_ref& k, size_t bytes) {
  dict::location loc = c.locate(k);
  if (!loc) {
    store_string(c, k, loc, std::string_view(), -1, false);
    loc = k.db->keys.locate(k.name, k.hash);
  }
  kv_entry* e = loc.entry();
  size_t len = e->str_len();
  if (bytes > len) {
    kv_entry* grown = resize_string_entry(e, bytes, true);
    if (grown != e) k.db->moved(loc, grown);
    e = grown;
    memset(e->str_data() + len, 0, bytes - len);
    e->set_str_len(uint32_t(bytes));
  }
  e->flags |= kv_entry::flag_raw;
  return e;
}

void bitfield_generic(exec_context& c, bool ro) {
  std::vector<field_op> ops;
  overflow ow = overflow::wrap;
  bool readonly = true;
  uint64_t highest = 0;
  for (size_t j = 2; j < c.argc(); ++j) {
    size_t remaining = c.argc() - j - 1;
    opcode op;
    if (c.arg_is(j, "get") && remaining >= 2) {
      op = opcode::get;
    } else if (c.arg_is(j, "set") && remaining >= 3) {
      op = opcode::set;
    } else if (c.arg_is(j, "incrby") && remaining >= 3) {
      op = opcode::incrby;
    } else if (c.arg_is(j, "overflow") && remaining >= 1) {
      ++j;
      if (c.arg_is(j, "wrap"))
        ow = overflow::wrap;
      else if (c.arg_is(j, "sat"))
        ow = overflow::sat;
      else if (c.arg_is(j, "fail"))
        ow = overflow::fail;
      else
        return c.out.error("ERR Invalid OVERFLOW type specified");
      continue;
    } else {
      return c.syntax_error();
    }
    field_op f{0, 0, op, ow, 0, false};
    if (!type_arg(c, c.arg(j + 1), f.sign, f.bits)) return;
    if (!offset_arg(c, c.arg(j + 2), f.bits, f.offset)) return;
    if (op != opcode::get) {
      readonly = false;
      highest = std::max(highest, f.offset + uint64_t(f.bits) - 1);
      if (!c.int_arg(j + 3, f.value)) return;
    }
    ops.push_back(f);
    j += op == opcode::get ? 2 : 3;
  }

  key_ref k = c.key_at(1);
  kv_entry* e;
  if (readonly) {
    e = c.lookup_read(k);
    if (e != nullptr && e->type() != value_type::string) return c.wrongtype();
  } else {
    if (ro) return c.out.error("ERR BITFIELD_RO only supports the GET subcommand");
    e = c.lookup(k);
    if (e != nullptr && e->type() != value_type::string) return c.wrongtype();
    size_t bytes = size_t(highest >> 3) + 1;
    // Troupe's strings end at 4 GB whatever proto-max-bulk-len allows.
    if (bytes > UINT32_MAX) return c.out.error(errors::too_big);
    e = string_for_write(c, k, bytes);
  }

  c.out.array(ops.size());
  int64_t changes = 0;
  for (const field_op& f : ops) {
    if (f.op == opcode::get) {
      // Up to 9 bytes copied out, zero padded past the end of the string.
      unsigned char buf[9] = {0};
      uint64_t byte = f.offset >> 3;
      std::string_view src = e ? e->str() : std::string_view();
      for (uint64_t i = 0; i < 9 && byte + i < src.size(); ++i) buf[i] = uint8_t(src[byte + i]);
      uint64_t rel = f.offset - byte * 8;
      if (f.sign)
        c.out.integer(get_signed(buf, rel, f.bits));
      else
        c.out.integer(int64_t(get_unsigned(buf, rel, f.bits)));
      continue;
    }
    auto* p = reinterpret_cast<unsigned char*>(e->str_data());
    bool failed;
    if (f.sign) {
      int64_t old = get_signed(p, f.offset, f.bits), limit = 0, next, ret;
      int ovf;
      if (f.op == opcode::incrby) {
        ovf = signed_overflow(old, f.value, f.bits, f.ow, limit);
        next = ovf ? limit : int64_t(uint64_t(old) + uint64_t(f.value));
        ret = next;
      } else {
        ovf = signed_overflow(f.value, 0, f.bits, f.ow, limit);
        next = ovf ? limit : f.value;
        ret = old;
      }
      failed = ovf && f.ow == overflow::fail;
      if (!failed) {
        c.out.integer(ret);
        set_unsigned(p, f.offset, f.bits, uint64_t(next));
      }
    } else {
      uint64_t old = get_unsigned(p, f.offset, f.bits), limit = 0, next, ret;
      int ovf;
      if (f.op == opcode::incrby) {
        ovf = unsigned_overflow(old, f.value, f.bits, f.ow, limit);
        next = ovf ? limit : old + uint64_t(f.value);
        ret = next;
      } else {
        ovf = unsigned_overflow(uint64_t(f.value), 0, f.bits, f.ow, limit);
        next = ovf ? limit : uint64_t(f.value);
        ret = old;
      }
      failed = ovf && f.ow == overflow::fail;
      if (!failed) {
        c.out.integer(int64_t(ret));
        set_unsigned(p, f.offset, f.bits, next);
      }
    }
    // A FAIL overflow writes nothing: Redis 7.0 then neither journals the
    // command nor announces it (even when it created the key).
    if (failed)
      c.out.null();
    else
      ++changes;
  }
  if (changes) {
    c.changed(k, changes);
    c.notify(notify_string, "setbit", k);
  }
}

void cmd_bitfield(exec_context& c) {
  bitfield_generic(c, false);
}
void cmd_bitfield_ro(exec_context& c) {
  bitfield_generic(c, true);
}

const command_def bitfield_commands[] = {
    {"bitfield", -2, "write denyoom", 1, 1, 1, "", cmd_bitfield,
     "Perform arbitrary bitfield integer operations on strings", "3.2.0",
     "O(1) for each subcommand specified",
     "key [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding offset value|INCRBY "
     "encoding offset increment [GET encoding offset|[OVERFLOW WRAP|SAT|FAIL] SET encoding "
     "offset value|INCRBY encoding offset increment ...]]"},
    {"bitfield_ro", -2, "readonly fast", 1, 1, 1, "", cmd_bitfield_ro,
     "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
     "6.0.0", "O(1) for each subcommand specified",
     "key [GET encoding offset [GET encoding offset ...]]"},
};

}  // namespace

void register_bitfield_family(command_table& t) {
  t.add_all("bitmap", bitfield_commands);
}

}  // namespace troupe
