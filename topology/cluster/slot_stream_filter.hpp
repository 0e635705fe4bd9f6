// Atomic slot migration, source side: which writes of the journal's stream
// the target must replay.
//
// Each migrating slot is copied whole at one position of the stream, its cut
// (the copy is made on the slot's reactor, between commands, so every write
// to the slot is either before the cut, and in the copy, or after it). Of the
// writes that follow, those to a copied slot after its cut are forwarded;
// those to a slot not copied yet are not (the copy will hold their effect);
// those to other slots or databases are not the target's business.
//
// Plain C++: fed the journal's bytes, it returns the commands to send as RESP.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp/request_parser.hpp"

namespace troupe {

class command_table;

namespace cluster {

class slot_stream_filter {
 public:
  // `start`: the stream position of the first byte that will be fed.
  slot_stream_filter(const command_table& table, uint64_t start);

  // The keys of `slot` were copied at stream position `cut`.
  void copied(uint16_t slot, uint64_t cut);
  bool is_copied(uint16_t slot) const { return cuts_[slot] != not_copied; }

  // The next bytes of the stream. Commands to forward are appended to `out`
  // (RESP) and counted in `forwarded`. An error text when the stream holds a
  // write the target cannot be given (FLUSHALL, FLUSHDB of database 0: the
  // migration must end) or is not RESP.
  std::optional<std::string> feed(std::string_view bytes, std::string& out, size_t& forwarded);

  // Stream position after the last complete command fed.
  uint64_t position() const { return base_ + parser_.consumed(); }

 private:
  std::optional<std::string> command(const std::vector<std::string_view>& args, uint64_t at,
                                     std::string& out, size_t& forwarded);

  static constexpr uint64_t not_copied = UINT64_MAX;
  const command_table& table_;
  std::vector<uint64_t> cuts_;
  std::string pending_;  // bytes of an incomplete command
  uint64_t base_;        // stream position of pending_[0]
  request_parser parser_;
  int db_ = 0;
  std::vector<int> positions_;
};

}  // namespace cluster
}  // namespace troupe
