// One Sentinel's view as a plain state machine, as redis-sentinel 7.0's
// sentinel.c decides things: the monitored masters with their replicas and
// the other Sentinels, SDOWN / ODOWN, the leader election (votes through
// SENTINEL IS-MASTER-DOWN-BY-ADDR), the replica chosen for promotion, and the
// failover (wait-start, select-slave, send-slaveof-noone, wait-promotion,
// reconf-slaves, update-config), plus the periodic PING / INFO / hello and
// the reconfiguration of misconfigured instances.
//
// No sockets, threads or clocks: time comes in as milliseconds. The actor
// layer keeps one command link (and for masters and replicas one pub/sub link
// subscribed to __sentinel__:hello) per instance id, reports what happens on
// them (link up/down, replies, hello messages) and does what the output says:
// commands to send (argument vectors, per instance id), links to open/close,
// events to log and publish (channel = event type, message = text), scripts
// to run, and "save the config" (sentinel_conf() + sentinel_config's rewrite).
// Call tick() every 100 ms or so (Redis: 10 to 19 times a second).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/sentinel/info_parse.hpp"
#include "topology/sentinel/sentinel_config.hpp"

namespace troupe::sentinel {

// Timing constants of Redis 7.0 (ms).
struct sentinel_timing {
  int64_t info_period = 10000;
  int64_t ping_period = 1000;
  int64_t ask_period = 1000;
  int64_t publish_period = 2000;
  int64_t tilt_trigger = 2000;
  int64_t tilt_period = 30000;  // ping period * 30
  int64_t slave_reconf_timeout = 10000;
  int64_t min_link_reconnect_period = 15000;
  int64_t election_timeout = 10000;
  int64_t max_desync = 1000;
  unsigned max_pending_commands = 100;
  // SENTINEL DEBUG's other parameters (masters added by SENTINEL MONITOR take
  // the defaults; the script ones are the actor's script runner's).
  int64_t default_down_after = default_down_after_ms;
  int64_t default_failover_timeout = default_failover_timeout_ms;
  int64_t script_max_runtime = 60000;
  int64_t script_retry_delay = 30000;
};

enum class instance_kind { master, replica, sentinel };

enum class failover_state {
  none,
  wait_start,
  select_slave,
  send_slaveof_noone,
  wait_promotion,
  reconf_slaves,
  update_config,
};

struct instance;

struct instance_link {
  bool disconnected = true;
  unsigned pending_commands = 0;
  int64_t cc_conn_time = 0;
  int64_t pc_conn_time = 0;
  int64_t pc_last_activity = 0;
  int64_t last_avail_time = 0;               // last valid PING reply
  int64_t act_ping_time = 0;                 // oldest unanswered PING (0: none)
  int64_t last_ping_time = 0;                // last PING sent
  int64_t last_pong_time = 0;                // last PING reply of any kind
  int64_t last_reconn_time = INT64_MIN / 4;  // never
  std::string local_ip;                      // our address on the link (announced in hello)
};

struct instance {
  uint64_t id = 0;  // the handle the actor uses
  instance_kind kind = instance_kind::master;
  std::string name;  // master: its name; replica: "ip:port"; sentinel: run id
  instance_addr addr;
  std::string runid;  // "" until known
  uint64_t config_epoch = 0;
  instance_link link;
  // flags
  bool s_down = false;
  bool o_down = false;
  bool master_down = false;  // a sentinel's last is-master-down reply said down
  bool failover_in_progress = false;
  bool promoted = false;
  bool reconf_sent = false;
  bool reconf_inprog = false;
  bool reconf_done = false;
  bool force_failover = false;
  bool script_kill_sent = false;

  int64_t last_pub_time = 0;
  int64_t last_hello_time = 0;
  int64_t last_master_down_reply_time = 0;
  int64_t s_down_since_time = 0;
  int64_t o_down_since_time = 0;
  int64_t down_after_ms = default_down_after_ms;
  int64_t info_refresh = 0;
  reported_role role_reported = reported_role::unknown;
  int64_t role_reported_time = 0;
  int64_t slave_conf_change_time = 0;

