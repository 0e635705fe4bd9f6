#include "actors/client/command_replayer.hpp"

#include <strings.h>

#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/dispatcher.hpp"

namespace troupe {

command_replayer::command_replayer(dispatcher& engine) : engine_(engine) {
  session_.id = 0;
}

command_replayer::~command_replayer() {
  engine_.forget_client(session_);
}

bool command_replayer::apply(const std::vector<std::string>& args, std::string& error) {
  if (args.empty()) return true;
  // A replica's AOF is its master's stream, which carries REPLCONF GETACK
  // (the master asking for an acknowledgement): no data, nothing to replay.
  if (strcasecmp(args[0].c_str(), "replconf") == 0) return true;
  std::vector<std::string_view> views(args.begin(), args.end());
  scratch_.clear();
  reply_writer out(scratch_);
  if (!engine_.dispatch(session_, views, out, command_origin::replay)) {
    // "-ERR unknown command ..." without its prefix and line end.
    error = scratch_.size() > 7 ? scratch_.substr(5, scratch_.size() - 7) : scratch_;
    return false;
  }
  ++applied_;
  return true;
}

}  // namespace troupe
