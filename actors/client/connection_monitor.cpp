// MONITOR for one connection: it joins the server's monitor_hub and is sent a
// line for every command any client runs (the dispatcher builds the lines).
#include "actors/client/connection.hpp"
#include "actors/server/server.hpp"

namespace troupe {

void connection::start_monitoring() {
  if (session_.has(client_monitor)) return;
  session_.set(client_monitor);
  srv_.monitors().add({session_.id, this, caf::actor_cast<caf::actor>(this), reactor_index_});
}

void connection::stop_monitoring() {
  if (!session_.has(client_monitor)) return;
  session_.clear(client_monitor);
  srv_.monitors().remove(session_.id);
}

void connection::deliver_monitor_line(std::string_view line) {
  // A line sent from another reactor may arrive after RESET.
  if (closed_ || !session_.has(client_monitor) || session_.has(client_close_asap)) return;
  writer_.raw(line);
  // A monitor that does not read is a normal client for output limits, as in
  // Redis; close at flush, never from here (another client is mid-command).
  if (!output_within_limits()) session_.set(client_close_asap);
  want_flush();
}

}  // namespace troupe
