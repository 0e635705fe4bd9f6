// The table of every directive Troupe knows. Each capability adds its directives
// here; the server attaches live effects with config_registry::set_apply.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/config.hpp"

namespace troupe {
void define_directives(config_registry& reg);
// client-output-buffer-limit and notify-keyspace-events (config_clients.cpp).
void define_client_directives(config_registry& reg);
std::optional<uint32_t> parse_notify_flags(std::string_view s);
// save points, RDB and AOF (config_persistence.cpp).
void define_persistence_directives(config_registry& reg);
void define_data_model_directives(config_registry& reg);  // config_data_model.cpp
}  // namespace troupe
