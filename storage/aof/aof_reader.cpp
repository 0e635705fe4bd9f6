#include "storage/aof/aof_reader.hpp"

#include <algorithm>

#include "protocol/text/numbers.hpp"

namespace troupe {
namespace {
constexpr size_t read_step = 1 << 20;
}  // namespace

aof_reader::aof_reader(FILE* f, int64_t offset) : f_(f), pos_(offset), valid_(offset) {
  fseeko(f_, offset, SEEK_SET);
}

bool aof_reader::read_line(std::string& line, bool& eof) {
  line.clear();
  for (;;) {
    int c = getc_unlocked(f_);
    if (c == EOF) {
      eof = true;
      return false;
    }
    ++pos_;
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    line.push_back(char(c));
    if (line.size() > 1024 * 1024) return false;
  }
}

bool aof_reader::read_exact(std::string& out, size_t n, bool& eof) {
  // The length comes from the file: grow the string only as bytes really
  // arrive, so a torn or corrupt "$2281578922" costs what the file holds, not
  // the gigabytes it claims.
  out.clear();
  while (out.size() < n) {
    size_t have = out.size();
    size_t step = std::min(n - have, read_step);
    out.resize(have + step);
    size_t got = fread(out.data() + have, 1, step, f_);
    pos_ += int64_t(got);
    if (got != step) {
      out.resize(have + got);
      eof = true;
      return false;
    }
  }
  char crlf[2];
  size_t g2 = fread(crlf, 1, 2, f_);
  pos_ += int64_t(g2);
  if (g2 != 2) {
    eof = true;
    return false;
  }
  return crlf[0] == '\r' && crlf[1] == '\n';
}

aof_reader::result aof_reader::next(std::vector<std::string>& args) {
  args.clear();
  std::string line;
  bool eof = false;
  int64_t start = pos_;
  if (!read_line(line, eof)) {
    if (eof && line.empty()) return result::end;
    if (eof) return result::truncated;
    error_ = "line too long at offset " + std::to_string(start);
    return result::corrupt;
  }
  if (line.empty() || line[0] != '*') {
    error_ = "expected '*' at offset " + std::to_string(start);
    return result::corrupt;
  }
  auto n = parse_int64(line.substr(1));
  if (!n || *n < 1 || *n > 1024 * 1024 * 64) {
    error_ = "invalid argument count at offset " + std::to_string(start);
    return result::corrupt;
  }
  for (int64_t i = 0; i < *n; ++i) {
    int64_t at = pos_;
    if (!read_line(line, eof)) return eof ? result::truncated : result::corrupt;
    if (line.empty() || line[0] != '$') {
      error_ = "expected '$' at offset " + std::to_string(at);
      return result::corrupt;
    }
    auto len = parse_int64(line.substr(1));
    if (!len || *len < 0 || *len > 1024LL * 1024 * 1024 * 4) {
      error_ = "invalid bulk length at offset " + std::to_string(at);
      return result::corrupt;
    }
    std::string arg;
    if (!read_exact(arg, size_t(*len), eof)) {
      if (eof) return result::truncated;
      error_ = "expected CRLF after argument at offset " + std::to_string(pos_ - 2);
      return result::corrupt;
    }
    args.push_back(std::move(arg));
  }
  valid_ = pos_;
  return result::command;
}

}  // namespace troupe
