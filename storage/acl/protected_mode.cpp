#include "storage/acl/protected_mode.hpp"

namespace troupe {

const char* const protected_mode_error =
    "DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you "
    "may adopt one of the following solutions: 1) Just disable protected mode sending the "
    "command 'CONFIG SET protected-mode no' from the loopback interface by connecting to "
    "Redis from the same host the server is running, however MAKE SURE Redis is not "
    "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this "
    "change permanent. 2) Alternatively you can just disable the protected mode by editing "
    "the Redis configuration file, and setting the protected mode option to 'no', and then "
    "restarting the server. 3) If you started the server manually just for testing, "
    "restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in "
    "order for the server to start accepting connections from the outside.";

bool protected_mode_refuses(bool protected_mode, bool default_user_nopass, bool unix_socket,
                            std::string_view peer) {
  if (!protected_mode || !default_user_nopass || unix_socket) return false;
  // The address without its port; IPv6 may come bracketed.
  size_t colon = peer.rfind(':');
  std::string_view ip = colon == std::string_view::npos ? peer : peer.substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  bool loopback = ip.rfind("127.", 0) == 0 || ip == "::1" || ip.rfind("::ffff:127.", 0) == 0;
  return !loopback;
}

}  // namespace troupe
