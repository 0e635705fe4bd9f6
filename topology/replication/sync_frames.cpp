#include "topology/replication/sync_frames.hpp"

#include <algorithm>

namespace troupe {

std::string sync_frame_header(sync_frame kind, size_t length) {
  return std::string(1, char(kind)) + std::to_string(length) + "\r\n";
}

size_t sync_frame_reader::parse(const char* data, size_t len, std::vector<piece>& out) {
  size_t pos = 0;
  while (pos < len && !ended_ && error_.empty()) {
    if (in_body_) {
      size_t n = size_t(std::min<uint64_t>(left_, len - pos));
      out.push_back({kind_, std::string_view(data + pos, n)});
      pos += n;
      left_ -= n;
      if (left_ == 0) in_body_ = false;
      continue;
    }
    // A header: kind, decimal length, CRLF.
    char c = data[pos++];
    if (c != '\n') {
      header_ += c;
      if (header_.size() > 24) error_ = "sync frame header too long";
      continue;
    }
    if (header_.size() < 3 || header_.back() != '\r') {
      error_ = "bad sync frame header";
      break;
    }
    char k = header_[0];
    uint64_t n = 0;
    for (size_t i = 1; i + 1 < header_.size(); ++i) {
      char d = header_[i];
      if (d < '0' || d > '9' || n > (UINT64_MAX - 9) / 10) {
        error_ = "bad sync frame length";
        return pos;
      }
      n = n * 10 + uint64_t(d - '0');
    }
    header_.clear();
    if (k == char(sync_frame::end)) {
      ended_ = true;
    } else if (k == char(sync_frame::rdb) || k == char(sync_frame::stream)) {
      kind_ = sync_frame(k);
      left_ = n;
      in_body_ = n > 0;
    } else {
      error_ = "unknown sync frame kind";
    }
  }
  return pos;
}

}  // namespace troupe
