// Runs commands in-process, without sockets or actors: a keyspace, a
// dispatcher and a client session, as a connection would have them. Family
// tests use it to check a command's behaviour directly (the socket and
// differential tests against redis-server stay in tests/integration/).
//
//   command_harness h;
//   EXPECT_EQ(h.run({"SET", "k", "v"}).str, "OK");
//   EXPECT_EQ(h.run({"GET", "k"}).str, "v");
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "protocol/resp/resp_value.hpp"
#include "storage/dispatch/client_endpoint.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/dispatch/server_stats.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "topology/cluster/slot_routing.hpp"

namespace troupe {
class dispatcher;
}

namespace troupe::test {

// Owns the configuration recording_services hands to its base (constructed first).
struct config_owner {
  server_config owned_config;
};

// The server as commands see it, with everything recorded for assertions. Its
// configuration starts at the defaults; tests change rows directly.
class recording_services : private config_owner, public server_services {
 public:
  recording_services() : server_services(owned_config) {}
  struct event {
    std::string name, key;
    int db;
  };
  std::vector<journal_op> journal_log;  // every journaled write, in order
  std::vector<event> events;            // keyspace notifications
  bool refuse_writes = false;           // as after a failed BGSAVE
  bool require_auth = false;
  // As a replica: the stream bytes journaled as they are, and the link.
  std::vector<std::pair<std::string, int>> raw_log;  // (bytes, database after)
  bool replica = false;
  bool link_up = true;
  dataset_loading loading_state = dataset_loading::none;

  void keyspace_event(uint32_t, std::string_view event, std::string_view key, int db) override;
  void free_later(entry_chain chain) override { chain.release(); }
  void journal(int db, const std::vector<std::string>& args) override;
  void journal_ops(const std::vector<journal_op>& ops) override;
  bool journal_active() const override { return true; }
  bool auth_required() const override { return require_auth; }
  bool writes_refused() const override { return refuse_writes; }
  void journal_raw(std::string_view bytes, int db_after) override {
    raw_log.emplace_back(std::string(bytes), db_after);
  }
  bool is_replica() const override { return replica; }
  bool master_link_up() const override { return link_up; }
  dataset_loading loading() const override { return loading_state; }

  // Cluster mode (command_harness::enable_cluster): the routing snapshot the
  // dispatcher checks keys against, changed by tests at will.
  std::shared_ptr<const cluster::slot_routing> routing;
  bool cluster_enabled() const override { return routing != nullptr; }
  const std::shared_ptr<const cluster::slot_routing>& cluster_routing() const override {
    return routing;
  }
};

class command_harness : public client_endpoint {
 public:
  explicit command_harness(int shards = 4, int databases = 16);
  ~command_harness() override;

  // Runs one command as a client would send it and returns the parsed reply.
  resp_value run(const std::vector<std::string>& args);
  // Cluster mode from now on: cluster-enabled, database 0's slot index, and
  // `routing` as the cluster's view.
  void enable_cluster(cluster::slot_routing routing);
  // Replies delivered after the command returned (served blocked clients).
  std::vector<resp_value> take_late_replies();

  session& client() { return session_; }
  recording_services& services() { return services_; }
  keyspace& keys() { return keyspace_; }
  dispatcher& engine() { return *engine_; }
  reactor_stats& stats() { return stats_; }

  void on_block(const blocked_ptr& w, int64_t timeout_ms) override;

 private:
  recording_services services_;
  keyspace keyspace_;
  reactor_stats stats_;
  std::unique_ptr<dispatcher> engine_;
  session session_;
  std::vector<std::string> late_;
};

}  // namespace troupe::test