  // master
  std::vector<std::unique_ptr<instance>> sentinels;
  std::vector<std::unique_ptr<instance>> replicas;
  unsigned quorum = 1;
  int parallel_syncs = default_parallel_syncs;
  std::optional<std::string> auth_pass;
  std::optional<std::string> auth_user;
  std::optional<std::string> notification_script;
  std::optional<std::string> client_reconfig_script;
  std::vector<renamed_command> renamed_commands;

  // replica
  int64_t master_link_down_time = 0;
  int slave_priority = 100;
  bool replica_announced = true;
  int64_t slave_reconf_sent_time = 0;
  instance* master = nullptr;  // for replicas and sentinels
  std::optional<std::string> slave_master_host;
  int slave_master_port = 0;
  bool slave_master_link_up = false;
  uint64_t slave_repl_offset = 0;

  // failover (masters) / vote (sentinels: whom it voted for)
  std::string leader;
  uint64_t leader_epoch = 0;
  uint64_t failover_epoch = 0;
  failover_state fo_state = failover_state::none;
  int64_t failover_state_change_time = 0;
  int64_t failover_start_time = 0;
  int64_t failover_timeout_ms = default_failover_timeout_ms;
  int64_t failover_delay_logged = 0;
  instance* promoted_slave = nullptr;

  // SENTINEL INFO-CACHE: the last INFO reply (masters and replicas).
  std::optional<std::string> info_text;
  // master-reboot-down-after-period (SENTINEL SET; 0: off).
  int64_t master_reboot_down_after_ms = 0;

  bool is_master() const { return kind == instance_kind::master; }
  bool is_replica() const { return kind == instance_kind::replica; }
  bool is_sentinel() const { return kind == instance_kind::sentinel; }
};

enum class log_level { debug, verbose, notice, warning };

// sentinelEvent: logged as "<type> <message>", published on channel <type>
// unless debug.
struct sentinel_event {
  log_level level = log_level::notice;
  std::string type;
  std::string message;
};

enum class command_kind {
  ping,            // reply: ping_reply
  info,            // reply: info_reply
  hello,           // PUBLISH __sentinel__:hello ...; reply: hello_published
  is_master_down,  // SENTINEL is-master-down-by-addr; reply: is_master_down_reply
  discard,         // reply ignored: command_reply (MULTI/SLAVEOF/.../EXEC, SCRIPT KILL)
  link_setup,      // AUTH, CLIENT SETNAME: reply ignored, not counted
};

struct sentinel_command {
  uint64_t target = 0;
  command_kind kind = command_kind::ping;
  std::vector<std::string> argv;
};

struct sentinel_output {
  std::vector<sentinel_command> commands;
  std::vector<sentinel_event> events;
  std::vector<uint64_t> connect;     // open the links of these instances (addr in the table)
  std::vector<uint64_t> disconnect;  // close them (instances that may be gone)
  std::vector<std::vector<std::string>> scripts;  // argv (path first) to run
  std::vector<std::string> log;                   // other log lines (warning level)
  bool save_config = false;
};

struct sentinel_options {
  int port = 26379;  // announced when announce-port is 0
  sentinel_timing timing;
  // Address resolution for instances learned at run time (INFO, hello):
  // config_hooks::resolve's contract; empty: IP literals only (and names as
  // themselves with resolve-hostnames).
  std::function<std::optional<std::string>(const std::string& host, bool names)> resolve;
};

class sentinel_state {
 public:
  using random_source = std::function<uint64_t()>;

  // From the loaded config: masters with their known replicas and sentinels
  // (a new random myid when the config has none: save_config is then set).
  sentinel_state(const sentinel_conf& conf, sentinel_options opts, random_source rng,
                 int64_t now_ms);

  // --- the table -------------------------------------------------------------
  const std::string& myid() const { return conf_.myid; }
  uint64_t current_epoch() const { return conf_.current_epoch; }
  bool tilt() const { return tilt_; }
  const std::vector<std::unique_ptr<instance>>& masters() const { return masters_; }
  const instance* master(std::string_view name) const;
  const instance* find(uint64_t id) const;
  // The master's address now (the promoted replica's during reconf-slaves).
  const instance_addr& current_master_addr(const instance& master) const;
  // The state to persist (for sentinel_rewrite_plan).
  sentinel_conf to_conf() const;
  const sentinel_conf& global_conf() const { return conf_; }

