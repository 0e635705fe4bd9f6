// COMMAND DOCS and COMMAND INFO replies, built from the command table. A
// command's arguments are derived from its syntax line ("key [NX|XX] [EX
// seconds]"), so each command states its syntax once.
#pragma once
#include <string>
#include <vector>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"

namespace troupe {

struct doc_argument {
  std::string name, type, token;
  bool optional = false, multiple = false;
  int key_spec_index = -1;
  std::vector<doc_argument> children;  // block or oneof members
};

// Parses a syntax line into arguments (best effort; never fails).
std::vector<doc_argument> parse_syntax(const std::string& syntax);

void write_command_docs(reply_writer& out, const command_spec& cmd);
void write_command_info(reply_writer& out, const command_spec& cmd);

}  // namespace troupe
