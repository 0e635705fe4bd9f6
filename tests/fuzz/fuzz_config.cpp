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
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "protocol/config.hpp"
#include "protocol/config_directives.hpp"

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

void make_registry(config_registry& reg, bool& used_include) {
  define_directives(reg);
  reg.set_include_reader([&used_include](const std::string& path, std::string& text) {
    return fake_include(path, text, used_include);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  bool used_include = false;
  config_registry reg;
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
    config_registry again;
    make_registry(again, again_used);
    auto err2 = again.load_text(rewritten, "rewritten.conf");
    if (err2) {
      fprintf(stderr, "rewritten text does not load: %s\n--- original\n%s\n--- rewritten\n%s\n",
              err2->format().c_str(), text.c_str(), rewritten.c_str());
    }
    FUZZ_CHECK(!err2);
    for (auto& d : reg.directives()) {
      if (reg.get(d.name) != again.get(d.name))
        fprintf(stderr, "%s: '%s' became '%s'\n", d.name.c_str(), reg.get(d.name).c_str(),
                again.get(d.name).c_str());
      FUZZ_CHECK(reg.get(d.name) == again.get(d.name));
    }
  }

  for (auto& d : reg.directives()) {
    if (d.immutable) continue;
    std::string before = reg.get(d.name);
    std::string why;
    bool ok = reg.set({{d.name, before}}, why, true);
    if (!ok || reg.get(d.name) != before)
      fprintf(stderr, "CONFIG SET %s '%s' -> %s, now '%s'\n", d.name.c_str(), before.c_str(),
              why.c_str(), reg.get(d.name).c_str());
    FUZZ_CHECK(ok);
    FUZZ_CHECK(reg.get(d.name) == before);
  }
  return 0;
}
