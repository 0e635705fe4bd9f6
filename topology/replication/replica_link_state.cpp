#include "topology/replication/replica_link_state.hpp"

#include <cstdio>

namespace troupe {

const char* role_state_name(replica_link_state s) {
  switch (s) {
    case replica_link_state::none:
      return "none";
    case replica_link_state::connect:
      return "connect";
    case replica_link_state::connecting:
      return "connecting";
    case replica_link_state::handshake:
      return "handshake";
    case replica_link_state::transfer:
      return "sync";
    case replica_link_state::connected:
      return "connected";
  }
  return "unknown";
}

bool load_from_socket(diskless_load_mode mode, bool dataset_empty) {
  return mode == diskless_load_mode::swapdb ||
         (mode == diskless_load_mode::on_empty_db && dataset_empty);
}

namespace {
void field(std::string& out, const char* name, const std::string& v) {
  out += name;
  out += ':';
  out += v;
  out += "\r\n";
}
void field(std::string& out, const char* name, int64_t v) {
  field(out, name, std::to_string(v));
}
}  // namespace

std::string replica_info_fields(const replica_link_info& i) {
  std::string out;
  bool up = i.state == replica_link_state::connected;
  bool transfer = i.state == replica_link_state::transfer;
  field(out, "master_host", i.master_host);
  field(out, "master_port", i.master_port);
  field(out, "master_link_status", up ? "up" : "down");
  field(out, "master_last_io_seconds_ago", i.last_io_seconds_ago);
  field(out, "master_sync_in_progress", transfer ? 1 : 0);
  field(out, "slave_read_repl_offset", i.read_offset);
  field(out, "slave_repl_offset", i.applied_offset);
  if (transfer) {
    double perc = i.transfer_size > 0 ? double(i.transfer_read) * 100 / double(i.transfer_size) : 0;
    char pct[32];
    snprintf(pct, sizeof(pct), "%.2f", perc);
    field(out, "master_sync_total_bytes", i.transfer_size);
    field(out, "master_sync_read_bytes", i.transfer_read);
    field(out, "master_sync_left_bytes", i.transfer_size - i.transfer_read);
    field(out, "master_sync_perc", pct);
    field(out, "master_sync_last_io_seconds_ago", i.transfer_last_io_seconds_ago);
  }
  if (!up) field(out, "master_link_down_since_seconds", i.down_since_seconds);
  field(out, "slave_priority", i.replica_priority);
  field(out, "slave_read_only", i.read_only ? 1 : 0);
  field(out, "replica_announced", i.announced ? 1 : 0);
  return out;
}

}  // namespace troupe
