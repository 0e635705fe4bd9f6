// PFDEBUG (GETREG, DECODE, ENCODING, TODENSE) and PFSELFTEST: Redis's
// introspection of HyperLogLog values, used by its own tests and by tools.
#include <string>

#include "storage/commands/hyperloglog_support.hpp"
#include "storage/types/string_ops.hpp"

namespace troupe {
namespace {

// Converts k's sparse value to dense in place of the old one; false (after
// replying INVALIDOBJ) when the sparse value is corrupt.
bool make_dense(exec_context& c, const key_ref& k, dict::location loc, kv_entry*& e) {
  std::string v(e->str());
  if (!hll::to_dense(v)) {
    c.out.error(hll_invalid_obj);
    return false;
  }
  e = store_string(c, k, loc, v, -1, true);
  e->flags |= kv_entry::flag_raw;
  // A changed encoding is a change: the command is journaled.
  c.changed(k);
  return true;
}

void cmd_pfdebug(exec_context& c) {
  std::string_view sub = c.arg(1);
  key_ref k = c.key_at(2);
  dict::location loc = c.locate(k);
  if (!loc) return c.out.error("ERR The specified key does not exist");
  kv_entry* e = loc.entry();
  if (!hll_or_reply(c, e)) return;
  bool sparse = hll::encoding_of(e->str()) == hll::enc_sparse;
  if (iequals(sub, "getreg")) {
    if (sparse && !make_dense(c, k, loc, e)) return;
    const auto* regs = reinterpret_cast<const unsigned char*>(e->str_data()) + hll::header_size;
    c.out.array(hll::registers);
    for (int i = 0; i < hll::registers; ++i) c.out.integer(hll::dense_get(regs, i));
  } else if (iequals(sub, "decode")) {
    if (!sparse) return c.out.error("ERR HLL encoding is not sparse");
    c.out.bulk(hll::decode_sparse(e->str()));
  } else if (iequals(sub, "encoding")) {
    c.out.simple(sparse ? "sparse" : "dense");
  } else if (iequals(sub, "todense")) {
    if (sparse && !make_dense(c, k, loc, e)) return;
    c.out.integer(sparse ? 1 : 0);
  } else {
    c.out.error("ERR Unknown PFDEBUG subcommand '" + std::string(as_c_string(sub)) + "'");
  }
}

void cmd_pfselftest(exec_context& c) {
  std::string failure = hll::self_test();
  if (failure.empty()) return c.out.ok();
  c.out.error(failure);
}

const command_def hyperloglog_debug_commands[] = {
    {"pfdebug", 3, "write denyoom admin", 2, 2, 1, "", cmd_pfdebug,
     "Internal commands for debugging HyperLogLog values", "2.8.9", "N/A", "subcommand key",
     nullptr, "syscmd"},
    {"pfselftest", 1, "admin", 0, 0, 0, "", cmd_pfselftest,
     "An internal command for testing HyperLogLog values", "2.8.9", "N/A", "", nullptr, "syscmd"},
};

}  // namespace

void register_hyperloglog_debug_family(command_table& t) {
  t.add_all("hyperloglog", hyperloglog_debug_commands);
}

}  // namespace troupe
