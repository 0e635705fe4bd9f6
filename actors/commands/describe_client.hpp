// A client in the words of CLIENT LIST, short form: what log lines about role
// changes say about who asked (REPLICAOF, a FAILOVER PSYNC).
#pragma once
#include <mutex>
#include <string>

#include "storage/dispatch/session.hpp"

namespace troupe {

inline std::string describe_client(const session& s) {
  std::string name;
  {
    std::lock_guard<std::mutex> g(s.mutex);
    name = s.name;
  }
  return "id=" + std::to_string(s.id) + " addr=" + s.addr + " laddr=" + s.laddr +
         " fd=" + std::to_string(s.fd) + " name=" + name;
}

}  // namespace troupe
