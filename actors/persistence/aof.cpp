#include "actors/persistence/aof.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "actors/client/command_replayer.hpp"
#include "actors/persistence/persistence.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"
#include "storage/aof/aof_reader.hpp"

namespace troupe {
namespace {
int64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? int64_t(st.st_size) : 0;
}
bool read_text(const std::string& path, std::string& out) {
  std::ifstream f(path);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}
}  // namespace

aof_manager::open_file::~open_file() {
  if (fd >= 0) ::close(fd);
}

aof_manager::aof_manager(server& srv) : srv_(srv) {}
aof_manager::~aof_manager() = default;

std::string aof_manager::directory() const {
  return srv_.config().appenddirname.str();
}
std::string aof_manager::prefix() const {
  return srv_.config().appendfilename.str();
}

std::optional<std::string> aof_manager::load(dispatcher* via) {
  if (via == nullptr) via = &srv_.dispatcher_of(0);
  std::string dir = directory();
  std::string text;
  if (!read_text(dir + "/" + aof_manifest::manifest_name(prefix()), text)) return std::nullopt;
  std::string err;
  auto m = aof_manifest::parse(text, err);
  if (!m) return err;
  const aof_manifest::file* base = m->base();
  auto incrs = m->incrs();
  int64_t total = 0;
  auto start = std::chrono::steady_clock::now();
  // Progress over every file of the manifest (INFO loading_*, the log).
  uint64_t all_bytes = 0;
  if (base != nullptr)
    all_bytes += uint64_t(std::max<int64_t>(0, file_size(dir + "/" + base->name)));
  for (auto* incr : incrs)
    all_bytes += uint64_t(std::max<int64_t>(0, file_size(dir + "/" + incr->name)));
  loading_progress& progress = srv_.snapshots().loading();
  progress.begin("AOF", all_bytes, wall_clock_ms());
  struct end_progress {
    loading_progress& p;
    ~end_progress() { p.end(); }
  } ending{progress};
  if (base != nullptr) {
    std::string path = dir + "/" + base->name;
    FILE* f = fopen(path.c_str(), "rb");
    if (f == nullptr)
      return "Can't open the append-only file " + base->name + ": " + strerror(errno);
    char magic[5] = {};
    size_t got = fread(magic, 1, 5, f);
    fclose(f);
    if (got == 5 && memcmp(magic, "REDIS", 5) == 0) {
      if (auto e = srv_.load_rdb_file(path))
        return "Loading the AOF base " + base->name + ": " + *e;
    } else {
      bool truncated = false;
      if (auto e = replay_file(*via, path, incrs.empty(), truncated, 0)) return e;
    }
    total += file_size(path);
    base_size_ = file_size(path);
  }
  for (size_t i = 0; i < incrs.size(); ++i) {
    std::string path = dir + "/" + incrs[i]->name;
    bool truncated = false;
    if (auto e = replay_file(*via, path, i + 1 == incrs.size(), truncated, uint64_t(total)))
      return e;
    total += file_size(path);
  }
  manifest_ = *m;
  current_size_ = total;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log_notice("DB loaded from append only file: {:.3f} seconds", secs);
  return std::nullopt;
}

