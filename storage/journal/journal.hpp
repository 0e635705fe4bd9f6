// The journal: the one ordered stream of writes, as RESP commands with SELECT
// where the database changes and MULTI/EXEC around the writes of one
// transaction. Commands append while they hold their shards, so the stream's
// order is the order in which writes happened, across reactors too.
//
// Many readers follow it, each with its own cursor: the AOF writer, one feed
// per attached replica, extensions. Bytes are encoded once, into shared
// immutable chunks; a reader gets spans of those chunks, never a copy made for
// it. The journal keeps what its readers have not read yet and, while a
// replica might need it, the last `backlog size` bytes (the replication
// backlog). A reader that falls further behind than its limit is dropped and
// told so (that is how a master ends a replica that stopped reading; a replica
// asking to resume from an offset the backlog no longer holds gets a full
// resync).
//
// Offsets: `end()` is a position in the stream of everything ever encoded.
// The replication offset (INFO's master_repl_offset) advances only while the
// backlog exists, as in Redis: a master that never had a replica stays at 0.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/dispatch/server_services.hpp"

namespace troupe {

class journal {
 public:
  // A block of encoded bytes. Bytes below `size` never change again, so
  // readers use them without the journal's lock.
  struct chunk {
    uint64_t start = 0;  // stream position of data[0]
    size_t capacity = 0;
    size_t size = 0;  // written under the journal's lock
    std::unique_ptr<char[]> data;
  };
  // Bytes of the stream, kept alive by `owner` while the reader uses them.
  struct span {
    std::shared_ptr<const chunk> owner;
    const char* data;
    size_t size;
  };
  using reader_id = uint64_t;

  explicit journal(size_t backlog_size = 1 << 20);
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  // -- writers (any reactor, holding the shards of the command) ---------------------
  // False while nothing follows the stream: writers then skip encoding.
  bool active() const { return active_.load(std::memory_order_relaxed); }
  // The writes of one command or one EXEC, together; more than one is wrapped
  // in MULTI/EXEC so a replica or a reload applies them atomically.
  void append_ops(const std::vector<journal_op>& ops);
  // Bytes already encoded elsewhere (a master's stream, relayed by a replica
  // to its own replicas), appended as they are; `db_after` is the database
  // they leave selected (-1 if unknown: the next write starts with SELECT).
  void append_raw(std::string_view bytes, int db_after);
  // A command for replicas only (a master's PING, REPLCONF GETACK): it takes
  // its place in the stream and the replication offset like any write, and
  // readers that ask for data only (the AOF) skip it. No SELECT precedes it.
  void append_control(const std::vector<std::string>& args);
  // The next write starts with SELECT (a new AOF file, a new replica).
  void forget_db();

  // -- positions ----------------------------------------------------------------------
  uint64_t end() const { return end_.load(std::memory_order_acquire); }
  uint64_t repl_offset() const;  // master_repl_offset
  // The replication offset just after stream position `pos` (a client's last
  // write, for WAIT); 0 for a position before the current history began.
  uint64_t repl_offset_of(uint64_t pos) const;
  uint64_t backlog_first_offset() const;  // repl_backlog_first_byte_offset (0 when none)
  uint64_t backlog_histlen() const;       // repl_backlog_histlen
  // Heap bytes held by the stream's chunks (INFO mem_replication_backlog).
  size_t memory() const;

  // -- the replication backlog ---------------------------------------------------------
  void set_backlog_size(size_t bytes);
  size_t backlog_size() const;
  bool backlog_active() const;
  // The first replica arrives: the backlog starts filling and offsets advance.
  void create_backlog();
  // repl-backlog-ttl passed without replicas: history goes, the offset stays.
  void free_backlog();
  // A replica starting a new history at `offset` (a full sync from its master):
  // the backlog empties and the replication offset becomes `offset`.
  void reset_repl_offset(uint64_t offset);

  // -- readers -------------------------------------------------------------------------
  // `notify` is called (from publish() or an append, on any thread, under the
  // journal's lock: it must only post work elsewhere) when the reader has
  // unread bytes, once until it reads them. `max_lag` (0: none) is how far
  // behind it may fall before it is dropped.
  reader_id attach_at_end(std::function<void()> notify, uint64_t max_lag = 0);
  // Follows the stream after replication offset `offset` (the bytes a replica
  // already has: PSYNC asks for offset + 1); nullopt when the backlog does
  // not hold it. Read at once: bytes already there are not notified again.
  std::optional<reader_id> attach_at(uint64_t offset, std::function<void()> notify,
                                     uint64_t max_lag = 0);
  // A new reader where `other` is now (a replica joining a full sync whose
  // stream started at another replica's cut); nullopt if `other` is gone.
  std::optional<reader_id> attach_beside(reader_id other, std::function<void()> notify,
                                         uint64_t max_lag = 0);
  void detach(reader_id id);
  // Appends spans of everything the reader has not read and moves it to the
  // end; returns the stream position it reached, or nullopt if it was dropped
  // for falling behind (it is detached then). `data_only` leaves out the
  // bytes of append_control().
  std::optional<uint64_t> read(reader_id id, std::vector<span>& out, bool data_only = false);
  // Unread bytes of a reader (0 for an unknown one).
  uint64_t lag(reader_id id) const;
  // Unread bytes of the slowest reader (0 without readers).
  uint64_t max_lag() const;
  // Once per reactor pass: notifies readers that have unread bytes.
  void publish();

 private:
  struct reader {
    uint64_t pos = 0;
    uint64_t max_lag = 0;
    bool notified = false;
    bool dropped = false;
    std::function<void()> notify;
  };

  void append_locked(std::string_view bytes);
  void encode_locked(int db, const std::vector<std::string>& args);
  void trim_locked();
  void update_active_locked();
  uint64_t repl_of(uint64_t pos) const { return pos + repl_delta_; }
  uint64_t backlog_first_pos_locked() const;
  reader_id add_reader_locked(uint64_t pos, std::function<void()> notify, uint64_t max_lag);
  void cut_control_locked(std::vector<span>& out, size_t first, uint64_t pos) const;

  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<chunk>> chunks_;
  std::atomic<uint64_t> end_{0};
  std::atomic<bool> active_{false};
  std::string scratch_;  // encoding buffer, under mutex_
  int last_db_ = -1;
  size_t backlog_size_;
  bool backlog_active_ = false;
  uint64_t backlog_start_ = 0;  // stream position where the current history began
  uint64_t repl_delta_ = 0;     // replication offset = stream position + delta
  uint64_t repl_frozen_ = 0;    // the replication offset while there is no backlog
  std::unordered_map<reader_id, reader> readers_;
  reader_id next_reader_ = 1;
  uint64_t published_ = 0;
  // [start, end) stream positions of append_control() bytes still held.
  std::deque<std::pair<uint64_t, uint64_t>> control_;
};

}  // namespace troupe
