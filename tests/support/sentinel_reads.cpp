#include "sentinel_reads.hpp"

namespace troupe::test {

std::string master_addr_text(const resp_value& v) {
  if (v.type != resp_value::kind::array || v.elements.size() != 2) return v.to_string();
  return v.elements[0].str + ":" + v.elements[1].str;
}

}  // namespace troupe::test
