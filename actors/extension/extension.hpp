// New actor types as extensions. An extension is a class linked into a server
// executable (see examples/audit/): it registers itself with TROUPE_EXTENSION,
// and the server then
//   - adds its commands to the command table (before anything reads the table),
//   - starts it once the reactors run and before clients are accepted, handing
//     it the server: it spawns its actors with spawn_actor (so they are in the
//     registry, /topology and INFO's Troupe section), follows the journal with
//     journal_log().attach_at_end(...), posts work to a reactor with
//     reactor_at(i).post(...),
//   - asks it for the fields of its INFO section (shown by `INFO <name>` and
//     `INFO everything`, as Redis does with the sections modules add).
// Nothing in the core names an extension: linking one in is the whole change.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace troupe {

class command_table;
class server;

class extension {
 public:
  virtual ~extension() = default;
  // Lower-case name: INFO's section ("INFO audit") and the log's lines.
  virtual const char* name() const = 0;
  // Adds the extension's commands (command_table::add / add_all, group "module").
  virtual void add_commands(command_table&) {}
  // Spawns the extension's actors; false stops the server's start-up.
  virtual bool start(server&) { return true; }
  // "field:value\r\n" lines of its INFO section (any thread: keep it to atomics
  // or a lock of its own).
  virtual void info_fields(std::string&) const {}
};

// Every extension linked into this executable, in registration order.
const std::vector<std::unique_ptr<extension>>& extensions();
void register_extension(std::unique_ptr<extension> e);

// Called by the server: commands at registration time, start() during start-up.
void add_extension_commands(command_table& t);
bool start_extensions(server& srv);

template <class E>
struct extension_registrar {
  extension_registrar() { register_extension(std::make_unique<E>()); }
};

}  // namespace troupe

// At namespace scope in the extension's own file: TROUPE_EXTENSION(audit_extension)
#define TROUPE_EXTENSION(type) \
  static const ::troupe::extension_registrar<type> troupe_extension_registrar_##type
