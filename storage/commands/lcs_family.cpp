// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest
// common subsequence of two strings, by the textbook dynamic programming table
// as Redis builds it, so the subsequence and the ranges IDX reports (walked
// back from the end) are Redis's. The table takes 4 bytes per pair of
// positions: like Redis, Troupe refuses a table larger than
// proto-max-bulk-len instead of allocating it.
#include <algorithm>
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cmd_lcs(exec_context& c) {
  kv_entry* ea = c.lookup_read(c.key_at(1));
  kv_entry* eb = c.lookup_read(c.key_at(2));
  if ((ea && ea->type() != value_type::string) || (eb && eb->type() != value_type::string))
    return c.out.error("ERR The specified keys must contain string values");
  bool getlen = false, getidx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
  for (size_t j = 3; j < c.argc(); ++j) {
    bool more = j + 1 < c.argc();
    if (c.arg_is(j, "idx")) {
      getidx = true;
    } else if (c.arg_is(j, "len")) {
      getlen = true;
    } else if (c.arg_is(j, "withmatchlen")) {
      withmatchlen = true;
    } else if (c.arg_is(j, "minmatchlen") && more) {
      if (!c.int_arg(j + 1, minmatchlen)) return;
      if (minmatchlen < 0) minmatchlen = 0;
      ++j;
    } else {
      return c.syntax_error();
    }
  }
  if (getidx && getlen)
    return c.out.error("ERR If you want both the length and indexes, please just use IDX.");
  std::string_view a = ea ? ea->str() : std::string_view();
  std::string_view b = eb ? eb->str() : std::string_view();
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1)
    return c.out.error("ERR String too long for LCS");
  const uint64_t alen = a.size(), blen = b.size();
  const uint64_t cells = (alen + 1) * (blen + 1);
  if (cells >= (uint64_t(1) << 62))  // 4 bytes each would not fit in 64 bits
    return c.out.error("ERR Insufficient memory, failed allocating transient memory for LCS");
  if (cells > uint64_t(c.srv.config().proto_max_bulk_len.get()) / sizeof(uint32_t))
    return c.out.error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  std::vector<uint32_t> table;
  try {
    table.resize(cells);
  } catch (const std::bad_alloc&) {
    return c.out.error("ERR Insufficient memory, failed allocating transient memory for LCS");
  }
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint64_t i = 1; i <= alen; ++i)
    for (uint64_t j = 1; j <= blen; ++j)
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));

  uint32_t idx = at(alen, blen);
  bool compute = getidx || !getlen;
  std::string result(compute ? idx : 0, '\0');
  size_t mark = 0, ranges = 0;
  if (getidx) {
    c.out.map(2);
    c.out.bulk("matches");
    mark = c.out.begin_deferred();
  }
  // Walk back from the end; a range is reported when it stops extending.
  uint64_t arange_start = alen, arange_end = 0, brange_start = 0, brange_end = 0;
  uint64_t i = alen, j = blen;
  while (compute && i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (arange_start == alen) {
        arange_start = arange_end = i - 1;
        brange_start = brange_end = j - 1;
      } else if (arange_start == i && brange_start == j) {
        --arange_start;
        --brange_start;
      } else {
        emit = true;
      }
      if (arange_start == 0 || brange_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1))
        --i;
      else
        --j;
      if (arange_start != alen) emit = true;
    }
    uint64_t match_len = arange_end - arange_start + 1;
    if (emit) {
      if (getidx && (minmatchlen == 0 || match_len >= uint64_t(minmatchlen))) {
        c.out.array(2 + withmatchlen);
        c.out.array(2);
        c.out.integer(int64_t(arange_start));
        c.out.integer(int64_t(arange_end));
        c.out.array(2);
        c.out.integer(int64_t(brange_start));
        c.out.integer(int64_t(brange_end));
        if (withmatchlen) c.out.integer(int64_t(match_len));
        ++ranges;
      }
      arange_start = alen;
    }
  }
  if (getidx) {
    c.out.end_deferred_array(mark, ranges);
    c.out.bulk("len");
    c.out.integer(at(alen, blen));
  } else if (getlen) {
    c.out.integer(idx);
  } else {
    c.out.bulk(result);
  }
}

const command_def lcs_commands[] = {
    {"lcs", -3, "readonly", 1, 2, 1, "", cmd_lcs, "Find longest common substring", "7.0.0",
     "O(N*M) where N and M are the lengths of s1 and s2, respectively",
     "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]"},
};

}  // namespace

void register_lcs_family(command_table& t) {
  t.add_all("string", lcs_commands);
}

}  // namespace troupe
