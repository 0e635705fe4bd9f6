// One client request on its way through the proxy: the reply it will get, and,
// for a request split over several backends (MGET, MSET, DEL...), what its parts
// have brought back so far. A backend link holds a part of it per sub-request
// it sent; the client holds the request in its queue of replies to give, in
// order. Both run on the same reactor thread.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "topology/proxy/request_plan.hpp"

namespace troupe {

class proxy_client;

struct proxy_request {
  proxy_client* client = nullptr;  // null once the client has gone
  std::string reply;               // the bytes to give, once done
  int parts_left = 1;
  proxy::merge_kind merge = proxy::merge_kind::none;
  std::vector<std::string> values;  // MGET: the values, in the client's key order
  int64_t sum = 0;                  // DEL, EXISTS...: the counts so far
  std::string error;                // the first error a part got (a whole reply line)
  bool done() const { return parts_left == 0; }
};
using request_ptr = std::shared_ptr<proxy_request>;

// A sub-request in flight on one backend link.
struct inflight_part {
  request_ptr req;              // null: the link's own AUTH / SELECT
  std::vector<uint32_t> slots;  // MGET: where each value of this part goes
  int64_t sent_us = 0;          // when it was queued, for latency and timeouts
};

// A part's reply arrived (`reply` is one whole RESP reply): merge it into its
// request and, once the request is whole, hand it to the client.
void complete_part(inflight_part& part, std::string_view reply);
// The part failed before any reply: its request answers `error_line`
// ("-ERR ...\r\n"), or, when split, its first failure.
void fail_part(inflight_part& part, std::string_view error_line);

}  // namespace troupe
