#include "storage/aof/aof_manifest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "protocol/resp/split_args.hpp"
#include "protocol/text/numbers.hpp"

namespace troupe {
namespace {
constexpr int64_t max_seq = int64_t(1) << 62;
}  // namespace

const aof_manifest::file* aof_manifest::base() const {
  for (auto& f : files)
    if (f.type == 'b') return &f;
  return nullptr;
}

std::vector<const aof_manifest::file*> aof_manifest::incrs() const {
  std::vector<const file*> out;
  for (auto& f : files)
    if (f.type == 'i') out.push_back(&f);
  return out;
}

int64_t aof_manifest::next_base_seq() const {
  int64_t m = 0;
  for (auto& f : files)
    if (f.type == 'b' || f.type == 'h') m = std::max(m, f.seq);
  return m + 1;
}

int64_t aof_manifest::next_incr_seq() const {
  int64_t m = 0;
  for (auto& f : files)
    if (f.type == 'i') m = std::max(m, f.seq);
  return m + 1;
}

std::optional<aof_manifest> aof_manifest::parse(const std::string& text, std::string& err) {
  aof_manifest m;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    auto parts = split_args(line);
    if (!parts || parts->size() % 2 != 0) {
      err = "Invalid AOF manifest file format at line " + std::to_string(lineno);
      return std::nullopt;
    }
    file f;
    for (size_t i = 0; i + 1 < parts->size(); i += 2) {
      const std::string& k = (*parts)[i];
      const std::string& v = (*parts)[i + 1];
      if (k == "file") {
        f.name = v;
      } else if (k == "seq") {
        // The next file takes the highest seq + 1, so a seq near INT64_MAX would
        // overflow; 2^62 leaves room for more rewrites than will ever happen.
        auto n = parse_int64(v);
        if (!n || *n < 0 || *n > max_seq) {
          err = "Invalid AOF manifest seq at line " + std::to_string(lineno);
          return std::nullopt;
        }
        f.seq = *n;
      } else if (k == "type") {
        if (v.size() != 1 || (v[0] != 'b' && v[0] != 'i' && v[0] != 'h')) {
          err = "Unknown AOF file type '" + v + "' at line " + std::to_string(lineno);
          return std::nullopt;
        }
        f.type = v[0];
      }
    }
    if (f.name.empty() || f.name.find('/') != std::string::npos) {
      err = "Invalid AOF file name at line " + std::to_string(lineno);
      return std::nullopt;
    }
    m.files.push_back(f);
  }
  int bases = 0;
  for (auto& f : m.files) bases += f.type == 'b';
  if (bases > 1) {
    err = "Found duplicate base file information";
    return std::nullopt;
  }
  return m;
}

std::string aof_manifest::to_string() const {
  std::string out;
  // Base first, then history, then increments in order, as Redis writes it.
  for (char t : {'b', 'h', 'i'})
    for (auto& f : files)
      if (f.type == t)
        out += "file " + quote_arg(f.name) + " seq " + std::to_string(f.seq) + " type " +
               std::string(1, f.type) + "\n";
  return out;
}

std::string aof_manifest::base_name(const std::string& prefix, int64_t seq, bool rdb) {
  return prefix + "." + std::to_string(seq) + ".base." + (rdb ? "rdb" : "aof");
}

std::string aof_manifest::incr_name(const std::string& prefix, int64_t seq) {
  return prefix + "." + std::to_string(seq) + ".incr.aof";
}

bool write_file_atomically(const std::string& path, const std::string& text, std::string& err) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    err = strerror(errno);
    return false;
  }
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    off += size_t(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    err = strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    err = strerror(errno);
    unlink(tmp.c_str());
    return false;
  }
  size_t slash = path.rfind('/');
  fsync_dir(slash == std::string::npos ? "." : path.substr(0, slash));
  return true;
}

void fsync_dir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

}  // namespace troupe
