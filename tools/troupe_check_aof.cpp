// troupe-check-aof [--fix] <manifest | file.aof>
// Checks a multi-part AOF (its manifest, base and incremental files) or a single
// AOF file, like redis-check-aof: reports how far each file is valid, and with
// --fix truncates a torn or corrupt last file back to its last whole command
// (dropping an unfinished MULTI block too).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "storage/aof/aof_manifest.hpp"
#include "storage/aof/aof_reader.hpp"
#include "storage/rdb/rdb_loader.hpp"
#include "storage/rdb/rdb_source.hpp"

using namespace troupe;

namespace {

struct check_result {
  bool ok = true;
  bool truncated = false;  // torn at the end (fixable)
  int64_t size = 0, ok_up_to = 0, ok_lines = 0;
  std::string error;
};

int64_t file_size(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? int64_t(st.st_size) : -1;
}

// Checks commands from `offset` to the end of the file.
check_result check_commands(const std::string& path, int64_t offset) {
  check_result r;
  r.size = file_size(path);
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) {
    r.ok = false;
    r.error = std::string("Cannot open file: ") + strerror(errno);
    return r;
  }
  aof_reader reader(f, offset);
  std::vector<std::string> args;
  bool in_multi = false;
  int64_t before_multi = offset, lines = 0, lines_before_multi = 0;
  r.ok_up_to = offset;
  for (;;) {
    auto res = reader.next(args);
    if (res == aof_reader::result::command) {
      ++lines;
      std::string name = args.empty() ? "" : args[0];
      for (auto& c : name) c = char(tolower(static_cast<unsigned char>(c)));
      if (name == "multi") {
        if (in_multi) {
          r.ok = false;
          r.error = "Unexpected MULTI";
          break;
        }
        in_multi = true;
        before_multi = r.ok_up_to;
        lines_before_multi = r.ok_lines;
      } else if (name == "exec") {
        if (!in_multi) {
          r.ok = false;
          r.error = "Unexpected EXEC";
          break;
        }
        in_multi = false;
      }
      if (!in_multi) {
        r.ok_up_to = reader.valid_offset();
        r.ok_lines = lines;
      }
      continue;
    }
    if (res == aof_reader::result::end) {
      if (in_multi) {
        r.ok = false;
        r.truncated = true;
        r.error = "Reached EOF before reading EXEC for MULTI";
        r.ok_up_to = before_multi;
        r.ok_lines = lines_before_multi;
      }
      break;
    }
    r.ok = false;
    r.truncated = res == aof_reader::result::truncated;
    r.error =
        res == aof_reader::result::truncated ? "Unexpected EOF reading a command" : reader.error();
    if (in_multi) {
      r.ok_up_to = before_multi;
      r.ok_lines = lines_before_multi;
    }
    break;
  }
  fclose(f);
  return r;
}

// An RDB preamble followed by an optional command tail.
check_result check_rdb_base(const std::string& path) {
  check_result r;
  r.size = file_size(path);
  rdb_file_source src(path);
  if (!src.ok()) {
    r.ok = false;
    r.error = src.error();
    return r;
  }
  rdb_load_options opt;
  opt.keep_expired = true;
  rdb_callbacks cb;
  cb.on_entry = [](int, kv_entry* e) { destroy_entry(e); };
  rdb_load_result lr = load_rdb(src, opt, cb);
  if (!lr.ok) {
    r.ok = false;
    r.error = "RDB preamble is invalid: " + lr.error;
    r.ok_up_to = 0;
    return r;
  }
  std::cout << "RDB preamble is OK, proceeding with AOF tail...\n";
  int64_t tail = int64_t(lr.bytes);
  if (tail >= r.size) {
    r.ok_up_to = r.size;
    return r;
  }
  return check_commands(path, tail);
}

bool is_rdb(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[5] = {};
  f.read(magic, 5);
  return f.gcount() == 5 && memcmp(magic, "REDIS", 5) == 0;
}

void report(const std::string& name, const check_result& r) {
  std::cout << "AOF analyzed: filename=" << name << ", size=" << r.size
            << ", ok_up_to=" << r.ok_up_to << ", ok_up_to_line=" << r.ok_lines
            << ", diff=" << (r.size - r.ok_up_to) << "\n";
}

bool confirm() {
  if (!isatty(STDIN_FILENO)) return true;
  std::cout
      << "This will shrink the AOF from its size to the last valid command.\nContinue? [y/N]: "
      << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

// Checks one file; fixes it when allowed. Returns false if it stays invalid.
bool check_file(const std::string& path, const std::string& label, bool fix, bool fixable) {
  std::string name = path.substr(path.rfind('/') + 1);
  check_result r = is_rdb(path) ? check_rdb_base(path) : check_commands(path, 0);
  report(name, r);
  if (r.ok) {
    std::cout << label << " " << name << " is valid\n";
    return true;
  }
  std::cout << "0x" << std::hex << r.ok_up_to << std::dec << ": " << r.error << "\n";
  if (!fix) {
    std::cout << label << " " << name << " is not valid. Use the --fix option to try fixing it.\n";
    return false;
  }
  if (!fixable) {
    std::cout << "Only the last file of an AOF can be fixed: " << name << " is not valid.\n";
    return false;
  }
  if (!confirm()) {
    std::cout << "Aborted.\n";
    return false;
  }
  if (truncate(path.c_str(), r.ok_up_to) != 0) {
    std::cout << "Failed to truncate AOF: " << strerror(errno) << "\n";
    return false;
  }
  std::cout << "Successfully truncated AOF " << name << "\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool fix = false;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--fix")
      fix = true;
    else if (a == "-h" || a == "--help")
      file.clear(), i = argc;
    else
      file = a;
  }
  if (file.empty()) {
    std::cerr << "Usage: " << argv[0] << " [--fix] <AOF manifest or file>\n";
    return 1;
  }
  if (file_size(file) < 0) {
    std::cerr << "Cannot open file " << file << ": " << strerror(errno) << "\n";
    return 1;
  }
  bool manifest = file.size() > 9 && file.compare(file.size() - 9, 9, ".manifest") == 0;
  if (!manifest) {
    std::cout << "Start checking Old-Style AOF\n";
    bool ok = check_file(file, "AOF", fix, true);
    return ok ? 0 : 1;
  }
  std::cout << "Start checking Multi Part AOF\n";
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string err;
  auto m = aof_manifest::parse(ss.str(), err);
  if (!m) {
    std::cout << "Invalid AOF manifest file format: " << err << "\n";
    return 1;
  }
  std::string dir = file.rfind('/') == std::string::npos ? "." : file.substr(0, file.rfind('/'));
  bool ok = true;
  if (const auto* base = m->base()) {
    std::cout << "Start to check BASE AOF (" << (is_rdb(dir + "/" + base->name) ? "RDB" : "AOF")
              << " format).\n";
    ok = check_file(dir + "/" + base->name, "BASE AOF", fix, m->incrs().empty()) && ok;
  }
  auto incrs = m->incrs();
  if (!incrs.empty()) std::cout << "Start to check INCR files.\n";
  for (size_t i = 0; i < incrs.size(); ++i) {
    std::string path = dir + "/" + incrs[i]->name;
    if (file_size(path) < 0) {
      std::cout << "INCR AOF " << incrs[i]->name << " does not exist yet (nothing written)\n";
      continue;
    }
    ok = check_file(path, "INCR AOF", fix, i + 1 == incrs.size()) && ok;
  }
  if (ok) std::cout << "All AOF files and manifest are valid\n";
  return ok ? 0 : 1;
}