  // --- inputs ------------------------------------------------------------------
  // sentinelTimer: tilt check, then for every master, its replicas and
  // sentinels: reconnection, periodic commands, SDOWN, ODOWN, failover.
  sentinel_output tick(int64_t now_ms);
  // Both links of the instance are up (sentinels: the command link).
  // local_ip: our end's address (announced in hello without announce-ip).
  void link_up(uint64_t id, std::string local_ip, int64_t now_ms);
  void link_down(uint64_t id, int64_t now_ms);
  // A reply to PING: the status or error text ("PONG", "LOADING ...").
  void ping_reply(uint64_t id, std::string_view reply, int64_t now_ms);
  void info_reply(uint64_t id, std::string_view info, int64_t now_ms);
  void hello_published(uint64_t id, bool ok, int64_t now_ms);
  // A message on __sentinel__:hello received on this instance's pub/sub link.
  void hello_received(uint64_t via, std::string_view payload, int64_t now_ms);
  // PUBLISH __sentinel__:hello sent to this Sentinel by another one.
  void hello_publish(std::string_view payload, int64_t now_ms);
  // A well-formed reply to is-master-down-by-addr (array of integer, bulk,
  // integer); other replies: command_reply.
  void is_master_down_reply(uint64_t sentinel_id, int64_t down, std::string_view leader,
                            int64_t leader_epoch, int64_t now_ms);
  // Any reply to a discard command (or a malformed one to the others).
  void command_reply(uint64_t id);

  // --- commands to this Sentinel -------------------------------------------
  struct down_reply {
    bool down = false;
    std::string leader = "*";
    uint64_t leader_epoch = 0;
  };
  // SENTINEL IS-MASTER-DOWN-BY-ADDR ip port current-epoch runid (parsed).
  down_reply is_master_down_by_addr(std::string_view ip, int port, uint64_t req_epoch,
                                    std::string_view runid, int64_t now_ms);
  // SENTINEL FAILOVER name: nullopt (OK) or the error reply.
  std::optional<std::string> force_failover(std::string_view name, int64_t now_ms);

  // What the inputs and commands above queued.
  sentinel_output take_output();

  // --- the decision functions (public for tests) ---------------------------
  instance* select_slave(instance& master);
  // Troupe, beyond Redis: whether the replication offsets select_slave would
  // compare are settled, i.e. every candidate's last INFO says its link to the
  // master is down or was read after the master went SDOWN. See
  // failover_select_slave.
  bool candidate_offsets_settled(instance& master);
  // How long failover_select_slave waits for settled offsets at most.
  static constexpr int64_t settle_offsets_max_ms = 2000;
  // sentinelVoteLeader: the leader voted for in this epoch (may be earlier's).
  std::string vote_leader(instance& master, uint64_t req_epoch, const std::string& req_runid,
                          uint64_t& leader_epoch);
  // sentinelGetLeader: the winner with a majority and the quorum, or "".
  std::string get_leader(instance& master, uint64_t epoch);

  // "<type> <name> <ip> <port>[ @ <master> <ip> <port>]" (sentinelEvent's %@).
  std::string describe(const instance& ri) const;