std::optional<std::string> aof_manager::replay_file(dispatcher& via, const std::string& path,
                                                    bool last, bool& truncated,
                                                    uint64_t progress_base) {
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT && last) return std::nullopt;  // created lazily; nothing written yet
    return "Can't open the append-only file " + path + ": " + strerror(errno);
  }
  setvbuf(f, nullptr, _IOFBF, 1 << 20);
  command_replayer replayer(via);
  aof_reader reader(f, 0);
  std::vector<std::string> args;
  int64_t before_multi = 0;
  std::string name = path.substr(path.rfind('/') + 1);
  loading_progress& progress = srv_.snapshots().loading();
  uint64_t commands = 0;
  for (;;) {
    auto r = reader.next(args);
    if (r == aof_reader::result::command) {
      if (++commands % 1024 == 0)
        if (auto line = progress.advance(progress_base + uint64_t(reader.valid_offset()), commands,
                                         wall_clock_ms()))
          log_notice("{}", *line);
      if (!replayer.in_transaction()) before_multi = reader.valid_offset();
      std::string err;
      if (!replayer.apply(args, err)) {
        fclose(f);
        return err + " reading the append only file " + name;
      }
      if (!replayer.in_transaction()) before_multi = reader.valid_offset();
      continue;
    }
    if (r == aof_reader::result::end && !replayer.in_transaction()) break;
    if (r == aof_reader::result::corrupt) {
      fclose(f);
      return "Bad file format reading the append only file " + name + " (" + reader.error() +
             "): make a backup of your AOF file, then use ./troupe-check-aof --fix <filename>";
    }
    // Truncated command, or a transaction that never reached EXEC.
    int64_t keep = replayer.in_transaction() ? before_multi : reader.valid_offset();
    fclose(f);
    if (!last || !srv_.config().aof_load_truncated.get()) {
      return "Unexpected end of file reading the append only file " + name +
             ". You can: 1) Make a backup of your AOF file, then use ./troupe-check-aof --fix "
             "<filename>. 2) Alternatively you can set the 'aof-load-truncated' configuration "
             "option to yes and restart the server.";
    }
    log_warning("!!! Warning: short read while loading the AOF file {}!!!", name);
    log_warning("!!! Truncating the AOF {} at offset {} !!!", name, keep);
    if (truncate(path.c_str(), keep) != 0)
      return "Error truncating the AOF file " + name + ": " + strerror(errno);
    log_warning("AOF {} loaded anyway because aof-load-truncated is enabled", name);
    truncated = true;
    return std::nullopt;
  }
  fclose(f);
  return std::nullopt;
}

std::optional<std::string> aof_manager::open() {
  std::lock_guard<std::mutex> g(mutex_);
  return open_locked();
}

std::optional<std::string> aof_manager::open_locked() {
  std::string dir = directory();
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return "Can't create the AOF directory " + dir + ": " + strerror(errno);
  std::string mpath = dir + "/" + aof_manifest::manifest_name(prefix());
  if (manifest_.files.empty()) {
    std::string text, err;
    if (read_text(mpath, text)) {
      auto m = aof_manifest::parse(text, err);
      if (!m) return err;
      manifest_ = *m;
    }
  }
  if (manifest_.incrs().empty()) {
    manifest_.files.push_back({aof_manifest::incr_name(prefix(), manifest_.next_incr_seq()),
                               manifest_.next_incr_seq(), 'i'});
    std::string err;
    if (!write_file_atomically(mpath, manifest_.to_string(), err))
      return "Can't write the AOF manifest: " + err;
  }
  std::string incr = dir + "/" + manifest_.incrs().back()->name;
  auto f = std::make_shared<open_file>();
  f->fd = ::open(incr.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (f->fd < 0) return "Can't open the append-only file " + incr + ": " + strerror(errno);
  file_ = f;
  fsync_dir(dir);
  start_following_locked();
  log_notice("Appending to {}", incr);
  return std::nullopt;
}

void aof_manager::start_following_locked() {
  journal& j = srv_.journal_log();
  if (reader_) j.detach(*reader_);
  // The AOF never falls behind (it writes every pass), so it has no lag limit.
  reader_ = j.attach_at_end(nullptr);
  j.forget_db();
  written_ = j.end();  // anything before the file opened is not ours
  synced_ = written_.load();
  enabled_ = true;
}

void aof_manager::close() {
  std::lock_guard<std::mutex> g(mutex_);
  enabled_ = false;
  if (reader_) srv_.journal_log().detach(*reader_);
  reader_.reset();
  if (file_ && file_->fd >= 0) fdatasync(file_->fd);
  file_.reset();
}

bool aof_manager::write_pending_locked() {
  spans_.clear();
  // Replicas-only commands (PING, GETACK) never reach the file, as in Redis.
  auto upto = srv_.journal_log().read(*reader_, spans_, true);
  bool ok = true;
  for (auto& s : spans_)
    if (ok) ok = write_all(s.data, s.size);
  spans_.clear();  // lets the journal free what everyone has read
  if (ok && upto) written_ = *upto;
  return ok;
}

bool aof_manager::write_all(const char* data, size_t size) {
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(file_->fd, data + off, size - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (write_ok_.exchange(false))
        log_warning("Error writing to the AOF file: {}", strerror(errno));
      return false;
    }
    off += size_t(n);
  }
  if (!write_ok_.exchange(true)) log_warning("AOF write error looks solved. Can write again.");
  current_size_.fetch_add(int64_t(size));
  return true;
}

