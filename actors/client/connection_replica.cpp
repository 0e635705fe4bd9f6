// A connection that sent SYNC or PSYNC becomes a replica: its socket moves to
// a replica_feed actor (actors/replication/replica_feed.hpp), which speaks the
// replication protocol from there, and the connection ends without closing it.
#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/net/tls_stream.hpp"
#include "actors/replication/replica_feed.hpp"
#include "actors/replication/replica_request.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "storage/dispatch/dispatcher.hpp"

namespace troupe {

void connection::hand_over_to_replica_feed() {
  if (closed_) return;
  replica_feed::handoff h;
  h.fd = fd_;
  h.client_id = session_.id;
  h.addr = session_.addr;
  h.laddr = session_.laddr;
  h.created_ms = session_.created_ms.load();
  h.db = session_.current_db();
  h.unix_socket = session_.has(client_unix_socket);
  {
    std::lock_guard<std::mutex> g(session_.mutex);
    h.name = session_.name;
    h.user = session_.user;
    h.lib_name = session_.lib_name;
    h.lib_ver = session_.lib_ver;
  }
  h.output = out_.substr(out_sent_);
  h.input.assign(in_, in_len_);
  if (session_.replica) h.request = *session_.replica;
  h.tls = std::move(tls_);  // a TLS replica keeps its session

  // This connection lets go of the socket without closing it.
  closed_ = true;
  if (flush_queued_) home().cancel_flush(this);
  flush_queued_ = false;
  home().remove_fd(fd_);
  engine_.forget_client(session_);
  srv_.remove_client(session_.id);
  srv_.hosted_connections(reactor_index_).erase(this);
  fd_ = -1;
  std::string label = h.addr;
  spawn_actor<replica_feed>(srv_.registry(), placement::on(home()), {label, id()}, srv_,
                            std::move(h));
  caf::anon_send(caf::actor_cast<caf::actor>(this), close_atom::value);
}

}  // namespace troupe
