#include "topology/proxy/request_plan.hpp"

#include <strings.h>

#include <cctype>

#include "protocol/commands/command_table.hpp"

namespace troupe::proxy {
namespace {

// Redis prints arguments into errors as C strings: they end at a NUL byte.
std::string_view plan_c_string(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

bool plan_names(const command_spec& c, const char* name) {
  return c.name == name;
}

void plan_refuse(request_plan& out, std::string error) {
  out.route = route_kind::refused;
  out.error = std::move(error);
}

}  // namespace

std::string cross_backend_error(const command_spec& spec) {
  return "ERR the keys of '" + spec.name +
         "' live on different backends of the proxy's pool (a hash tag keeps them together)";
}

void plan_request(const std::vector<std::string_view>& args, request_plan& out) {
  out.route = route_kind::refused;
  out.merge = merge_kind::none;
  out.spec = nullptr;
  out.keys.clear();
  out.group = 1;
  out.error.clear();
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd == nullptr) {
    std::string list;
    for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
      list += '\'';
      list.append(plan_c_string(args[i]).substr(0, 128 - list.size()));
      list += "' ";
    }
    return plan_refuse(out, "ERR unknown command '" +
                                std::string(plan_c_string(args[0]).substr(0, 128)) +
                                "', with args beginning with: " + list);
  }
  if (cmd->has_subcommands() && args.size() >= 2) {
    const command_spec* sub = cmd->find_sub(args[1]);
    if (sub == nullptr) {
      std::string upper = cmd->name;
      for (auto& c : upper) c = char(toupper(static_cast<unsigned char>(c)));
      return plan_refuse(out, "ERR unknown subcommand '" +
                                  std::string(plan_c_string(args[1]).substr(0, 128)) + "'. Try " +
                                  upper + " HELP.");
    }
    cmd = sub;
  }
  out.spec = cmd;
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity)
    return plan_refuse(out, "ERR wrong number of arguments for '" + cmd->name + "' command");

  const command_spec& top = cmd->parent ? *cmd->parent : *cmd;
  for (const char* name : {"ping", "echo", "quit", "auth", "select", "info", "hello"})
    if (plan_names(top, name)) {
      out.route = route_kind::local;
      return;
    }
  // Built only for a refusal: the common path allocates nothing here.
  auto not_here = [cmd] { return "ERR '" + cmd->name + "' is not supported through the proxy"; };
  // XREAD and XREADGROUP carry the `blocking` flag but block only with BLOCK,
  // which would hold a backend link.
  bool stream_read = plan_names(top, "xread") || plan_names(top, "xreadgroup");
  if (stream_read) {
    for (auto a : args)
      if (a.size() == 5 && strncasecmp(a.data(), "block", 5) == 0)
        return plan_refuse(out, not_here() + " with BLOCK");
  }
  uint32_t exclusive = cmd_pubsub | cmd_tx_control | (stream_read ? 0u : uint32_t(cmd_blocking));
  if (cmd->flags & exclusive)
    return plan_refuse(out, not_here() + " (it needs one server's connection for itself)");
  // A numkeys of 0 (EVAL's, ZUNION's...) or one past the arguments.
  if (!cmd->key_positions(args, out.keys))
    return plan_refuse(out, not_here() +
                                " without keys to route by (numkeys 0, or more keys than "
                                "arguments)");
  if (out.keys.empty()) return plan_refuse(out, not_here() + " (it names no key to route by)");

  if (plan_names(*cmd, "mget")) {
    out.route = route_kind::split;
    out.merge = merge_kind::values_in_order;
  } else if (plan_names(*cmd, "mset")) {
    if ((argc - 1) % 2 != 0)
      return plan_refuse(out, "ERR wrong number of arguments for 'mset' command");
    out.route = route_kind::split;
    out.merge = merge_kind::all_ok;
    out.group = 2;
  } else if (plan_names(*cmd, "del") || plan_names(*cmd, "unlink") || plan_names(*cmd, "exists") ||
             plan_names(*cmd, "touch")) {
    out.route = route_kind::split;
    out.merge = merge_kind::integer_sum;
  } else {
    out.route = route_kind::forward;
  }
  // One key needs no splitting: the request goes as it is.
  if (out.route == route_kind::split && out.keys.size() == 1) out.route = route_kind::forward;
}

}  // namespace troupe::proxy
