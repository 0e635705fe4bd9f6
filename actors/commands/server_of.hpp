// The running server behind a command's context: storage/ knows it only as
// its services interface; the server-side families need the whole of it.
#pragma once
#include "actors/server/server.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {

inline server& srv_of(exec_context& c) {
  return static_cast<server&>(c.srv);
}

}  // namespace troupe
