// How an invalidation message of client-side caching reaches a client, as
// Redis 7.0 writes it: a RESP3 push ["invalidate", keys | nil]; to a RESP2
// client only as the REDIRECT target of another, subscribed to
// __redis__:invalidate, as a pub/sub message of that channel whose payload is
// the array of keys (or nil). Anything else cannot carry it.
#pragma once
#include <string>
#include <vector>

#include "protocol/resp/reply_writer.hpp"

namespace troupe {

inline constexpr const char* invalidation_channel = "__redis__:invalidate";

// False (nothing written) when this client cannot receive it.
bool write_invalidation(reply_writer& out, int resp, bool redirected, bool subscribed,
                        const std::vector<std::string>& keys, bool flush);

// RESP3 only: ["tracking-redir-broken", id] when the REDIRECT client is gone.
bool write_redirect_broken(reply_writer& out, int resp, uint64_t redirect);

}  // namespace troupe
