// A minimal HTTP/1.1 client for tests of the admin endpoint: one request on a
// fresh connection (Connection: close), read to the end.
#pragma once
#include <string>

namespace troupe::test {

struct http_reply {
  int status = 0;  // 0: no HTTP answer at all
  std::string headers, body;
};

// GET `path` on 127.0.0.1:`port`; `raw`, when given, is sent instead of a
// request built here (hostile-input tests).
http_reply http_get(int port, const std::string& path, const std::string& extra_headers = "",
                    const std::string& raw = "");

}  // namespace troupe::test
