// Every message Troupe's actors exchange, with its receiver. Each element is an
// atom, a standard type CAF can serialise, or a struct below with an inspect()
// overload (registered by register_message_types), so any of them could cross
// processes over CAF's network layer: no pointers, no handles to local memory.
//
//   receiver         message                              sent by
//   connection       (close_atom)                         CLIENT KILL, itself
//                    (unblock_atom, std::string reply)    a blocked client's server
//                    (cancel_atom, bool with_error)       CLIENT UNBLOCK
//                    (cancel_atom, replica_atom)          REPLICAOF (the node becomes a replica)
//                    (pubsub_atom, published_message)     PUBLISH on another reactor
//                    (monitor_atom, std::string line)     MONITOR: a command ran on another reactor
//                    (invalidate_atom, keys, flush,       CLIENT TRACKING: keys it (or the client
//                     redirected)                          redirecting to it) read changed
//                    (invalidate_atom, uint64_t redirect) its REDIRECT client is gone
//   admin_endpoint   (http_atom, id, method, target, auth,  its HTTP thread, per request
//                     peer)
//   listener         (close_atom)                         CONFIG SET port
//   shard            (tick_atom)                          its reactor's cron
//                    (snapshot_atom)                      persistence, after a cut
//   snapshot_writer  (chunk_atom, std::string bytes)      shards walking a snapshot
//                    (done_atom)                          each shard at its end
//   lazy_freer       (free_atom)                          free_later (a wake-up)
//   aof_fsync        (tick_atom)                          itself, once a second
//   master_link      (tick_atom)                          itself, once a second
//                    (close_atom)                         CLIENT KILL TYPE master (reconnects)
//                    (stop_atom)                          REPLICAOF (another master, NO ONE)
//                    (loaded_atom, uint64_t job)          its replica_loader, when done
//                    (resume_atom)                        the loader, when it can take more
//   cluster_node     (tick_atom)                          itself, every 100 ms
//                    (wake_atom)                          cluster_control: outbox not empty
//                    (cluster_packet)                     other nodes' cluster_node actors
//   replica_loader   (load_atom)                          itself, to start
//   sentinel         (tick_atom)                          itself, every 100 ms
//   sentinel_monitor (connect_atom, id, host, port,       sentinel_control: open an
//                     pubsub_setup)                        instance's links
//                    (command_atom, id, kind, bytes)      sentinel_control: a command
//                    (close_atom, id)                     sentinel_control: close them
//                    (close_atom, id, bool report)        SENTINEL DEBUG-LINK-FILTER DROP
//                    (stop_atom)                          sentinel_control, at shutdown
//   replica_feed     (close_atom)                         CLIENT KILL, the master
//                    (wake_atom)                          the journal (new writes), a
//                                                         full sync (started, RDB bytes,
//                                                         file ready)
#pragma once
#include <string>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>

namespace troupe {

using close_atom = caf::atom_constant<caf::atom("close")>;         // close a connection, listener
using tick_atom = caf::atom_constant<caf::atom("tick")>;           // a periodic cron
using free_atom = caf::atom_constant<caf::atom("free")>;           // lazy_free_queue has work
using pubsub_atom = caf::atom_constant<caf::atom("pubsub")>;       // a message for a subscriber
using unblock_atom = caf::atom_constant<caf::atom("unblock")>;     // a blocked client is served
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;       // CLIENT UNBLOCK
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;   // walk your part of a snapshot
using chunk_atom = caf::atom_constant<caf::atom("chunk")>;         // snapshot bytes for the writer
using done_atom = caf::atom_constant<caf::atom("done")>;           // a shard finished its part
using stop_atom = caf::atom_constant<caf::atom("stop")>;           // a master link is replaced
using load_atom = caf::atom_constant<caf::atom("load")>;           // a replica loader starts
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;       // a full sync's data is loaded
using resume_atom = caf::atom_constant<caf::atom("resume")>;       // a paused link may read again
using replica_atom = caf::atom_constant<caf::atom("replica")>;     // the node became a replica
using wake_atom = caf::atom_constant<caf::atom("wake")>;           // a replica feed has work
using connect_atom = caf::atom_constant<caf::atom("connect")>;     // a lost master link, at once
using monitor_atom = caf::atom_constant<caf::atom("monitor")>;     // a MONITOR line for a watcher
using invalidate_atom = caf::atom_constant<caf::atom("invalid")>;  // CLIENT TRACKING messages
using http_atom = caf::atom_constant<caf::atom("http")>;           // an admin endpoint request
using command_atom = caf::atom_constant<caf::atom("command")>;     // a sentinel's command to send

// A published message for one subscriber: `pattern` is empty for a channel
// subscription, the matching pattern for a PSUBSCRIBE.
struct published_message {
  std::string pattern, channel, payload;
  bool shard = false;  // SPUBLISH: delivered as "smessage"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, published_message& x) {
  return f(caf::meta::type_name("troupe.published_message"), x.pattern, x.channel, x.payload,
           x.shard);
}

inline bool operator==(const published_message& a, const published_message& b) {
  return a.pattern == b.pattern && a.channel == b.channel && a.payload == b.payload &&
         a.shard == b.shard;
}

// A cluster bus message between cluster_node actors: the encoded
// cluster_message (topology/cluster/bus_codec.hpp) and what a socket would
// say: the address the sender dialed, the sender's own address ("" when it
// does not know it yet: the receiver asks its middleman), and whether it
// answers a message the receiver sent (it then arrives "on the receiver's
// outbound link", as Redis's PONGs do).
struct cluster_packet {
  std::string to_ip, from_ip;
  bool reply = false;
  std::string bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_packet& x) {
  return f(caf::meta::type_name("troupe.cluster_packet"), x.to_ip, x.from_ip, x.reply, x.bytes);
}

// Registers the message types above with CAF (add_message_type), as a node
// must for them to travel between processes.
void register_message_types(caf::actor_system_config& cfg);

}  // namespace troupe
