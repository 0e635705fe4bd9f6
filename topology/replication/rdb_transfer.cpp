#include "topology/replication/rdb_transfer.hpp"

#include <algorithm>
#include <cstring>

namespace troupe {
namespace {
constexpr size_t mark_size = 40;
constexpr size_t max_header = 256;
}  // namespace

rdb_transfer::result rdb_transfer::fail(std::string why) {
  phase_ = phase::error;
  error_ = std::move(why);
  result r;
  r.st = status::error;
  return r;
}

rdb_transfer::result rdb_transfer::feed(const char* data, size_t len) {
  result r;
  std::string_view in(data, len);
  if (phase_ == phase::error) return fail(error_);
  if (phase_ == phase::done) {
    r.st = status::done;
    r.rest = in;
    return r;
  }
  if (phase_ == phase::header) {
    // Keep-alive newlines come before the header.
    while (header_.empty() && !in.empty() && in.front() == '\n') in.remove_prefix(1);
    size_t nl = in.find('\n');
    if (nl == std::string_view::npos) {
      header_.append(in);
      if (header_.size() > max_header) return fail("Bad protocol from MASTER: header too long");
      return r;
    }
    header_.append(in.substr(0, nl + 1));
    in.remove_prefix(nl + 1);
    std::string line = header_;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (line.empty() || line[0] != '$')
      return fail("Bad protocol from MASTER, the first byte is not '$' (we received '" + line +
                  "'), are you sure the host and port are right?");
    if (line.compare(1, 4, "EOF:") == 0) {
      if (line.size() != 5 + mark_size) return fail("Bad EOF mark from MASTER: '" + line + "'");
      mark_ = line.substr(5);
    } else {
      char* end = nullptr;
      long long n = strtoll(line.c_str() + 1, &end, 10);
      if (end == line.c_str() + 1 || *end != '\0' || n < 0 || n > max_length_)
        return fail("Bad payload length from MASTER: '" + line + "'");
      length_ = n;
    }
    phase_ = phase::body;
  }
  // -- body ---------------------------------------------------------------------------
  if (mark_.empty()) {
    size_t take = size_t(std::min<int64_t>(int64_t(in.size()), length_ - received_));
    r.payload = in.substr(0, take);
    received_ += int64_t(take);
    in.remove_prefix(take);
    if (received_ == length_) {
      phase_ = phase::done;
      r.st = status::done;
      r.rest = in;
    }
    return r;
  }
  // EOF framing: the payload ends where the mark appears. Bytes that could be
  // the mark's beginning are held back until more arrive.
  out_.clear();
  out_.append(held_);
  out_.append(in);
  held_.clear();
  size_t at = out_.find(mark_);
  if (at != std::string::npos) {
    phase_ = phase::done;
    r.st = status::done;
    r.payload = std::string_view(out_).substr(0, at);
    r.rest = std::string_view(out_).substr(at + mark_size);
    received_ += int64_t(at);
    return r;
  }
  size_t keep = std::min(out_.size(), mark_size - 1);
  held_.assign(out_, out_.size() - keep, keep);
  r.payload = std::string_view(out_).substr(0, out_.size() - keep);
  received_ += int64_t(r.payload.size());
  return r;
}

}  // namespace troupe
