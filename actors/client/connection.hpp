// One client connection: its socket, read buffer and RESP parser, output buffer,
// and session. It lives on a reactor: the reactor calls on_io() when the socket
// is ready, and commands run right here, on the reactor's thread, directly on
// the shards (see keyspace.hpp), so a request costs one recv and one send.
// As an actor it receives messages from others (CLIENT KILL, shutdown).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/pubsub/pubsub_hub.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "protocol/resp/request_parser.hpp"
#include "storage/dispatch/client_endpoint.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/keyspace/blocking.hpp"

namespace troupe {

class server;
class dispatcher;
class tls_stream;

class connection : public hosted_actor,
                   public io_handler,
                   public flushable,
                   public client_endpoint {
 public:
  // `tls` is set for a socket accepted on tls-port: its handshake has not begun.
  connection(caf::actor_config& cfg, reactor& home, server& srv, int fd, std::string peer,
             std::string local, bool unix_socket, std::unique_ptr<tls_stream> tls = nullptr);
  ~connection() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "connection"; }
  bool serves_while_busy() const override { return true; }
  void on_io(uint32_t events) override;
  void flush_pending() override;

  session& state() { return session_; }
  int reactor_index() const { return reactor_index_; }
  server& owner() { return srv_; }

  // -- blocking commands (connection_blocking.cpp) --------------------------------
  bool is_blocked() const { return blocked_ != nullptr; }
  void on_block(const blocked_ptr& w, int64_t timeout_ms) override;
  // Ends the wait without a served reply: timeout (nil), CLIENT UNBLOCK ERROR, the
  // node becoming a replica (an error too), its keys' slot served elsewhere in a
  // cluster (`error`: the redirect), or close.
  enum class unblock_reason { timeout, error, role_change, cluster_redirect, closing };
  void end_block(unblock_reason why, std::string_view error = {});
  // Drops the wait and its timers (blocked_, the flag, block and slot timers).
  void forget_block();
  // Clients are paused: the command just parsed stays in the input buffer and
  // runs again when the pause ends (resume_atom).
  bool on_postpone(pause_kind held) override;

  // -- pub/sub (connection_pubsub.cpp) --------------------------------------------
  // SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE; an empty list for the
  // unsubscribe forms means all.
  void subscribe(const std::vector<std::string_view>& channels, sub_kind kind);
  void unsubscribe(const std::vector<std::string_view>& channels, sub_kind kind);
  // Redis's counts in (un)subscribe replies: channels and patterns together;
  // shard channels on their own.
  int subscription_count() const { return int(channels_.size() + patterns_.size()); }
  int count_for(sub_kind kind) const {
    return kind == sub_kind::shard ? int(shard_channels_.size()) : subscription_count();
  }
  // Leaves every channel and pattern without replying (RESET, close).
  void leave_all_subscriptions();
  // A published message for this subscriber (from its own reactor).
  void deliver_pubsub(std::string_view pattern, std::string_view channel, std::string_view message,
                      bool shard);
  // -- MONITOR (connection_monitor.cpp) -------------------------------------------
  // MONITOR: from now on every command the server runs is shown to this client.
  void start_monitoring();
  // RESET, close: back to a plain client.
  void stop_monitoring();
  // One MONITOR line (from this reactor).
  void deliver_monitor_line(std::string_view line);
  // CLIENT TRACKING: an invalidation for this client (or for one that
  // redirects to it), and the news that its own REDIRECT client is gone.
  void deliver_invalidation(const std::vector<std::string>& keys, bool flush, bool redirected);
  void tracking_redirect_broken(uint64_t redirect);

  // Idle-timeout check from the reactor's cron; true if the client was closed.
  bool close_if_idle(int64_t now_ms, int64_t timeout_s);
  // Cron: gives back a big input buffer the client no longer needs.
  void trim_input(int64_t now_ms);
  // Closes the connection now (from the reactor thread).
  void close_now(const char* reason);
  void discard_pending_input();
  // After SYNC / PSYNC: the socket, what is still to send and what arrived
  // since go to a new replica_feed actor, and this connection ends
  // (connection_replica.cpp).
  void hand_over_to_replica_feed();

 private:
  void on_readable();
  void process_input();

  // Enforces client-output-buffer-limit for this client's class; false if it must close.
  bool output_within_limits();
  // A waiter's command was replayed for it elsewhere: take the reply and go on.
  void on_served(const std::string& reply);
  void flush_output();
  // Queues a flush at the end of the reactor's pass (once).
  void want_flush();
  void arm_write(bool on);
  void grow_input(size_t need);

  // -- TLS (connection_tls.cpp); plain sockets never get past `if (tls_)` --------
  // Drives the handshake and maps what OpenSSL waits for onto `events`; false
  // when there is nothing more to do for this event.
  bool tls_on_io(uint32_t& events);
  // recv()/send() through the TLS session, with their return and errno rules.
  ssize_t tls_recv(char* buf, size_t len);
  ssize_t tls_send(const char* buf, size_t len);
  // Input OpenSSL holds already decrypted is read on the next pass: the socket
  // will not say it is readable.
  void tls_read_pending();

  server& srv_;
  dispatcher& engine_;  // this reactor's
  int fd_;
  bool closed_ = false;
  bool write_armed_ = false;
  bool flush_queued_ = false;
  caf::strong_actor_ptr keep_alive_;  // the reactor holds us while the socket is open
  int reactor_index_;

  session session_;
  request_parser parser_;
  request_parser::limits limits_;
  char* in_ = nullptr;
  size_t in_len_ = 0, in_cap_ = 0;
  size_t in_peak_ = 0;  // most input held at once since the cron last looked
  std::string out_;
  size_t out_sent_ = 0;
  reply_writer writer_;
  std::set<std::string> channels_, patterns_, shard_channels_;
  std::set<std::string>& subscriptions(sub_kind k) {
    return k == sub_kind::channel   ? channels_
           : k == sub_kind::pattern ? patterns_
                                    : shard_channels_;
  }
  void publish_subscription_counts();
  blocked_ptr blocked_;
  bool postponed_ = false;
  uint64_t block_timer_ = 0;
  // Cluster mode: while blocked, a check that the keys' slot is still served
  // here (Redis's clusterRedirectBlockedClientIfNeeded).
  uint64_t slot_check_timer_ = 0;
  void watch_blocked_slot();
  int64_t soft_limit_since_ms_ = 0;    // when the soft output limit was first exceeded
  std::unique_ptr<tls_stream> tls_;    // null on a plain socket
  bool tls_read_wants_write_ = false;  // SSL_read needs the socket writable first
  bool tls_write_wants_read_ = false;  // SSL_write needs the socket readable first
  bool tls_reread_queued_ = false;
};

}  // namespace troupe
