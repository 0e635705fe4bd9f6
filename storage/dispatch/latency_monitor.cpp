#include "storage/dispatch/latency_monitor.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace troupe {

void latency_monitor::add(const std::string& event, uint32_t ms, int64_t now_s) {
  std::lock_guard<std::mutex> g(mutex_);
  series& s = events_[event];
  s.max = std::max(s.max, ms);
  sample& prev = s.samples[(s.next + series_len - 1) % series_len];
  if (prev.time == now_s) {  // one sample per second: the worst
    prev.ms = std::max(prev.ms, ms);
    return;
  }
  s.samples[s.next] = {now_s, ms};
  s.next = (s.next + 1) % series_len;
}

std::vector<latency_monitor::latest> latency_monitor::latest_samples() const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<latest> out;
  for (auto& [name, s] : events_) {
    const sample& last = s.samples[(s.next + series_len - 1) % series_len];
    out.push_back({name, last.time, last.ms, s.max});
  }
  return out;
}

std::vector<latency_monitor::sample> latency_monitor::history(const std::string& event) const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<sample> out;
  auto it = events_.find(event);
  if (it == events_.end()) return out;
  for (size_t j = 0; j < series_len; ++j) {
    const sample& x = it->second.samples[(it->second.next + j) % series_len];
    if (x.time != 0) out.push_back(x);
  }
  return out;
}

size_t latency_monitor::reset(const std::vector<std::string>& events) {
  std::lock_guard<std::mutex> g(mutex_);
  if (events.empty()) {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t n = 0;
  for (auto& e : events) n += events_.erase(e);
  return n;
}

bool latency_monitor::empty() const {
  std::lock_guard<std::mutex> g(mutex_);
  return events_.empty();
}

namespace {

std::string ago(int64_t seconds) {
  char buf[32];
  if (seconds < 60)
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(seconds));
  else if (seconds < 3600)
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(seconds / 60));
  else if (seconds < 86400)
    std::snprintf(buf, sizeof buf, "%lldh", static_cast<long long>(seconds / 3600));
  else
    std::snprintf(buf, sizeof buf, "%lldd", static_cast<long long>(seconds / 86400));
  return buf;
}

// A sparkline of `rows` rows, three levels per row ("_o#", '|' below the top
// of a column), then each sample's label written downwards under its column,
// after one blank row; 80 columns per block, blocks separated by a blank line.
void sparkline(std::string& out, const std::vector<uint32_t>& values,
               const std::vector<std::string>& labels, uint32_t lo, uint32_t hi) {
  constexpr int rows = 4, levels = 3, columns = 80;
  static const char fill[] = "_o#";
  double range = hi > lo ? double(hi - lo) : 1.0;
  int steps = rows * levels;
  size_t longest = 0;
  for (auto& l : labels) longest = std::max(longest, l.size());
  for (size_t from = 0; from < values.size(); from += columns) {
    size_t len = std::min<size_t>(columns, values.size() - from);
    if (from != 0) out += '\n';
    for (int row = 0; row < rows; ++row) {
      std::string line(len, ' ');
      for (size_t j = 0; j < len; ++j) {
        int step = int(double(values[from + j] - lo) * steps / range);
        step = std::clamp(step, 0, steps - 1);
        int level = step - (rows - row - 1) * levels;
        if (level >= 0 && level < levels)
          line[j] = fill[level];
        else if (level >= levels)
          line[j] = '|';
      }
      out += line + '\n';
    }
    out += std::string(len, ' ') + '\n';  // the gap above the labels
    for (size_t c = 0; c < longest; ++c) {
      std::string line(len, ' ');
      for (size_t j = 0; j < len; ++j)
        if (labels[from + j].size() > c) line[j] = labels[from + j][c];
      out += line + '\n';
    }
  }
}

}  // namespace

std::string latency_monitor::graph(const std::string& event, int64_t now_s) const {
  std::vector<sample> h = history(event);
  if (h.empty()) return {};
  uint32_t lo = h[0].ms, hi = h[0].ms, all_time;
  std::vector<uint32_t> values;
  std::vector<std::string> labels;
  for (auto& x : h) {
    lo = std::min(lo, x.ms);
    hi = std::max(hi, x.ms);
    values.push_back(x.ms);
    labels.push_back(ago(now_s - x.time));
  }
  {
    std::lock_guard<std::mutex> g(mutex_);
    auto it = events_.find(event);
    all_time = it == events_.end() ? hi : it->second.max;
  }
  char head[256];
  std::snprintf(head, sizeof head, "%s - high %u ms, low %u ms (all time high %u ms)\n",
                event.c_str(), hi, lo, all_time);
  std::string out = head;
  out += std::string(80, '-') + '\n';
  sparkline(out, values, labels, lo, hi);
  return out;
}

