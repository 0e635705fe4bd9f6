// cluster-bootstrap: a cluster that forms itself. Every node gets the same
// list of members (host:port[@busport]); from it and its own address each node
// works out the same plan redis-cli --cluster create would make: the first
// N/(R+1) members are masters sharing the 16384 slots evenly (config epochs
// 1..M), the others replicas of the masters in turn.
#pragma once
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace troupe::cluster {

struct bootstrap_member {
  std::string host;
  int port = 0;
  int cport = 0;  // the bus port (port + 10000 unless given)
};

struct bootstrap_plan {
  std::vector<bootstrap_member> members;
  int self = -1;                        // this node's index in members
  int masters = 0;                      // members[0..masters) are masters
  int first_slot = -1, last_slot = -1;  // this node's slots, if a master
  uint64_t config_epoch = 0;            // this node's epoch, if a master
  int master = -1;                      // the member this node replicates, if a replica
};

// `self_hosts`: the addresses this node answers on (bind, announce ip); a
// member matches when its port is this node's and its host is one of them or
// a loopback name. The error text when the list is malformed or this node is
// not (or more than once) in it.
std::variant<bootstrap_plan, std::string> make_bootstrap_plan(
    std::string_view list, int replicas, int self_port, const std::vector<std::string>& self_hosts);

}  // namespace troupe::cluster
