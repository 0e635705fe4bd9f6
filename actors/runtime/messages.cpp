#include "actors/runtime/messages.hpp"

#include <caf/actor_system_config.hpp>

namespace troupe {

void register_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<published_message>("troupe.published_message");
  cfg.add_message_type<cluster_packet>("troupe.cluster_packet");
}

}  // namespace troupe