void aof_manager::flush_pass() {
  if (!enabled()) return;
  // Nothing new since the last write (the common case for a read-only pass).
  // Under appendfsync always, since the last fsync: another reactor may have
  // written this pass's commands and be in its fdatasync, and the replies
  // must wait for it (the lock below does).
  bool always = policy_.load(std::memory_order_relaxed) == fsync_policy::always;
  uint64_t done = always ? synced_.load() : written_.load(std::memory_order_relaxed);
  if (srv_.journal_log().end() == done) return;
  std::lock_guard<std::mutex> g(mutex_);
  if (!file_ || !reader_) return;
  if (!write_pending_locked()) return;
  if (always && synced_.load(std::memory_order_relaxed) < written_.load()) {
    fdatasync(file_->fd);
    synced_.store(written_.load());
  }
}

void aof_manager::fsync_tick() {
  if (!enabled() || policy_.load() != fsync_policy::everysec) return;
  std::shared_ptr<open_file> f;
  uint64_t upto;
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (!file_ || synced_.load() >= written_.load()) return;
    f = file_;
    upto = written_;
  }
  // Outside the lock: reactors keep writing while the disk catches up.
  fdatasync(f->fd);
  synced_.store(upto);
}

std::optional<std::string> aof_manager::rotate_for_rewrite(bool rdb_base) {
  std::lock_guard<std::mutex> g(mutex_);
  std::string dir = directory();
  if (!file_) {
    // Turning the AOF on: the rewrite's base will hold everything before the cut.
    manifest_ = aof_manifest{};
    std::string text, err;
    if (read_text(dir + "/" + aof_manifest::manifest_name(prefix()), text))
      if (auto m = aof_manifest::parse(text, err)) manifest_ = *m;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return std::nullopt;
  } else {
    if (reader_) write_pending_locked();
    fdatasync(file_->fd);
    synced_ = written_.load();
  }
  int64_t seq = manifest_.next_incr_seq();
  std::string incr = aof_manifest::incr_name(prefix(), seq);
  auto f = std::make_shared<open_file>();
  f->fd = ::open((dir + "/" + incr).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (f->fd < 0) {
    log_warning("Can't open the append-only file {}: {}", incr, strerror(errno));
    return std::nullopt;
  }
  manifest_.files.push_back({incr, seq, 'i'});
  std::string err;
  if (!write_file_atomically(dir + "/" + aof_manifest::manifest_name(prefix()),
                             manifest_.to_string(), err)) {
    manifest_.files.pop_back();
    log_warning("Can't write the AOF manifest: {}", err);
    return std::nullopt;
  }
  file_ = f;
  start_following_locked();
  return aof_manifest::base_name(prefix(), manifest_.next_base_seq(), rdb_base);
}

void aof_manager::finish_rewrite(const std::string& base_name, bool ok) {
  std::lock_guard<std::mutex> g(mutex_);
  if (!ok || manifest_.incrs().empty()) return;
  std::string dir = directory();
  aof_manifest next;
  std::vector<std::string> obsolete;
  aof_manifest::file newest_copy = *manifest_.incrs().back();
  const aof_manifest::file* newest = &newest_copy;
  int64_t base_seq = manifest_.next_base_seq();
  next.files.push_back({base_name, base_seq, 'b'});
  next.files.push_back(*newest);
  for (auto& f : manifest_.files)
    if (f.name != newest->name) obsolete.push_back(f.name);
  std::string err;
  if (!write_file_atomically(dir + "/" + aof_manifest::manifest_name(prefix()), next.to_string(),
                             err)) {
    log_warning("Can't write the AOF manifest after a rewrite: {}", err);
    return;
  }
  manifest_ = next;
  for (auto& name : obsolete) unlink((dir + "/" + name).c_str());
  base_size_ = file_size(dir + "/" + base_name);
  current_size_ = base_size_.load() + file_size(dir + "/" + newest->name);
}

std::string aof_manager::info_fields() const {
  std::string out;
  auto field = [&](const char* k, const std::string& v) {
    out += std::string(k) + ":" + v + "\r\n";
  };
  field("aof_last_write_status", write_ok_ ? "ok" : "err");
  if (enabled()) {
    field("aof_current_size", std::to_string(current_size_.load()));
    field("aof_base_size", std::to_string(base_size_.load()));
    field("aof_pending_rewrite", "0");
    field("aof_buffer_length", "0");
    field("aof_pending_bio_fsync", "0");
    field("aof_delayed_fsync", std::to_string(delayed_fsyncs_.get()));
  }
  return out;
}

}  // namespace troupe
