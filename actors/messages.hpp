// Message atoms exchanged between Troupe's actors.
#pragma once
#include <caf/atom.hpp>

namespace troupe {
using close_atom = caf::atom_constant<caf::atom("close")>;  // close a connection
using tick_atom = caf::atom_constant<caf::atom("tick")>;    // a shard's cron
using free_atom = caf::atom_constant<caf::atom("free")>;    // free values in background
using start_atom = caf::atom_constant<caf::atom("start")>;
}  // namespace troupe

namespace troupe {
using pubsub_atom = caf::atom_constant<caf::atom("pubsub")>;    // a message for a subscriber
using unblock_atom = caf::atom_constant<caf::atom("unblock")>;  // a blocked client is served
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;    // CLIENT UNBLOCK
}  // namespace troupe

namespace troupe {
using chunk_atom = caf::atom_constant<caf::atom("chunk")>;  // snapshot bytes for the writer
using done_atom = caf::atom_constant<caf::atom("done")>;    // a shard finished its part
}  // namespace troupe
