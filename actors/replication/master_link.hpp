// A replica's link to its master, as Redis 7.0's replica does it, on a
// reactor and never blocking it:
//   connect -> handshake (replica_handshake: PING, AUTH, REPLCONF, PSYNC)
//     +FULLRESYNC: receive the RDB (to a temp file, or straight into the
//                  loader with repl-diskless-load), load it beside the live
//                  data on the loader's thread, swap it in at once;
//     +CONTINUE:   resume the stream where this replica's offset is;
//   -> connected: apply the master's commands through the dispatcher (origin
//      replication), acknowledge the offset every second and on GETACK.
// Any failure (connection refused or lost, timeout, a bad or cut RDB, a
// protocol error) is logged, and the link starts over a second later; a
// link dropped after a sync resumes with a partial resync.
//
// One link follows one master address; REPLICAOF replaces it (stop_atom).
// While synced its session is a client of the server (flags M in CLIENT
// LIST), so CLIENT KILL TYPE master drops the link, which then reconnects.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "actors/net/resp_link.hpp"
#include "actors/replication/replica_control.hpp"
#include "actors/replication/replica_loader.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/session.hpp"
#include "topology/replication/master_stream.hpp"
#include "topology/replication/rdb_transfer.hpp"
#include "topology/replication/replica_handshake.hpp"
#include "topology/replication/sync_frames.hpp"

namespace troupe {

class server;
class dispatcher;

class master_link : public hosted_actor {
 public:
  // `failover`: this node is a master handing over to host:port (FAILOVER);
  // the PSYNC carries FAILOVER, and its answer ends or undoes the failover.
  master_link(caf::actor_config& cfg, reactor& home, server& srv, std::string host, int port,
              uint64_t generation, std::shared_ptr<replica_link_status> status,
              bool failover = false);
  ~master_link() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "master_link"; }

 private:
  // -- the connection --------------------------------------------------------------------
  void connect();
  void on_connected();
  void on_readable();
  // Closes the link and starts over at the next cron (`why` is logged).
  void drop(const std::string& why);
  // The FAILOVER PSYNC was accepted: the failover is over.
  void failover_accepted();
  // After the RDB payload: reads on while the data loads, up to a limit.
  void hold_stream_while_loading();
  // The replica output limit's hard size (0: none): how much of the stream
  // this replica holds for its master during a full sync.
  int64_t held_stream_limit() const;
  void set_state(replica_link_state s);
  void cron();
  void stop();
  // False (and the link on its way out) once REPLICAOF replaced this link.
  bool still_current();

  // -- handshake -------------------------------------------------------------------------
  void handshake_input();
  void handle_step(const replica_handshake::step& s);

  // -- full sync -------------------------------------------------------------------------
  void begin_full_sync(const std::string& replid, int64_t offset, bool framed = false);
  // A framed full sync: RDB frames to the transfer, stream frames kept aside.
  void framed_input();
  // RDB payload bytes to the transfer; false when the link was dropped.
  // `complete`: the payload ended.
  bool take_payload(std::string_view bytes, bool& complete);
  void transfer_input();
  bool write_payload(std::string_view bytes);
  void transfer_complete();
  void start_loader(std::shared_ptr<replica_load_job> job);
  std::shared_ptr<replica_load_job> new_job();
  void on_loaded(uint64_t job_id);
  void finish_full_sync();
  // Ends a transfer or a load in progress (the link dropped or was replaced).
  void cancel_sync();

  // -- partial sync and the stream ----------------------------------------------------
  void begin_partial_sync(const std::string& replid);
  void enter_connected(int64_t offset, int stream_db);
  void stream_input();
  void apply(const std::vector<std::string_view>& args);
  void send_ack();

  server& srv_;
  dispatcher& engine_;
  replica_control& ctl_;
  std::string host_;
  int port_;
  uint64_t generation_;
  std::shared_ptr<replica_link_status> status_;
  resp_link link_;
  bool stopped_ = false;
  bool failover_ = false;                    // until the target answers the FAILOVER PSYNC
  std::optional<sync_frame_reader> frames_;  // a framed full sync, until its end frame
  std::string held_stream_;  // the stream received in frames, applied after the load

  replica_link_state state_ = replica_link_state::connect;
  int64_t state_since_ms_ = 0;  // when the current attempt, or transfer, began
  int64_t last_io_ms_ = 0;      // the last byte from the master

  std::optional<replica_handshake> handshake_;

  // -- a full sync in progress ----------------------------------------------------------
  std::optional<rdb_transfer> transfer_;
  std::string sync_replid_;
  int64_t sync_offset_ = 0;
  bool socket_load_ = false;        // loaded straight from the socket (diskless)
  bool transfer_done_ = false;      // the whole payload arrived
  bool loaded_before_end_ = false;  // loaded; the end frame has not come yet
  int temp_fd_ = -1;
  std::string temp_path_;
  std::shared_ptr<replica_load_job> job_;
  uint64_t next_job_ = 0;

  // -- the stream ---------------------------------------------------------------------------
  master_stream stream_;
  session session_;
  bool registered_client_ = false;
  std::string replies_;  // what the master's commands answer (nobody reads it)
  reply_writer writer_;
};

}  // namespace troupe
