// INFO's "# Troupe" section: the live actors by type, from the registry. It is
// Troupe's own section, so like a Redis module's sections it appears only when
// asked for by name (INFO troupe) or with INFO everything; INFO and INFO all
// keep Redis's section layout.
//
//   actors:9
//   actors_connection:count=1,reactor_0=1,messages=0,mailbox=0,idle_ms=1200
//   actors_shard:count=4,reactor_0=2,reactor_1=2,messages=836,mailbox=0,idle_ms=40
//   actors_lazy_freer:count=1,scheduler=1,messages=2,mailbox=0,idle_ms=5310
//
// count: live actors of the type; reactor_<i> / scheduler: how many run where;
// messages: messages they have handled; mailbox: messages waiting for them;
// idle_ms: time since the most recently active of them handled a message.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "actors/runtime/actor_registry.hpp"

namespace troupe {

// The section's fields (without its header), "name:value\r\n" each.
std::string actors_info_fields(const std::vector<actor_info>& actors, int64_t now_ms);

}  // namespace troupe
