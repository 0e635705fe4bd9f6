#include "actors/replication/replica_loader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <caf/all.hpp>

#include "actors/replication/replica_dataset.hpp"
#include "actors/runtime/messages.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/rdb/loading_progress.hpp"

namespace troupe {

replica_loader::replica_loader(caf::actor_config& cfg, std::shared_ptr<replica_load_job> job,
                               caf::actor link)
    : registered_actor(cfg), job_(std::move(job)), link_(std::move(link)) {}

caf::behavior replica_loader::make_behavior() {
  send(this, load_atom::value);
  return {
      [this](load_atom) {
        run();
        anon_send(link_, loaded_atom::value, job_->id);
        job_.reset();
        link_ = nullptr;
        quit();
      },
  };
}

void begin_load_progress(replica_load_job& job) {
  if (!job.options.progress) return;
  uint64_t total = 0;
  if (job.stream)
    total = job.stream->remaining().value_or(0);
  else if (struct stat st; stat(job.path.c_str(), &st) == 0)
    total = uint64_t(st.st_size);
  job.options.progress->begin("RDB", total, wall_clock_ms());
}

void replica_loader::run() {
  replica_load_job& job = *job_;
  auto on_aux = [&job](std::string_view key, std::string_view value) {
    if (key == "repl-stream-db")
      if (auto v = parse_int64(value); v && *v >= 0 && *v < job.staged->databases())
        job.stream_db = int(*v);
  };
  rdb_load_result r;
  if (job.stream) {
    r = load_rdb_into(*job.stream, job.options, *job.staged, on_aux, &job.functions);
    // The payload must end where the RDB does: wait for its end and check.
    if (r.ok) {
      char extra;
      if (!r.leftover.empty() || job.stream->read(&extra, 1) != 0) {
        r.ok = false;
        r.error = "the payload goes on after the end of the RDB";
      } else if (!job.stream->error().empty()) {
        r.ok = false;
        r.error = job.stream->error();
      }
    }
  } else {
    rdb_file_source src(job.path);
    if (!src.ok()) {
      r.error = src.error();
    } else {
      r = load_rdb_into(src, job.options, *job.staged, on_aux, &job.functions);
      if (r.ok && !r.leftover.empty()) {
        r.ok = false;
        r.error = "the file goes on after the end of the RDB";
      }
    }
    // A good file becomes the replica's dbfilename, as Redis's does; a bad
    // one goes.
    bool kept = false;
    if (r.ok && !job.rename_to.empty()) {
      kept = rename(job.path.c_str(), job.rename_to.c_str()) == 0;
      if (!kept)
        r.warnings.push_back("Failed trying to rename the temp DB into " + job.rename_to + ": " +
                             strerror(errno));
    }
    if (!kept) unlink(job.path.c_str());
  }
  if (job.options.progress) job.options.progress->end();
  job.ok = r.ok;
  job.keys = r.keys;
  job.expired_skipped = r.expired_skipped;
  job.warnings = std::move(r.warnings);
  if (!r.ok) {
    job.error = r.error + " (at offset " + std::to_string(r.error_offset) +
                (r.error_key.empty() ? "" : ", key '" + r.error_key + "'") + ")";
    // What was built is freed here, not on a reactor.
    job.staged.reset();
  }
}

}  // namespace troupe
