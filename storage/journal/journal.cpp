#include "storage/journal/journal.hpp"

#include <algorithm>
#include <cstring>

#include "protocol/resp/resp_value.hpp"

namespace troupe {
namespace {
constexpr size_t chunk_bytes = 64 * 1024;
}

journal::journal(size_t backlog_size) : backlog_size_(backlog_size) {}

// -- writers -------------------------------------------------------------------------

void journal::append_locked(std::string_view bytes) {
  while (!bytes.empty()) {
    chunk* tail = chunks_.empty() ? nullptr : chunks_.back().get();
    if (tail == nullptr || tail->size == tail->capacity) {
      auto c = std::make_shared<chunk>();
      c->start = end_.load(std::memory_order_relaxed);
      c->capacity = std::max(chunk_bytes, bytes.size());
      c->data.reset(new char[c->capacity]);
      chunks_.push_back(std::move(c));
      tail = chunks_.back().get();
    }
    size_t n = std::min(bytes.size(), tail->capacity - tail->size);
    memcpy(tail->data.get() + tail->size, bytes.data(), n);
    tail->size += n;
    bytes.remove_prefix(n);
    end_.fetch_add(n, std::memory_order_release);
  }
}

void journal::encode_locked(int db, const std::vector<std::string>& args) {
  if (db >= 0 && db != last_db_) {
    std::string n = std::to_string(db);
    append_command(scratch_, {"SELECT", n});
    last_db_ = db;
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  append_command(scratch_, views);
}

void journal::append_ops(const std::vector<journal_op>& ops) {
  if (!active() || ops.empty()) return;
  std::lock_guard<std::mutex> g(mutex_);
  scratch_.clear();
  if (ops.size() > 1) {
    // MULTI goes into the first command's database, like the commands after it.
    encode_locked(ops[0].first, {"MULTI"});
    for (auto& [db, args] : ops) encode_locked(db, args);
    encode_locked(-1, {"EXEC"});
  } else {
    encode_locked(ops[0].first, ops[0].second);
  }
  append_locked(scratch_);
  trim_locked();
}

void journal::append_raw(std::string_view bytes, int db_after) {
  if (!active() || bytes.empty()) return;
  std::lock_guard<std::mutex> g(mutex_);
  append_locked(bytes);
  last_db_ = db_after;
  trim_locked();
}

void journal::append_control(const std::vector<std::string>& args) {
  if (!active()) return;
  std::lock_guard<std::mutex> g(mutex_);
  scratch_.clear();
  encode_locked(-1, args);
  uint64_t start = end_.load(std::memory_order_relaxed);
  append_locked(scratch_);
  control_.emplace_back(start, end_.load(std::memory_order_relaxed));
  trim_locked();
}

void journal::forget_db() {
  std::lock_guard<std::mutex> g(mutex_);
  last_db_ = -1;
}

// -- retention -----------------------------------------------------------------------

uint64_t journal::backlog_first_pos_locked() const {
  uint64_t e = end_.load(std::memory_order_relaxed);
  uint64_t first = std::max(backlog_start_, e > backlog_size_ ? e - backlog_size_ : 0);
  if (!chunks_.empty()) first = std::max(first, chunks_.front()->start);
  return std::min(first, e);
}

void journal::trim_locked() {
  uint64_t e = end_.load(std::memory_order_relaxed);
  uint64_t keep = backlog_active_ ? backlog_first_pos_locked() : e;
  for (auto& [id, r] : readers_) {
    if (r.dropped) continue;
    if (r.max_lag != 0 && e - r.pos > r.max_lag) {
      // Too far behind: it stops holding the stream and learns so when it reads.
      r.dropped = true;
      if (!r.notified && r.notify) {
        r.notified = true;
        r.notify();
      }
      continue;
    }
    keep = std::min(keep, r.pos);
  }
  while (!chunks_.empty() && chunks_.front()->start + chunks_.front()->size <= keep &&
         chunks_.front().get() != chunks_.back().get())
    chunks_.pop_front();
  uint64_t held = chunks_.empty() ? e : chunks_.front()->start;
  while (!control_.empty() && control_.front().second <= held) control_.pop_front();
  // An empty stream keeps no block at all.
  if (chunks_.size() == 1 && keep == e && chunks_.front()->start + chunks_.front()->size == e &&
      !backlog_active_ && readers_.empty())
    chunks_.clear();
}

void journal::update_active_locked() {
  active_.store(backlog_active_ || !readers_.empty(), std::memory_order_relaxed);
}

// -- positions -----------------------------------------------------------------------

uint64_t journal::repl_offset() const {
  std::lock_guard<std::mutex> g(mutex_);
  return backlog_active_ ? repl_of(end_.load(std::memory_order_relaxed)) : repl_frozen_;
}

uint64_t journal::repl_offset_of(uint64_t pos) const {
  std::lock_guard<std::mutex> g(mutex_);
  if (!backlog_active_ || pos <= backlog_start_) return 0;
  return repl_of(pos);
}

uint64_t journal::backlog_first_offset() const {
  std::lock_guard<std::mutex> g(mutex_);
  // Redis counts the first byte the backlog holds from 1.
  return backlog_active_ ? repl_of(backlog_first_pos_locked()) + 1 : 0;
}

uint64_t journal::backlog_histlen() const {
  std::lock_guard<std::mutex> g(mutex_);
  return backlog_active_ ? end_.load(std::memory_order_relaxed) - backlog_first_pos_locked() : 0;
}

size_t journal::memory() const {
  std::lock_guard<std::mutex> g(mutex_);
  size_t n = 0;
  for (auto& c : chunks_) n += c->capacity + sizeof(chunk);
  return n;
}

// -- backlog -------------------------------------------------------------------------

void journal::set_backlog_size(size_t bytes) {
  std::lock_guard<std::mutex> g(mutex_);
  backlog_size_ = bytes;
  trim_locked();
}

size_t journal::backlog_size() const {
  std::lock_guard<std::mutex> g(mutex_);
  return backlog_size_;
}

bool journal::backlog_active() const {
  std::lock_guard<std::mutex> g(mutex_);
  return backlog_active_;
}

void journal::create_backlog() {
  std::lock_guard<std::mutex> g(mutex_);
  if (backlog_active_) return;
  uint64_t e = end_.load(std::memory_order_relaxed);
  backlog_active_ = true;
  backlog_start_ = e;
  repl_delta_ = repl_frozen_ - e;  // unsigned wrap-around is intended: offsets go on
  update_active_locked();
}

void journal::free_backlog() {
  std::lock_guard<std::mutex> g(mutex_);
  if (!backlog_active_) return;
  repl_frozen_ = repl_of(end_.load(std::memory_order_relaxed));
  backlog_active_ = false;
  trim_locked();
  update_active_locked();
}

void journal::reset_repl_offset(uint64_t offset) {
  std::lock_guard<std::mutex> g(mutex_);
  uint64_t e = end_.load(std::memory_order_relaxed);
  repl_frozen_ = offset;
  repl_delta_ = offset - e;
  backlog_start_ = e;
  last_db_ = -1;
  trim_locked();
}

// -- readers -------------------------------------------------------------------------

journal::reader_id journal::add_reader_locked(uint64_t pos, std::function<void()> notify,
                                              uint64_t max_lag) {
  reader_id id = next_reader_++;
  reader& r = readers_[id];
  r.pos = pos;
  published_ = 0;  // the next publish() looks at every reader again
  r.max_lag = max_lag;
  r.notify = std::move(notify);
  update_active_locked();
  return id;
}

journal::reader_id journal::attach_at_end(std::function<void()> notify, uint64_t max_lag) {
  std::lock_guard<std::mutex> g(mutex_);
  return add_reader_locked(end_.load(std::memory_order_relaxed), std::move(notify), max_lag);
}

std::optional<journal::reader_id> journal::attach_at(uint64_t offset, std::function<void()> notify,
                                                     uint64_t max_lag) {
  std::lock_guard<std::mutex> g(mutex_);
  if (!backlog_active_) return std::nullopt;
  uint64_t first = repl_of(backlog_first_pos_locked());
  uint64_t last = repl_of(end_.load(std::memory_order_relaxed));
  if (offset < first || offset > last) return std::nullopt;
  return add_reader_locked(offset - repl_delta_, std::move(notify), max_lag);
}

std::optional<journal::reader_id> journal::attach_beside(reader_id other,
                                                         std::function<void()> notify,
                                                         uint64_t max_lag) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = readers_.find(other);
  if (it == readers_.end() || it->second.dropped) return std::nullopt;
  return add_reader_locked(it->second.pos, std::move(notify), max_lag);
}

void journal::detach(reader_id id) {
  std::lock_guard<std::mutex> g(mutex_);
  readers_.erase(id);
  trim_locked();
  update_active_locked();
}

std::optional<uint64_t> journal::read(reader_id id, std::vector<span>& out, bool data_only) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = readers_.find(id);
  if (it == readers_.end()) return std::nullopt;
  reader& r = it->second;
  if (r.dropped) {
    readers_.erase(it);
    trim_locked();
    update_active_locked();
    return std::nullopt;
  }
  uint64_t e = end_.load(std::memory_order_relaxed);
  // Chunks are ordered and contiguous: find the first one holding r.pos.
  auto c = std::upper_bound(
      chunks_.begin(), chunks_.end(), r.pos,
      [](uint64_t pos, const std::shared_ptr<chunk>& ch) { return pos < ch->start; });
  if (c != chunks_.begin()) --c;
  size_t first_new = out.size();
  uint64_t from_pos = r.pos;
  for (; c != chunks_.end() && r.pos < e; ++c) {
    const chunk& ch = **c;
    if (ch.start + ch.size <= r.pos) continue;
    size_t from = size_t(r.pos - ch.start);
    out.push_back({*c, ch.data.get() + from, ch.size - from});
    r.pos = ch.start + ch.size;
  }
  if (data_only && !control_.empty() && control_.back().second > from_pos)
    cut_control_locked(out, first_new, from_pos);
  r.notified = false;
  trim_locked();
  return r.pos;
}

