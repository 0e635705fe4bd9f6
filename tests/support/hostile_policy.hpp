// What the hostile-input tester leaves out, and how it compares each reply.
// Every entry says why; everything not listed is sent and compared in full.
#pragma once
#include <string>
#include <vector>

namespace troupe::test {

enum class compare_mode {
  exact,      // the same reply
  unordered,  // the same elements in any order (hash-table iteration order)
  shape,      // nondeterministic value: same error text, or same reply type
  answered,   // depends on background jobs' timing: only that it answered
};

// How the replies of a command (full name: "get", "client|list") compare.
compare_mode mode_of(const std::string& command);

// Commands whose effect on the dataset differs between two servers even when
// both are right (SPOP removes random members): the fixture is reset after them.
bool diverges_state(const std::string& command);

// Commands never sent, with the reason (empty when the command is fuzzed).
std::string exclusion_reason(const std::string& command);

// Subscribe-mode commands answer with one reply per channel: the tester sends
// RESET after them and collects every reply up to RESET's.
bool multi_reply(const std::string& command);

// Config directives CONFIG SET must not fuzz, with the reason (empty when fuzzed).
std::string directive_exclusion_reason(const std::string& directive);

}  // namespace troupe::test
