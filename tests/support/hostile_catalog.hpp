// The commands the hostile-input tester fuzzes, read from the running servers:
// the names from Troupe's COMMAND LIST (so a new command is covered the moment
// it is registered), and each command's arity, flags and argument tree from
// COMMAND INFO / COMMAND DOCS, Redis's when Redis knows the command (it is the
// reference for the syntax), Troupe's otherwise.
#pragma once
#include <string>
#include <vector>

#include "protocol/resp/resp_client.hpp"

namespace troupe::test {

// One node of a COMMAND DOCS argument tree.
struct doc_arg {
  std::string name, type, token;  // type: key, string, integer, double, pattern,
                                  // unix-time, pure-token, oneof, block
  bool optional = false, multiple = false, multiple_token = false;
  std::vector<doc_arg> children;  // oneof / block members
};

struct fuzz_command {
  std::string name;                // lower case, "client|kill" for a subcommand
  std::vector<std::string> words;  // what is sent first: {"CLIENT", "KILL"}
  std::string group;               // COMMAND DOCS group: "list", "sorted-set", ...
  int arity = 0;                   // Redis's convention, counting the words
  std::vector<std::string> flags;  // "write", "blocking", ...
  std::vector<doc_arg> args;
  std::vector<std::string> tokens;  // every token of the tree, e.g. NX, LIMIT
  bool has_subcommands = false;
  bool has_flag(const std::string& f) const;
};

// Reads the catalog; `error` says what went wrong when the result is empty.
std::vector<fuzz_command> read_catalog(resp_client& troupe, resp_client& redis, std::string& error);

}  // namespace troupe::test
