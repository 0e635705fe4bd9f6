// The table of every directive Troupe knows. Each capability adds its directives
// here; the server attaches live effects with config_registry::set_apply.
#pragma once
#include "protocol/config.hpp"

namespace troupe {
void define_directives(config_registry& reg);
}
