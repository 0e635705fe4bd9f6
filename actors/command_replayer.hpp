// Runs commands that come from a file or a stream rather than a client: AOF
// loading now, a replica applying its master's stream later. It keeps a session
// (selected database), queues MULTI ... EXEC and applies the block at EXEC, so
// an unfinished transaction is never half applied.
#pragma once
#include <string>
#include <vector>

#include "storage/session.hpp"

namespace troupe {

class server;

class command_replayer {
 public:
  explicit command_replayer(server& srv);
  // Applies one command; false with `error` set if it cannot run at all
  // (unknown command, wrong arity). Command-level errors (WRONGTYPE...) are
  // ignored, as Redis ignores its fake client's replies.
  bool apply(const std::vector<std::string>& args, std::string& error);
  bool in_transaction() const { return in_multi_; }
  void reset();
  int64_t applied() const { return applied_; }

 private:
  void run(const std::vector<std::string>& args);

  server& srv_;
  session session_;
  bool in_multi_ = false;
  std::vector<std::vector<std::string>> queued_;
  std::string scratch_;
  int64_t applied_ = 0;
};

}  // namespace troupe
