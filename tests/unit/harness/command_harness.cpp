#include "harness/command_harness.hpp"

#include <mutex>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/commands/command_families.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe::test {

void recording_services::keyspace_event(uint32_t, std::string_view event, std::string_view key,
                                        int db) {
  events.push_back({std::string(event), std::string(key), db});
}

void recording_services::journal(int db, const std::vector<std::string>& args) {
  journal_log.emplace_back(db, args);
}

void recording_services::journal_ops(const std::vector<journal_op>& ops) {
  journal_log.insert(journal_log.end(), ops.begin(), ops.end());
}

namespace {
size_t registered_commands() {
  static std::once_flag once;
  std::call_once(once, [] { register_storage_commands(command_table::instance()); });
  return command_table::instance().size();
}
}  // namespace

command_harness::command_harness(int shards, int databases)
    : keyspace_(shards, databases), stats_(registered_commands()) {
  engine_ = std::make_unique<dispatcher>(keyspace_, services_, stats_);
  session_.id = 1;
  session_.endpoint = this;
}

void command_harness::enable_cluster(cluster::slot_routing routing) {
  services_.config().cluster_enabled.set_internal(true);
  keyspace_.enable_slot_index();
  services_.routing = std::make_shared<const cluster::slot_routing>(std::move(routing));
}

command_harness::~command_harness() {
  engine_->forget_client(session_);
}

resp_value command_harness::run(const std::vector<std::string>& args) {
  std::string bytes;
  reply_writer out(bytes);
  out.set_resp(session_.resp);
  std::vector<std::string_view> views(args.begin(), args.end());
  engine_->dispatch(session_, views, out);
  resp_value v;
  size_t pos = 0;
  reply_parser parser;
  if (parser.parse(bytes.data(), bytes.size(), pos, v) != reply_parser::result::value)
    v = resp_value{};  // a blocked command answers nothing now
  return v;
}

void command_harness::on_block(const blocked_ptr& w, int64_t) {
  w->wake = [this](std::string reply) { late_.push_back(std::move(reply)); };
}

std::vector<resp_value> command_harness::take_late_replies() {
  std::vector<resp_value> out;
  for (auto& bytes : late_) {
    resp_value v;
    size_t pos = 0;
    reply_parser parser;
    if (parser.parse(bytes.data(), bytes.size(), pos, v) == reply_parser::result::value)
      out.push_back(std::move(v));
  }
  late_.clear();
  return out;
}

}  // namespace troupe::test