std::string latency_monitor::doctor(const doctor_context& ctx, int64_t now_s) const {
  std::vector<latest> all = latest_samples();
  if (all.empty() && ctx.threshold_ms == 0)
    return "Latency monitoring is off: no event is recorded. Turn it on with "
           "'CONFIG SET latency-monitor-threshold <milliseconds>' and ask again once the server "
           "has worked for a while.\n";
  if (all.empty())
    return "No latency spike has been recorded since this server started (threshold " +
           std::to_string(ctx.threshold_ms) + " ms). Nothing to report.\n";
  std::string out = "Latency spikes were recorded on this server:\n\n";
  bool slow_commands = false, cpu_starved = false, expiry = false, big_values = false,
       eviction = false;
  int n = 0;
  for (auto& ev : all) {
    std::vector<sample> h = history(ev.event);
    uint64_t sum = 0;
    int64_t oldest = now_s;
    for (auto& x : h) {
      sum += x.ms;
      oldest = std::min(oldest, x.time);
    }
    uint64_t avg = h.empty() ? 0 : sum / h.size();
    uint64_t dev = 0;
    for (auto& x : h) dev += uint64_t(std::llabs(int64_t(avg) - int64_t(x.ms)));
    if (!h.empty()) dev /= h.size();
    int64_t period = std::max<int64_t>(1, now_s - oldest);
    char line[512];
    std::snprintf(line, sizeof line,
                  "%d. %s: %zu latency spikes (average %llums, mean deviation %llums, period "
                  "%.2f sec). Worst all time event %ums.\n",
                  ++n, ev.event.c_str(), h.size(), static_cast<unsigned long long>(avg),
                  static_cast<unsigned long long>(dev),
                  h.empty() ? 0.0 : double(period) / double(h.size()), ev.max);
    out += line;
    if (ev.event == "command") slow_commands = big_values = true;
    if (ev.event == "fast-command") cpu_starved = true;
    if (ev.event == "expire-cycle") expiry = big_values = true;
    if (ev.event == "eviction-del") big_values = true;
    if (ev.event == "eviction-cycle") eviction = true;
  }
  out += "\nWhat may help:\n\n";
  if (slow_commands) {
    if (ctx.slowlog_slower_than_us < 0)
      out +=
          "- The slow log is off, so the slow commands are not known: 'CONFIG SET "
          "slowlog-log-slower-than " +
          std::to_string(ctx.threshold_ms * 1000) + "' turns it on.\n";
    else if (ctx.slowlog_slower_than_us / 1000 > ctx.threshold_ms)
      out +=
          "- The slow log keeps only commands slower than it is set to, which is more than "
          "the latency threshold: 'CONFIG SET slowlog-log-slower-than " +
          std::to_string(ctx.threshold_ms * 1000) + "' makes them agree.\n";
    out += "- SLOWLOG GET lists the slow commands with their arguments.\n";
  }
  if (cpu_starved)
    out +=
        "- Commands flagged fast took long: the server was not given the CPU. Lower the "
        "machine's load, or check it with 'redis-cli --intrinsic-latency 100'.\n";
  if (expiry && ctx.hz < 100)
    out += "- 'CONFIG SET hz 100' spreads key expiry over more, shorter cycles.\n";
  if (big_values)
    out +=
        "- Deleting, expiring or evicting one very large value takes time: split such values "
        "into several keys, or let lazyfree-lazy-* free them in the background.\n";
  if (eviction)
    out +=
        "- Eviction had to free a lot at once (maxmemory lowered, or a large write): change "
        "maxmemory in smaller steps.\n";
  if (!slow_commands && !cpu_starved && !expiry && !big_values && !eviction)
    out +=
        "- No simple advice for these events; LATENCY HISTORY <event> shows when they "
        "happened.\n";
  return out;
}

}  // namespace troupe