  // --- administration: SENTINEL MONITOR / REMOVE / RESET / SET / CONFIG SET /
  // DEBUG / SIMULATE-FAILURE, INFO-CACHE and INFO (sentinel_admin.cpp, whose
  // sentinel_admin_command parses the arguments and writes the replies).
  // The error results are Redis's reply texts ("ERR ..."); what the actor
  // must do (links to close or open, events, save_config) is queued for
  // take_output().
  // SENTINEL MONITOR (the numbers as parsed: Redis keeps an int port and an
  // unsigned quorum of them).
  std::optional<std::string> monitor_master(std::string_view name, const std::string& host,
                                            int64_t port, int64_t quorum, int64_t now_ms);
  bool remove_master(std::string_view name, int64_t now_ms);  // false: no such master
  // sentinelResetMastersByPattern: the number of masters reset.
  int reset_masters(std::string_view pattern, int64_t now_ms);
  // SENTINEL SET name option value ...: the options before a bad one stay set.
  std::optional<std::string> set_master_options(std::string_view name,
                                                const std::vector<std::string_view>& opts,
                                                int64_t now_ms);
  std::optional<std::string> config_set(std::string_view option, std::string_view value,
                                        int64_t now_ms);
  // SENTINEL DEBUG option value ...: the options before a bad one stay set.
  std::optional<std::string> debug_set(const std::vector<std::string_view>& opts);
  const sentinel_timing& timing() const { return opts_.timing; }
  // SENTINEL SIMULATE-FAILURE flags (1: crash after election, 2: crash after
  // promotion); stored only, acting on them is the failover code's.
  unsigned simulate_failure_flags() const { return simfailure_flags_; }
  void set_simulate_failure_flags(unsigned flags) { simfailure_flags_ = flags; }
  // The actor's script runner's counts (INFO's sentinel_running_scripts and
  // sentinel_scripts_queue_length).
  void set_script_counts(int running, int64_t queued) {
    running_scripts_ = running;
    scripts_queue_length_ = queued;
  }
  int running_scripts() const { return running_scripts_; }
  int64_t scripts_queue_length() const { return scripts_queue_length_; }
  // Whether a script path is executable (SENTINEL SET ...-script); by
  // default access(X_OK).
  void set_executable_check(std::function<bool(const std::string& path)> f) {
    executable_ = std::move(f);
  }
  int64_t tilt_start_time() const { return tilt_start_time_; }
  int64_t now() const { return now_; }  // the time of the last input

 private:
  instance* find_mut(uint64_t id);
  instance* master_mut(std::string_view name);
  std::unique_ptr<instance> make_instance(instance_kind kind, std::string name, instance_addr addr,
                                          instance* master);
  instance* lookup_replica(instance& master, const std::string& ip, int port);
  instance* add_replica(instance& master, const std::string& ip, int port);
  void event(log_level level, const std::string& type, const instance* ri, std::string msg,
             bool with_addr);
  void send(instance& ri, command_kind kind, std::vector<std::string> argv, bool counted = true);
  std::string map_command(const instance& ri, const std::string& cmd) const;
  bool send_slaveof(instance& ri, const instance_addr* addr);
  void send_ping(instance& ri);
  void send_hello(instance& ri);
  void save() { out_.save_config = true; }
  void client_reconf_script(instance& master, bool leader, const char* state,
                            const instance_addr& from, const instance_addr& to);

  void handle_instance(instance& ri);
  void handle_instances(std::vector<std::unique_ptr<instance>>& v);
  void reconnect(instance& ri);
  void periodic_commands(instance& ri);
  void check_sdown(instance& ri);
  void check_odown(instance& master);
  bool start_failover_if_needed(instance& master);
  void start_failover(instance& master);
  void ask_other_sentinels(instance& master, bool forced);
  void failover_state_machine(instance& master);
  void failover_wait_start(instance& master);
  void failover_select_slave(instance& master);
  void failover_send_slaveof_noone(instance& master);
  void failover_wait_promotion(instance& master);
  void failover_reconf_next_slave(instance& master);
  void failover_detect_end(instance& master);
  void switch_to_promoted(instance& master);
  void abort_failover(instance& master);
  void reset_master_and_change_address(instance& master, const instance_addr& to);
  void clear_master_flags(instance& master);
  void force_hello_update(instance& master);
  void process_hello(std::string_view payload);
  bool master_looks_sane(const instance& master) const;
  bool no_down_for(const instance& ri, int64_t ms) const;
  void remove_sentinels_with_runid(instance& master, const std::string& runid, int& removed);

  sentinel_conf conf_;  // the global settings (masters_ holds the masters)
  sentinel_options opts_;
  random_source rng_;
  int64_t now_ = 0;
  uint64_t next_id_ = 1;
  std::vector<std::unique_ptr<instance>> masters_;
  bool tilt_ = false;
  int64_t tilt_start_time_ = 0;
  int64_t previous_time_ = 0;
  sentinel_output out_;

  // administration (sentinel_admin.cpp)
  void drop_links(instance& master);  // dropInstanceConnections
  void close_link(instance& ri);
  unsigned simfailure_flags_ = 0;
  int running_scripts_ = 0;
  int64_t scripts_queue_length_ = 0;
  std::function<bool(const std::string& path)> executable_;
};

}  // namespace troupe::sentinel
