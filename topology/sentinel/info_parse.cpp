#include "topology/sentinel/info_parse.hpp"

#include "protocol/commands/command_table.hpp"  // iequals

#include <cctype>
#include <climits>

#include "topology/sentinel/sentinel_config.hpp"

namespace troupe::sentinel {

namespace {

bool starts(std::string_view l, std::string_view p) {
  return l.substr(0, p.size()) == p;
}

// strtoll, saturating.
int64_t c_strtoll(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  uint64_t v = 0;
  const uint64_t limit = neg ? static_cast<uint64_t>(INT64_MAX) + 1 : INT64_MAX;
  for (; i < s.size() && isdigit(static_cast<unsigned char>(s[i])); ++i) {
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (v >= limit) {
      v = limit;
      break;
    }
  }
  if (neg) return v == limit ? INT64_MIN : -static_cast<int64_t>(v);
  return static_cast<int64_t>(v);
}

// Up to the first ',' (the C code puts a NUL there).
std::string_view until_comma(std::string_view s) {
  return s.substr(0, s.find(','));
}

// The C strings stop at a NUL byte.
std::string_view c_str(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

void parse_replica_line(std::string_view l, instance_info& out) {
  std::string_view ip, port;
  if (l.find("ip=") == std::string_view::npos) {
    size_t colon = l.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view rest = l.substr(colon + 1);
    size_t c1 = rest.find(',');
    if (c1 == std::string_view::npos) return;
    ip = rest.substr(0, c1);
    std::string_view after = rest.substr(c1 + 1);
    size_t c2 = after.find(',');
    if (c2 == std::string_view::npos) return;
    port = after.substr(0, c2);
  } else {
    size_t i = l.find("ip=");
    size_t p = l.find("port=");
    if (p == std::string_view::npos) return;
    // The C code cuts ip at its first comma before looking at port: a "port="
    // inside the ip field is still found by strstr on the whole line.
    ip = until_comma(l.substr(i + 3));
    port = until_comma(l.substr(p + 5));
  }
  out.replicas.push_back({std::string(c_str(ip)), c_atoi(c_str(port))});
}

}  // namespace

instance_info parse_info(std::string_view info, bool as_master) {
  instance_info out;
  reported_role role = reported_role::unknown;
  size_t pos = 0;
  while (pos <= info.size()) {
    size_t end = info.find("\r\n", pos);
    std::string_view l =
        info.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? info.size() + 1 : end + 2;

    if (l.size() >= 47 && starts(l, "run_id:")) out.run_id = std::string(l.substr(7, 40));

    if (as_master && l.size() >= 7 && starts(l, "slave") &&
        isdigit(static_cast<unsigned char>(l[5])))
      parse_replica_line(l, out);

    if (l.size() >= 32 && starts(l, "master_link_down_since_seconds")) {
      int64_t s = c_strtoll(c_str(l.substr(31)));
      if (s > INT64_MAX / 1000) s = INT64_MAX / 1000;
      if (s < INT64_MIN / 1000) s = INT64_MIN / 1000;
      out.master_link_down_ms = s * 1000;
    }

    if (starts(l, "role:master"))
      role = reported_role::master;
    else if (starts(l, "role:slave"))
      role = reported_role::slave;

    if (role == reported_role::slave) {
      if (l.size() >= 12 && starts(l, "master_host:"))
        out.master_host = std::string(c_str(l.substr(12)));
      if (l.size() >= 12 && starts(l, "master_port:"))
        out.master_port = c_atoi(c_str(l.substr(12)));
      if (l.size() >= 19 && starts(l, "master_link_status:"))
        out.master_link_up = iequals(c_str(l.substr(19)), "up");
      if (l.size() >= 15 && starts(l, "slave_priority:"))
        out.replica_priority = c_atoi(c_str(l.substr(15)));
      if (l.size() >= 18 && starts(l, "slave_repl_offset:"))
        out.repl_offset = c_strtoull(c_str(l.substr(18)));
      if (l.size() >= 18 && starts(l, "replica_announced:"))
        out.replica_announced = c_atoi(c_str(l.substr(18))) != 0;
    }
  }
  out.role = role;
  return out;
}

}  // namespace troupe::sentinel
