#include "actors/proxy/proxy_request.hpp"

#include <charconv>

#include "actors/proxy/proxy_client.hpp"
#include "protocol/resp/reply_scanner.hpp"

namespace troupe {
namespace {

void finish(proxy_request& r) {
  if (r.merge != proxy::merge_kind::none) {
    if (!r.error.empty()) {
      r.reply = std::move(r.error);
    } else if (r.merge == proxy::merge_kind::values_in_order) {
      r.reply = "*" + std::to_string(r.values.size()) + "\r\n";
      for (auto& v : r.values) r.reply += v;
      r.values.clear();
    } else if (r.merge == proxy::merge_kind::integer_sum) {
      r.reply = ":" + std::to_string(r.sum) + "\r\n";
    } else {
      r.reply = "+OK\r\n";
    }
  }
  if (r.client) r.client->request_done();
}

// The count of ":N\r\n", or false when the reply is not an integer.
bool integer_reply(std::string_view reply, int64_t& out) {
  if (reply.size() < 4 || reply[0] != ':') return false;
  auto [p, ec] = std::from_chars(reply.data() + 1, reply.data() + reply.size() - 2, out);
  return ec == std::errc() && p == reply.data() + reply.size() - 2;
}

void merge_part(proxy_request& r, const inflight_part& part, std::string_view reply) {
  if (reply[0] == '-') {
    if (r.error.empty()) r.error.assign(reply);
    return;
  }
  switch (r.merge) {
    case proxy::merge_kind::none:
      return;
    case proxy::merge_kind::integer_sum: {
      int64_t n = 0;
      if (integer_reply(reply, n))
        r.sum += n;
      else if (r.error.empty())
        r.error = "-ERR the proxy's backend gave an unexpected reply\r\n";
      return;
    }
    case proxy::merge_kind::all_ok:
      if (reply != "+OK\r\n" && r.error.empty())
        r.error = "-ERR the proxy's backend gave an unexpected reply\r\n";
      return;
    case proxy::merge_kind::values_in_order: {
      // "*n\r\n" then n values, each placed where its key was.
      size_t header = reply.find("\r\n");
      if (reply[0] != '*' || header == std::string_view::npos) break;
      // Each element is a whole reply to the scanner: its end is where the next begins.
      size_t first = header + 2, begin = first, next = 0;
      reply_scanner scan;
      scan.scan(reply.data() + first, reply.size() - first,
                [&](bool, std::string_view, size_t end) {
                  uint32_t slot = next < part.slots.size() ? part.slots[next] : uint32_t(-1);
                  if (slot < r.values.size())
                    r.values[slot].assign(reply.substr(begin, first + end - begin));
                  begin = first + end;
                  ++next;
                });
      if (!scan.failed() && next == part.slots.size() && begin == reply.size()) return;
      break;
    }
  }
  if (r.error.empty()) r.error = "-ERR the proxy's backend gave an unexpected reply\r\n";
}

}  // namespace

void complete_part(inflight_part& part, std::string_view reply) {
  if (!part.req) return;
  proxy_request& r = *part.req;
  if (r.merge == proxy::merge_kind::none)
    r.reply.assign(reply);
  else
    merge_part(r, part, reply);
  if (--r.parts_left == 0) finish(r);
}

void fail_part(inflight_part& part, std::string_view error_line) {
  if (!part.req) return;
  proxy_request& r = *part.req;
  if (r.merge == proxy::merge_kind::none)
    r.reply.assign(error_line);
  else if (r.error.empty())
    r.error.assign(error_line);
  if (--r.parts_left == 0) finish(r);
}

}  // namespace troupe