// Removes the bytes of control commands from spans out[first...], which cover
// the stream from `pos` on, contiguously.
void journal::cut_control_locked(std::vector<span>& out, size_t first, uint64_t pos) const {
  std::vector<span> kept(out.begin(), out.begin() + long(first));
  auto ctl = control_.begin();
  for (size_t i = first; i < out.size(); ++i) {
    span s = out[i];
    uint64_t start = pos, end = pos + s.size;
    pos = end;
    while (start < end) {
      while (ctl != control_.end() && ctl->second <= start) ++ctl;
      if (ctl == control_.end() || ctl->first >= end) {
        kept.push_back({s.owner, s.data + (start - (end - s.size)), size_t(end - start)});
        break;
      }
      if (ctl->first > start)
        kept.push_back({s.owner, s.data + (start - (end - s.size)), size_t(ctl->first - start)});
      start = std::min(end, ctl->second);
    }
  }
  out.swap(kept);
}

uint64_t journal::max_lag() const {
  std::lock_guard<std::mutex> g(mutex_);
  uint64_t e = end_.load(std::memory_order_relaxed), most = 0;
  for (auto& [id, r] : readers_)
    if (!r.dropped) most = std::max(most, e - r.pos);
  return most;
}

uint64_t journal::lag(reader_id id) const {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = readers_.find(id);
  return it == readers_.end() ? 0 : end_.load(std::memory_order_relaxed) - it->second.pos;
}

void journal::publish() {
  uint64_t e = end_.load(std::memory_order_acquire);
  std::vector<std::function<void()>*> due;
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (e == published_) return;
    published_ = e;
    for (auto& [id, r] : readers_)
      if (!r.notified && r.pos < e && r.notify) {
        r.notified = true;
        due.push_back(&r.notify);
      }
    // Called under the lock: a notify only posts work elsewhere, and a reader
    // cannot detach (and free its function) meanwhile.
    for (auto* f : due) (*f)();
  }
}

}  // namespace troupe
