#include "actors/command_replayer.hpp"

#include "actors/server.hpp"
#include "protocol/command_table.hpp"
#include "storage/exec_context.hpp"

namespace troupe {

command_replayer::command_replayer(server& srv) : srv_(srv) {
  session_.id = 0;
}

void command_replayer::reset() {
  in_multi_ = false;
  queued_.clear();
  session_.db.store(0);
}

bool command_replayer::apply(const std::vector<std::string>& args, std::string& error) {
  if (args.empty()) return true;
  if (iequals(args[0], "multi")) {
    in_multi_ = true;
    queued_.clear();
    return true;
  }
  if (iequals(args[0], "exec")) {
    for (auto& q : queued_) run(q);
    queued_.clear();
    in_multi_ = false;
    return true;
  }
  if (iequals(args[0], "discard")) {
    queued_.clear();
    in_multi_ = false;
    return true;
  }
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd == nullptr) {
    error = "Unknown command '" + args[0] + "'";
    return false;
  }
  if (cmd->has_subcommands() && args.size() >= 2) cmd = cmd->find_sub(args[1]);
  int argc = int(args.size());
  if (cmd == nullptr || (cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    error = "Wrong number of arguments for '" + args[0] + "'";
    return false;
  }
  if (in_multi_)
    queued_.push_back(args);
  else
    run(args);
  return true;
}

void command_replayer::run(const std::vector<std::string>& args) {
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd->has_subcommands() && args.size() >= 2) cmd = cmd->find_sub(args[1]);
  std::vector<std::string_view> views(args.begin(), args.end());
  scratch_.clear();
  reply_writer out(scratch_);
  exec_context ctx(views, out, session_, srv_.keys(), srv_, *cmd, wall_clock_ms());
  ctx.blocking = block_mode::reply_null;
  cmd->handler(ctx);
  ++applied_;
}

}  // namespace troupe
