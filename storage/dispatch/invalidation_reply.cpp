#include "storage/dispatch/invalidation_reply.hpp"

namespace troupe {

bool write_invalidation(reply_writer& out, int resp, bool redirected, bool subscribed,
                        const std::vector<std::string>& keys, bool flush) {
  if (resp >= 3) {
    out.push(2);
    out.bulk("invalidate");
  } else if (redirected && subscribed) {
    out.push(3);  // an array in RESP2
    out.bulk("message");
    out.bulk(invalidation_channel);
  } else {
    return false;
  }
  if (flush) {
    out.null();
  } else {
    out.array(keys.size());
    for (const auto& k : keys) out.bulk(k);
  }
  return true;
}

bool write_redirect_broken(reply_writer& out, int resp, uint64_t redirect) {
  if (resp < 3) return false;
  out.push(2);
  out.bulk("tracking-redir-broken");
  out.integer(int64_t(redirect));
  return true;
}

}  // namespace troupe
