#include "actors/commands/cluster_migration.hpp"

#include <string>
#include <utility>
#include <vector>

#include "actors/cluster/cluster_control.hpp"
#include "actors/server/server.hpp"
#include "storage/commands/exec_context.hpp"
#include "topology/cluster/cluster_state.hpp"

namespace troupe {
namespace {

cluster_control* control_or_error(exec_context& c) {
  if (!c.srv.cluster_enabled()) {
    c.out.error("ERR This instance has cluster support disabled");
    return nullptr;
  }
  return static_cast<server&>(c.srv).cluster();
}

// Pairs of slots from argument i on, while they are numbers; each pair a
// range, none overlapping another. False once the error is written.
bool parse_ranges(exec_context& c, size_t& i, std::vector<std::pair<int, int>>& ranges,
                  std::vector<bool>& seen) {
  size_t first = i;
  while (i + 1 < c.argc() && cluster::parse_slot(c.arg(i)) >= 0 &&
         cluster::parse_slot(c.arg(i + 1)) >= 0) {
    int a = cluster::parse_slot(c.arg(i)), b = cluster::parse_slot(c.arg(i + 1));
    if (a > b) {
      c.out.error("ERR start slot number " + std::to_string(a) +
                  " is greater than end slot number " + std::to_string(b));
      return false;
    }
    for (int s = a; s <= b; ++s) {
      if (seen[size_t(s)]) {
        c.out.error("ERR Slot " + std::to_string(s) + " specified multiple times");
        return false;
      }
      seen[size_t(s)] = true;
    }
    ranges.emplace_back(a, b);
    i += 2;
  }
  if (i == first) {
    c.out.error("ERR Invalid or out of range slot");
    return false;
  }
  return true;
}

}  // namespace

// CLUSTER MIGRATESLOTS SLOTSRANGE start end [start end ...] NODE id
//                      [SLOTSRANGE ... NODE id ...]
// One background migration per NODE; OK once they have all started.
void cmd_cluster_migrateslots(exec_context& c) {
  cluster_control* ctl = control_or_error(c);
  if (!ctl) return;
  std::vector<std::pair<std::vector<std::pair<int, int>>, std::string>> jobs;
  std::vector<bool> seen(cluster_slots, false);
  size_t i = 2;
  while (i < c.argc()) {
    if (!c.arg_is(i, "slotsrange")) return c.syntax_error();
    ++i;
    std::vector<std::pair<int, int>> ranges;
    if (!parse_ranges(c, i, ranges, seen)) return;
    if (i + 1 >= c.argc() || !c.arg_is(i, "node")) return c.syntax_error();
    jobs.emplace_back(std::move(ranges), std::string(c.arg(i + 1)));
    i += 2;
  }
  if (jobs.empty()) return c.syntax_error();
  for (auto& [ranges, node] : jobs)
    if (auto err = ctl->migrate_slots(ranges, node)) return c.out.error(*err);
  c.out.ok();
}

// Each migration as a map of its fields, oldest first.
void cmd_cluster_getslotmigrations(exec_context& c) {
  cluster_control* ctl = control_or_error(c);
  if (!ctl) return;
  auto list = ctl->migrations();
  c.out.array(list.size());
  for (const auto& m : list) {
    std::string ranges;
    for (auto [a, b] : m->ranges)
      ranges += (ranges.empty() ? "" : " ") + std::to_string(a) + "-" + std::to_string(b);
    std::lock_guard<std::mutex> g(m->mutex);
    c.out.map(11);
    c.out.bulk("name");
    c.out.bulk(m->name);
    c.out.bulk("operation");
    c.out.bulk("EXPORT");
    c.out.bulk("slot_ranges");
    c.out.bulk(ranges);
    c.out.bulk("source_node");
    c.out.bulk(m->source_id);
    c.out.bulk("target_node");
    c.out.bulk(m->target_id);
    c.out.bulk("state");
    c.out.bulk(m->state);
    c.out.bulk("message");
    c.out.bulk(m->message);
    c.out.bulk("keys");
    c.out.integer(int64_t(m->keys));
    c.out.bulk("stream_writes");
    c.out.integer(int64_t(m->stream_commands));
    c.out.bulk("create_time");
    c.out.integer(m->created_ms);
    c.out.bulk("duration_ms");
    c.out.integer((m->ended_ms ? m->ended_ms : cluster_control::now_ms()) - m->created_ms);
  }
}

void cmd_cluster_cancelslotmigrations(exec_context& c) {
  cluster_control* ctl = control_or_error(c);
  if (!ctl) return;
  ctl->cancel_migrations();
  c.out.ok();
}

// CLUSTER SYNCSLOTS ESTABLISH source-id start end [start end ...] | FINISH:
// what a source node sends on its import connection.
void cmd_cluster_syncslots(exec_context& c) {
  cluster_control* ctl = control_or_error(c);
  if (!ctl) return;
  if (c.arg_is(2, "finish") && c.argc() == 3) {
    if (auto err = ctl->import_finish(c.client.id)) return c.out.error(*err);
    c.client.clear(client_slot_import);
    return c.out.ok();
  }
  if (!c.arg_is(2, "establish") || c.argc() < 6) return c.syntax_error();
  std::vector<std::pair<int, int>> ranges;
  std::vector<bool> seen(cluster_slots, false);
  size_t i = 4;
  if (!parse_ranges(c, i, ranges, seen)) return;
  if (i != c.argc()) return c.syntax_error();
  if (auto err = ctl->import_begin(c.client.id, std::string(c.arg(3)), ranges))
    return c.out.error(*err);
  c.client.set(client_slot_import);
  c.out.ok();
}

}  // namespace troupe
