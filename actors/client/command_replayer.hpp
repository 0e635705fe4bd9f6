// Runs commands that come from a file or a stream rather than a client: AOF
// loading now, a replica applying its master's stream later. It keeps a
// session (selected database, MULTI state) and hands every command to the
// dispatcher as a replay, so MULTI ... EXEC is queued and applied at EXEC as
// for a client: an unfinished transaction is never half applied.
#pragma once
#include <string>
#include <vector>

#include "storage/dispatch/session.hpp"

namespace troupe {

class dispatcher;

class command_replayer {
 public:
  explicit command_replayer(dispatcher& engine);
  ~command_replayer();
  // Applies one command; false with `error` set if it cannot run at all
  // (unknown command, wrong arity). Command-level errors (WRONGTYPE...) are
  // ignored, as Redis ignores its fake client's replies.
  bool apply(const std::vector<std::string>& args, std::string& error);
  bool in_transaction() const { return session_.has(client_multi); }
  int64_t applied() const { return applied_; }

 private:
  dispatcher& engine_;
  session session_;
  std::string scratch_;
  int64_t applied_ = 0;
};

}  // namespace troupe
