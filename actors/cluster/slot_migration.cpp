#include "actors/cluster/slot_migration.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>

#include "actors/cluster/cluster_control.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/reactor.hpp"
#include "actors/server/client_pause.hpp"
#include "actors/server/server.hpp"
#include "actors/server/slot_keys.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/resp/resp_client.hpp"
#include "storage/journal/journal.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/keyspace/slot_index.hpp"
#include "storage/keyspace/snapshot_chunker.hpp"
#include "storage/types/kv_entry.hpp"
#include "topology/cluster/slot_stream_filter.hpp"

namespace troupe {
namespace {

// A batch goes to the target once this much is queued.
constexpr size_t batch_bytes = 1 << 20;
// The stream is caught up when less than this is left to read.
constexpr uint64_t caught_up_bytes = 256 * 1024;
// Catching up ends after this long even under a write rate that keeps the
// stream ahead; the hand-over then holds writes a little longer.
constexpr int64_t catch_up_limit_ms = 10000;
// How long the hand-over may hold writes before the pause lapses by itself
// (should this thread die).
constexpr int64_t pause_safety_ms = 10000;
// A reader this far behind is dropped by the journal: the migration fails.
constexpr uint64_t max_stream_lag = 512ull << 20;

struct failure {
  std::string why;
};

// Wakes the migration when the journal has bytes for it.
struct stream_signal {
  std::mutex m;
  std::condition_variable cv;
  bool ready = false;

  void notify() {
    {
      std::lock_guard<std::mutex> g(m);
      ready = true;
    }
    cv.notify_one();
  }
  void wait(int ms) {
    std::unique_lock<std::mutex> g(m);
    cv.wait_for(g, std::chrono::milliseconds(ms), [&] { return ready; });
    ready = false;
  }
};

// The keys of one slot, copied on its reactor.
struct slot_copy {
  std::string commands;
  uint64_t cut = 0;
  uint64_t keys = 0;
};

class migration_run {
 public:
  migration_run(server& srv, cluster_control& ctl, slot_migration& m)
      : srv_(srv), ctl_(ctl), m_(m), journal_(srv.journal_log()) {}

  ~migration_run() {
    m_.fd.store(-1);
    if (reader_) journal_.detach(*reader_);
    if (paused_) srv_.pauses().unpause(pause_purpose::slot_migration);
  }

  void run() {
    connect();
    m_.set_state("snapshot");
    signal_ = std::make_shared<stream_signal>();
    std::shared_ptr<stream_signal> sig = signal_;
    reader_ = journal_.attach_at_end([sig] { sig->notify(); }, max_stream_lag);
    // Where the reader stands: what it reads first is older than every cut,
    // and in the copies.
    std::vector<journal::span> spans;
    auto pos = journal_.read(*reader_, spans);
    if (!pos) throw failure{"the journal dropped the migration's reader"};
    filter_ = std::make_unique<cluster::slot_stream_filter>(command_table::instance(), *pos);
    for (int slot : m_.slots) {
      check_cancel();
      slot_copy c = copy_slot(uint16_t(slot));
      filter_->copied(uint16_t(slot), c.cut);
      if (out_.empty())
        out_ = std::move(c.commands);  // a big slot is not copied twice
      else
        out_ += c.commands;
      {
        std::lock_guard<std::mutex> g(m_.mutex);
        m_.keys += c.keys;
      }
      if (out_.size() >= batch_bytes) {
        read_stream();
        send_batch();
      }
    }
    log_verbose("Slot migration {}: slots copied ({} keys)", m_.name, m_.keys);
    m_.set_state("streaming");
    int64_t until = wall_clock_ms() + catch_up_limit_ms;
    for (;;) {
      check_cancel();
      read_stream();
      size_t sent = out_.size();
      send_batch();
      if ((sent < caught_up_bytes && journal_.lag(*reader_) < caught_up_bytes) ||
          wall_clock_ms() > until)
        break;
      signal_->wait(20);
    }
    hand_over();
  }

 private:
  void check_cancel() {
    if (m_.cancel.load()) throw failure{"cancelled"};
  }

  void connect() {
    target_.set_timeout(30000);
    if (!target_.connect(m_.target_host, m_.target_port, 5000))
      throw failure{"can't connect to " + m_.target_host + ":" + std::to_string(m_.target_port) +
                    ": " + target_.error()};
    m_.fd.store(target_.fd());
    if (m_.cancel.load()) throw failure{"cancelled"};
    std::string pass = srv_.config().masterauth.str();
    if (!pass.empty()) {
      std::string user = srv_.config().masteruser.str();
      resp_value r =
          user.empty() ? target_.call({"AUTH", pass}) : target_.call({"AUTH", user, pass});
      if (r.is_error()) throw failure{"AUTH: " + r.str};
    }
    std::vector<std::string> est = {"CLUSTER", "SYNCSLOTS", "ESTABLISH", m_.source_id};
    for (auto [a, b] : m_.ranges) {
      est.push_back(std::to_string(a));
      est.push_back(std::to_string(b));
    }
    resp_value r = target_.call(est);
    if (r.is_error()) throw failure{"the target refused: " + r.str};
  }

  // Runs f on reactor `i` and waits for it (the server may be stopping: the
  // wait gives up on cancel).
  template <class T, class F>
  T on_reactor(int i, F&& f) {
    auto p = std::make_shared<std::promise<T>>();
    std::future<T> fut = p->get_future();
    srv_.reactor_at(i).post([p, f = std::forward<F>(f)]() mutable { p->set_value(f()); });
    while (fut.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready)
      check_cancel();
    return fut.get();
  }

