// How a proxy serves one client request, decided from the command table (one
// table for every mode: arity, key positions and flags come from there).
//
//  - local:   the proxy answers itself (PING, ECHO, QUIT, AUTH, SELECT, INFO, HELLO).
//  - forward: sent as it is to the one backend that holds its keys; the caller
//             checks with the ring that all of them live on the same backend.
//  - split:   MGET, MSET, DEL, UNLINK, EXISTS, TOUCH: one sub-request per backend
//             holding some of the keys, the replies merged as twemproxy does.
//  - refused: what a proxy cannot serve (transactions, blocking commands,
//             pub/sub, keyless commands such as KEYS or SCAN), with the error.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace troupe {
struct command_spec;
}

namespace troupe::proxy {

enum class route_kind { local, forward, split, refused };

// How the sub-replies of a split request become one reply.
enum class merge_kind {
  none,
  values_in_order,  // MGET: the values, in the client's key order
  integer_sum,      // DEL, UNLINK, EXISTS, TOUCH: the sum of the counts
  all_ok,           // MSET: +OK once every part said OK
};

struct request_plan {
  route_kind route = route_kind::refused;
  merge_kind merge = merge_kind::none;
  const command_spec* spec = nullptr;
  std::vector<int> keys;  // argument positions of the keys
  int group = 1;          // arguments that travel with each key in a split (MSET: 2)
  std::string error;      // for `refused`: the whole error line, without the '-'
};

// Plans `args` (args[0] is the command's name). Unknown commands, unknown
// subcommands and wrong arities get Redis's errors.
void plan_request(const std::vector<std::string_view>& args, request_plan& out);

// The error for a forward whose keys live on different backends.
std::string cross_backend_error(const command_spec& spec);

}  // namespace troupe::proxy
