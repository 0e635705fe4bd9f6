#include "actors/server/client_pause.hpp"

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"

namespace troupe {

void client_pause::pause(pause_purpose purpose, pause_kind kind, int64_t end_ms) {
  std::vector<caf::actor> to_resume;
  {
    std::lock_guard<std::mutex> g(mutex_);
    hold& h = holds_[size_t(purpose)];
    if (h.kind == pause_kind::none) {
      h = {kind, end_ms};
    } else {
      h.kind = std::max(h.kind, kind);
      h.end_ms = std::max(h.end_ms, end_ms);
    }
    update_locked(to_resume);
  }
  resume(to_resume);
}

void client_pause::unpause(pause_purpose purpose) {
  std::vector<caf::actor> to_resume;
  {
    std::lock_guard<std::mutex> g(mutex_);
    holds_[size_t(purpose)] = {};
    update_locked(to_resume);
  }
  resume(to_resume);
}

void client_pause::cron(int64_t now_ms) {
  if (current() == pause_kind::none) return;
  std::vector<caf::actor> to_resume;
  {
    std::lock_guard<std::mutex> g(mutex_);
    for (hold& h : holds_)
      if (h.kind != pause_kind::none && h.end_ms <= now_ms) h = {};
    update_locked(to_resume);
  }
  resume(to_resume);
}

bool client_pause::paused_for(pause_purpose purpose) const {
  std::lock_guard<std::mutex> g(mutex_);
  return holds_[size_t(purpose)].kind != pause_kind::none;
}

void client_pause::postpone(const caf::actor& client, pause_kind held) {
  std::vector<caf::actor> to_resume;
  {
    std::lock_guard<std::mutex> g(mutex_);
    postponed_.push_back(client);
    // The pause may have ended or weakened (ALL to WRITE: reads run again)
    // between the dispatcher's look and now; its update found no one to tell.
    if (current_.load() < held) to_resume.swap(postponed_);
  }
  resume(to_resume);
}

void client_pause::update_locked(std::vector<caf::actor>& to_resume) {
  pause_kind strongest = pause_kind::none;
  for (const hold& h : holds_) strongest = std::max(strongest, h.kind);
  pause_kind before = current_.exchange(strongest);
  // Clients held by a pause of all commands may now run their reads: each
  // dispatches again and waits anew if its command is still held.
  if (strongest < before) to_resume.swap(postponed_);
}

void client_pause::resume(std::vector<caf::actor>& clients) {
  for (auto& c : clients) caf::anon_send(c, resume_atom::value);
}

}  // namespace troupe
