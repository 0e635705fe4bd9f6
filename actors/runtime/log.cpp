#include "actors/runtime/log.hpp"

#include "protocol/config/config_general_rows.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <atomic>

namespace troupe {
namespace {
std::atomic<char> current_role{'M'};

spdlog::level::level_enum to_spd(log_level l) {
  switch (l) {
    case log_level::debug:
      return spdlog::level::trace;
    case log_level::verbose:
      return spdlog::level::debug;
    case log_level::notice:
      return spdlog::level::info;
    case log_level::warning:
      return spdlog::level::warn;
  }
  return spdlog::level::info;
}

// "%R" prints "pid:role", "%L" is replaced by our level char.
class pid_role_flag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string s = std::to_string(getpid()) + ":" + current_role.load();
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<pid_role_flag>();
  }
};

class level_char_flag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char c = '*';
    switch (msg.level) {
      case spdlog::level::trace:
        c = '.';
        break;
      case spdlog::level::debug:
        c = '-';
        break;
      case spdlog::level::info:
        c = '*';
        break;
      default:
        c = '#';
        break;
    }
    dest.push_back(c);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<level_char_flag>();
  }
};
}  // namespace

void log_init(const std::string& file, log_level level, char role) {
  current_role = role;
  std::shared_ptr<spdlog::logger> logger;
  if (file.empty())
    logger = std::make_shared<spdlog::logger>("troupe",
                                              std::make_shared<spdlog::sinks::stdout_sink_mt>());
  else
    logger = std::make_shared<spdlog::logger>(
        "troupe", std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, false));
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<pid_role_flag>('R').add_flag<level_char_flag>('*');
  formatter->set_pattern("%R %d %b %Y %H:%M:%S.%e %* %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(to_spd(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void log_set_level(log_level level) {
  spdlog::default_logger()->set_level(to_spd(level));
}
void log_set_role(char role) {
  current_role = role;
}

log_level to_log_level(log_verbosity v) {
  switch (v) {
    case log_verbosity::debug:
      return log_level::debug;
    case log_verbosity::verbose:
      return log_level::verbose;
    case log_verbosity::notice:
      return log_level::notice;
    case log_verbosity::warning:
      return log_level::warning;
  }
  return log_level::notice;
}

const char* log_level_name(log_level l) {
  switch (l) {
    case log_level::debug:
      return "debug";
    case log_level::verbose:
      return "verbose";
    case log_level::notice:
      return "notice";
    case log_level::warning:
      return "warning";
  }
  return "notice";
}

}  // namespace troupe
