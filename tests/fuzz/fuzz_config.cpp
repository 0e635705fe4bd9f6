// Fuzzes the redis.conf reader with the real directive registry: quoting,
// escapes, units, yes/no, enumerations, special directives (save, bind,
// client-output-buffer-limit, notify-keyspace-events, replicaof...) and
// `include`. Includes never touch the file system: a few names resolve to
// fixed texts (one includes itself, to reach the nesting limit), every other
// name is unreadable.
//
// Oracles, when the text loads:
// - CONFIG REWRITE's output loads again and gives every directive the same
//   value (a server must restart on the file it rewrote);
// - CONFIG SET of each mutable directive to its own CONFIG GET value succeeds
//   and changes nothing.
// And whether it loads or not, each line is also tried as CONFIG SET's
// arguments (`name value [name value ...]`, as redis-cli would send them):
// whatever CONFIG SET accepts, CONFIG REWRITE must write as a file that loads
// to the same values; a refused CONFIG SET changes nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "protocol/config/server_config.hpp"
#include "protocol/resp/split_args.hpp"

using namespace troupe;

namespace {

bool fake_include(const std::string& path, std::string& text, bool& used) {
  used = true;
  if (path == "loop.conf") {
    text = "hz 20\ninclude loop.conf\n";
    return true;
  }
  if (path == "small.conf") {
    text = "port 7000\nsave 60 5\nbind 127.0.0.1 -::1\n";
    return true;
  }
  if (path == "empty.conf") {
    text.clear();
    return true;
  }
  return false;
}

void make_registry(server_config& reg, bool& used_include) {
  reg.set_include_reader([&used_include](const std::string& path, std::string& text) {
    return fake_include(path, text, used_include);
  });
}

void same_values(const server_config& a, const server_config& b, const std::string& file) {
  for (auto& d : a.rows()) {
    if (a.text_of(d->name()) != b.text_of(d->name()))
      fprintf(stderr, "%s: %s became %s\n--- file\n%s\n", d->name().c_str(),
              repr_string(a.text_of(d->name())).c_str(), repr_string(b.text_of(d->name())).c_str(),
              file.c_str());
    FUZZ_CHECK(a.text_of(d->name()) == b.text_of(d->name()));
  }
}

void check_config_set(const std::string& text) {
  bool used_include = false;
  server_config reg;
  make_registry(reg, used_include);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    auto args = split_args(std::string_view(text).substr(start, nl - start));
    start = nl + 1;
    if (!args || args->size() < 2 || args->size() % 2 != 0) continue;
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    for (size_t i = 0; i < args->size(); i += 2) pairs.emplace_back((*args)[i], (*args)[i + 1]);
    std::vector<std::string> before;
    for (auto& d : reg.rows()) before.push_back(reg.text_of(d->name()));
    std::string why;
    if (!reg.set(pairs, why, true)) {
      FUZZ_CHECK(!why.empty());
      size_t i = 0;
      for (auto& d : reg.rows()) FUZZ_CHECK(reg.text_of(d->name()) == before[i++]);
    }
  }
  std::string rewritten = reg.rewritten_text("");
  bool again_used = false;
  server_config again;
  make_registry(again, again_used);
  auto err = again.load_text(rewritten, "rewritten.conf");
  if (err)
    fprintf(stderr, "after CONFIG SET, the rewritten file does not load: %s\n%s\n",
            err->format().c_str(), rewritten.c_str());
  FUZZ_CHECK(!err);
  same_values(reg, again, rewritten);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  check_config_set(text);
  bool used_include = false;
  server_config reg;
  make_registry(reg, used_include);
  auto err = reg.load_text(text, "fuzz.conf");
  if (err) {
    FUZZ_CHECK(!err->reason.empty());
    FUZZ_CHECK(!err->format().empty());
    return 0;
  }

  // Includes and rewriting do not commute (an included `save` would be added
  // twice), as in Redis: the rewrite oracle only applies to self-contained text.
  if (!used_include) {
    std::string rewritten = reg.rewritten_text(text);
    bool again_used = false;
    server_config again;
    make_registry(again, again_used);
    auto err2 = again.load_text(rewritten, "rewritten.conf");
    if (err2) {
      fprintf(stderr, "rewritten text does not load: %s\n--- original\n%s\n--- rewritten\n%s\n",
              err2->format().c_str(), text.c_str(), rewritten.c_str());
    }
    FUZZ_CHECK(!err2);
    for (auto& d : reg.rows()) {
      if (reg.text_of(d->name()) != again.text_of(d->name()))
        fprintf(stderr, "%s: '%s' became '%s'\n", d->name().c_str(), reg.text_of(d->name()).c_str(),
                again.text_of(d->name()).c_str());
      FUZZ_CHECK(reg.text_of(d->name()) == again.text_of(d->name()));
    }
  }

  for (auto& d : reg.rows()) {
    // CONFIG SET knows neither immutable rows nor file-only ones (user, rename-command).
    if (d->immutable() || d->file_only()) continue;
    std::string before = reg.text_of(d->name());
    std::string why;
    bool ok = reg.set({{d->name(), before}}, why, true);
    if (!ok || reg.text_of(d->name()) != before)
      fprintf(stderr, "CONFIG SET %s '%s' -> %s, now '%s'\n", d->name().c_str(), before.c_str(),
              why.c_str(), reg.text_of(d->name()).c_str());
    FUZZ_CHECK(ok);
    FUZZ_CHECK(reg.text_of(d->name()) == before);
  }
  return 0;
}
