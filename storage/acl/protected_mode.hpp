// protected-mode as Redis 7.0: while the default user needs no password, only
// local clients (loopback addresses, unix sockets) may connect; others get
// -DENIED and are closed. Redis 7.0 decides so whatever `bind` says.
#pragma once
#include <string_view>

namespace troupe {

// The error (without the leading "-") a refused client receives, Redis's text.
extern const char* const protected_mode_error;

// `peer` is "ip:port" ("[ip]:port" or "ip:port" for IPv6).
bool protected_mode_refuses(bool protected_mode, bool default_user_nopass, bool unix_socket,
                            std::string_view peer);

}  // namespace troupe
