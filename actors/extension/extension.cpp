#include "actors/extension/extension.hpp"

#include "actors/runtime/log.hpp"

namespace troupe {
namespace {

// A function-local list: extensions register from static initialisers, in
// whatever order the linker runs them, before main().
std::vector<std::unique_ptr<extension>>& list() {
  static std::vector<std::unique_ptr<extension>> all;
  return all;
}

}  // namespace

const std::vector<std::unique_ptr<extension>>& extensions() {
  return list();
}

void register_extension(std::unique_ptr<extension> e) {
  list().push_back(std::move(e));
}

void add_extension_commands(command_table& t) {
  for (auto& e : list()) e->add_commands(t);
}

bool start_extensions(server& srv) {
  for (auto& e : list()) {
    if (!e->start(srv)) {
      log_warning("Extension '{}' failed to start", e->name());
      return false;
    }
    log_notice("Extension '{}' started", e->name());
  }
  return true;
}

}  // namespace troupe