  slot_copy copy_slot(uint16_t slot) {
    keyspace& ks = srv_.keys();
    int reactor = ks.shard_of_slot(slot) % srv_.reactor_count();
    journal* j = &journal_;
    return on_reactor<slot_copy>(reactor, [&ks, slot, j] {
      slot_copy c;
      shard_store& s = ks.shard(ks.shard_of_slot(slot));
      std::unique_lock<std::mutex> lock(s.lock(), std::defer_lock);
      if (ks.concurrent()) lock.lock();
      // Every write to the slot so far is before this position, every later
      // one after it: both happen on this reactor, holding this shard.
      c.cut = j->end();
      const slot_index* index = s.db(0).slots();
      if (index == nullptr) return c;
      int64_t now = wall_clock_ms();
      index->visit(slot, SIZE_MAX, [&](kv_entry* e) {
        if (e->has_expire() && e->expire_at() <= now) return;  // its DEL follows in the stream
        append_entry_commands(c.commands, e);
        ++c.keys;
      });
      return c;
    });
  }

  // Appends the stream's new writes to the copied slots to out_.
  void read_stream() {
    std::vector<journal::span> spans;
    if (!journal_.read(*reader_, spans))
      throw failure{"the write stream fell more than " + std::to_string(max_stream_lag >> 20) +
                    " MB behind"};
    size_t forwarded = 0;
    for (const journal::span& s : spans)
      if (auto err = filter_->feed(std::string_view(s.data, s.size), out_, forwarded))
        throw failure{*err};
    std::lock_guard<std::mutex> g(m_.mutex);
    m_.stream_commands += forwarded;
  }

  // Sends what is queued, then a PING, and reads the replies up to its PONG:
  // any error among them ends the migration.
  void send_batch() {
    if (out_.empty()) return;
    size_t n = out_.size();
    out_ += "*1\r\n$4\r\nPING\r\n";
    send_all(out_);
    out_.clear();
    for (;;) {
      resp_value r = target_.read_reply();
      if (r.is_error()) throw failure{"the target answered: " + r.str};
      if (r.type == resp_value::kind::simple && r.str == "PONG") break;
    }
    std::lock_guard<std::mutex> g(m_.mutex);
    m_.bytes += n;
  }

  // Straight from out_ (resp_client's send_raw would copy it first).
  void send_all(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(target_.fd(), data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw failure{std::string("sending to the target: ") + strerror(errno)};
      off += size_t(n);
    }
  }

  // Writes stop for a moment; the last of the stream goes; the target takes
  // the slots; this node gives them up and lets the writes go on.
  void hand_over() {
    // The write pause has one holder per purpose: hand-overs take turns.
    static std::mutex turns;
    std::lock_guard<std::mutex> turn(turns);
    log_verbose("Slot migration {}: stream caught up, handing over", m_.name);
    m_.set_state("handover");
    srv_.pauses().pause(pause_purpose::slot_migration, pause_kind::write,
                        wall_clock_ms() + pause_safety_ms);
    paused_ = true;
    // A write that passed the pause check before it took effect has finished
    // once each reactor has run this.
    for (int i = 0; i < srv_.reactor_count(); ++i) on_reactor<bool>(i, [] { return true; });
    read_stream();
    send_batch();
    resp_value r = target_.call({"CLUSTER", "SYNCSLOTS", "FINISH"});
    if (r.is_error()) {
      // No answer leaves it open whether the target took the slots; if it
      // did, its newer epoch wins and gossip takes the slots from this node.
      throw failure{"the target did not take the slots: " + r.str};
    }
    journal_.detach(*reader_);
    reader_.reset();
    ctl_.command(
        [&](cluster::cluster_state& st) { return st.give_migrated_slots(m_.slots, m_.target_id); });
    for (int slot : m_.slots) delete_keys_in_slot(srv_, slot);
    srv_.pauses().unpause(pause_purpose::slot_migration);
    paused_ = false;
  }

  server& srv_;
  cluster_control& ctl_;
  slot_migration& m_;
  journal& journal_;
  resp_client target_;
  std::optional<journal::reader_id> reader_;
  std::shared_ptr<stream_signal> signal_;
  std::unique_ptr<cluster::slot_stream_filter> filter_;
  std::string out_;
  bool paused_ = false;
};

}  // namespace

void cancel_slot_migration(slot_migration& m) {
  m.cancel.store(true);
  int fd = m.fd.load();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

void run_slot_migration(server& srv, cluster_control& ctl, slot_migration& m) {
  auto started = std::chrono::steady_clock::now();
  std::string outcome;
  try {
    migration_run(srv, ctl, m).run();
  } catch (const failure& f) {
    outcome = m.cancel.load() ? "cancelled" : f.why;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  std::lock_guard<std::mutex> g(m.mutex);
  m.ended_ms = wall_clock_ms();
  if (outcome.empty()) {
    m.state = "success";
    log_notice("Slot migration {} to {}: {} slots, {} keys, {} stream writes, done in {} ms",
               m.name, m.target_id, m.slots.size(), m.keys, m.stream_commands, ms);
  } else {
    m.state = "failed";
    m.message = outcome;
    log_warning("Slot migration {} to {} failed: {}", m.name, m.target_id, outcome);
  }
}

}  // namespace troupe
