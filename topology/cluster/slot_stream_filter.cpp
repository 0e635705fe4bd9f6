#include "topology/cluster/slot_stream_filter.hpp"

#include "protocol/commands/command_table.hpp"
#include "protocol/commands/key_slot.hpp"
#include "protocol/text/numbers.hpp"

namespace troupe::cluster {
namespace {

void append_resp(std::string& out, const std::vector<std::string_view>& args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (std::string_view a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

}  // namespace

slot_stream_filter::slot_stream_filter(const command_table& table, uint64_t start)
    : table_(table), cuts_(cluster_slots, not_copied), base_(start) {}

void slot_stream_filter::copied(uint16_t slot, uint64_t cut) {
  if (slot < cluster_slots) cuts_[slot] = cut;
}

std::optional<std::string> slot_stream_filter::feed(std::string_view bytes, std::string& out,
                                                    size_t& forwarded) {
  pending_.append(bytes);
  request_parser::limits lim;
  lim.max_bulk_len = INT64_MAX;  // the journal's own bytes: no client limit applies
  for (;;) {
    uint64_t at = base_ + parser_.consumed();
    auto r = parser_.parse(pending_.data(), pending_.size(), lim);
    if (r == request_parser::result::incomplete) break;
    if (r == request_parser::result::error)
      return "the journal's stream is not RESP: " + parser_.error();
    if (auto err = command(parser_.args(), at, out, forwarded)) return err;
  }
  size_t used = parser_.consumed();
  if (used > 0) {
    pending_.erase(0, used);
    parser_.shift(used);
    base_ += used;
  }
  return std::nullopt;
}

std::optional<std::string> slot_stream_filter::command(const std::vector<std::string_view>& args,
                                                       uint64_t at, std::string& out,
                                                       size_t& forwarded) {
  if (args.empty()) return std::nullopt;
  if (iequals(args[0], "select")) {
    if (args.size() > 1)
      if (auto db = parse_int64(args[1])) db_ = int(*db);
    return std::nullopt;
  }
  if (db_ != 0) return std::nullopt;  // cluster mode keeps keys in database 0 only
  if (iequals(args[0], "flushall") || iequals(args[0], "flushdb"))
    return std::string("the source's keys were flushed during the migration");
  const command_spec* cmd = table_.find(args[0]);
  if (cmd == nullptr) return std::nullopt;
  if (cmd->has_subcommands() && args.size() > 1) {
    if (const command_spec* sub = cmd->find_sub(args[1])) cmd = sub;
  }
  positions_.clear();
  if (!cmd->key_positions(args, positions_) || positions_.empty()) return std::nullopt;
  // Writes in cluster mode touch one slot (CROSSSLOT refuses the others).
  uint16_t slot = key_hash_slot(args[size_t(positions_.front())]);
  if (cuts_[slot] == not_copied || at < cuts_[slot]) return std::nullopt;
  append_resp(out, args);
  ++forwarded;
  return std::nullopt;
}

}  // namespace troupe::cluster
