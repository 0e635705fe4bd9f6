// What Sentinel tests read from a Sentinel.
#pragma once
#include <string>

#include "protocol/resp/resp_value.hpp"

namespace troupe::test {

// "ip:port" from a SENTINEL GET-MASTER-ADDR-BY-NAME reply; the reply's own
// text when it is not an address (an error, a nil).
std::string master_addr_text(const resp_value& reply);

}  // namespace troupe::test
