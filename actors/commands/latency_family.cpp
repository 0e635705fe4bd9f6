// LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP: the
// event log (storage/dispatch/latency_monitor.hpp, fed by the dispatcher and
// the cron when something takes latency-monitor-threshold ms or more) and the
// per-command histograms every reactor keeps while latency-tracking is on.
#include "actors/commands/command_families.hpp"
#include "actors/commands/server_of.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/latency_histogram.hpp"
#include "storage/dispatch/server_stats.hpp"

namespace troupe {
namespace {

int64_t now_s(exec_context& c) {
  return c.now / 1000;
}

void cmd_latency(exec_context&) {}

void cmd_latency_latest(exec_context& c) {
  auto all = c.srv.latency_events.latest_samples();
  c.out.array(all.size());
  for (auto& e : all) {
    c.out.array(4);
    c.out.bulk(e.event);
    c.out.integer(e.time);
    c.out.integer(e.ms);
    c.out.integer(e.max);
  }
}

void cmd_latency_history(exec_context& c) {
  auto h = c.srv.latency_events.history(std::string(c.arg(2)));
  c.out.array(h.size());
  for (auto& s : h) {
    c.out.array(2);
    c.out.integer(s.time);
    c.out.integer(s.ms);
  }
}

void cmd_latency_reset(exec_context& c) {
  std::vector<std::string> events;
  for (size_t i = 2; i < c.argc(); ++i) events.emplace_back(c.arg(i));
  c.out.integer(int64_t(c.srv.latency_events.reset(events)));
}

void cmd_latency_graph(exec_context& c) {
  std::string event(c.arg(2));
  std::string g = c.srv.latency_events.graph(event, now_s(c));
  // Redis prints the name as a C string: it ends at a NUL byte.
  if (g.empty())
    return c.out.error("ERR No samples available for event '" + std::string(as_c_string(event)) +
                       "'");
  c.out.verbatim(g);
}

void cmd_latency_doctor(exec_context& c) {
  const server_config& cfg = c.srv.config();
  latency_monitor::doctor_context ctx{cfg.latency_monitor_threshold.get(),
                                      cfg.slowlog_log_slower_than.get(), srv_of(c).hz()};
  c.out.verbatim(c.srv.latency_events.doctor(ctx, now_s(c)));
}

// One command's cumulative distribution: {calls, histogram_usec: {usec: calls}}.
bool write_histogram(exec_context& c, const command_spec& cmd) {
  merged_latency m;
  if (!merge_latency(srv_of(c).all_stats(), cmd.id, m)) return false;
  c.out.bulk(cmd.full_name());
  c.out.map(2);
  c.out.bulk("calls");
  c.out.integer(int64_t(m.total));
  c.out.bulk("histogram_usec");
  auto cdf = latency_histogram::cumulative_log2(m.counts, m.total);
  c.out.map(cdf.size());
  for (auto& [usec, calls] : cdf) {
    c.out.integer(usec);
    c.out.integer(int64_t(calls));
  }
  return true;
}

void cmd_latency_histogram(exec_context& c) {
  size_t mark = c.out.begin_deferred();
  size_t n = 0;
  auto one = [&](const command_spec& cmd) {
    if (!cmd.has_subcommands()) {
      n += write_histogram(c, cmd);
      return;
    }
    for (auto& sub : cmd.subcommands) n += write_histogram(c, *sub);
  };
  if (c.argc() == 2) {
    for (const command_spec* cmd : command_table::instance().top_level()) one(*cmd);
  } else {
    for (size_t i = 2; i < c.argc(); ++i) {
      std::string_view name = c.arg(i);
      size_t bar = name.find('|');
      const command_spec* cmd = command_table::instance().find(name.substr(0, bar));
      if (cmd != nullptr && bar != std::string_view::npos)
        cmd = cmd->find_sub(name.substr(bar + 1));
      if (cmd != nullptr) one(*cmd);
    }
  }
  c.out.end_deferred_map(mark, n);
}

void cmd_latency_help(exec_context& c) {
  static const char* lines[] = {
      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (const char* l : lines) c.out.simple(l);
}

const command_def latency_commands[] = {
    {"latency", -2, "", 0, 0, 0, "", cmd_latency, "A container for latency diagnostics commands",
     "2.8.13", "Depends on subcommand.", ""},
    {"latency|latest", 2, "admin noscript loading stale", 0, 0, 0, "", cmd_latency_latest,
     "Return the latest latency samples for all events.", "2.8.13", "O(1)", ""},
    {"latency|history", 3, "admin noscript loading stale", 0, 0, 0, "", cmd_latency_history,
     "Return timestamp-latency samples for the event.", "2.8.13", "O(1)", "event"},
    {"latency|reset", -2, "admin noscript loading stale", 0, 0, 0, "", cmd_latency_reset,
     "Reset latency data for one or more events.", "2.8.13", "O(1)", "[event [event ...]]"},
    {"latency|graph", 3, "admin noscript loading stale", 0, 0, 0, "", cmd_latency_graph,
     "Return a latency graph for the event.", "2.8.13", "O(1)", "event"},
    {"latency|doctor", 2, "admin noscript loading stale", 0, 0, 0, "", cmd_latency_doctor,
     "Return a human readable latency analysis report.", "2.8.13", "O(1)", ""},
    {"latency|histogram", -2, "admin noscript loading stale", 0, 0, 0, "", cmd_latency_histogram,
     "Return the cumulative distribution of latencies of a subset of commands or all.", "7.0.0",
     "O(N) where N is the number of commands with latency information being retrieved.",
     "[command [command ...]]"},
    {"latency|help", 2, "loading stale", 0, 0, 0, "", cmd_latency_help,
     "Show helpful text about the different subcommands.", "2.8.13", "O(1)", ""},
};

}  // namespace

void register_latency_family(command_table& t) {
  t.add_all("server", latency_commands);
}

}  // namespace troupe
