#include "topology/replication/replica_handshake.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

#include <cstdlib>

#include "protocol/resp/resp_value.hpp"

namespace troupe {
namespace {

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string reply_text(const resp_value& r) {
  return r.is_error() ? "-" + r.str : r.str;
}

}  // namespace

replica_handshake::step replica_handshake::send(state next, std::vector<std::string> cmd) {
  state_ = next;
  step s;
  s.what = outcome::send;
  s.command = std::move(cmd);
  return s;
}

replica_handshake::step replica_handshake::start() {
  return send(state::ping, {"PING"});
}

replica_handshake::step replica_handshake::after_auth() {
  return send(state::port, {"REPLCONF", "listening-port", std::to_string(cfg_.listening_port)});
}

replica_handshake::step replica_handshake::after_port() {
  if (!cfg_.announce_ip.empty())
    return send(state::ip, {"REPLCONF", "ip-address", cfg_.announce_ip});
  return send(state::capa,
              {"REPLCONF", "capa", "eof", "capa", "psync2", "capa", "stream-while-loading"});
}

replica_handshake::step replica_handshake::psync() {
  std::vector<std::string> cmd{"PSYNC", "?", "-1"};
  if (!cfg_.cached_replid.empty() && cfg_.cached_offset >= 0)
    cmd = {"PSYNC", cfg_.cached_replid, std::to_string(cfg_.cached_offset + 1)};
  if (cfg_.failover) cmd.push_back("FAILOVER");
  return send(state::psync, std::move(cmd));
}

replica_handshake::step replica_handshake::on_reply(const resp_value& r) {
  step fail;
  fail.what = outcome::failed;
  switch (state_) {
    case state::ping:
      // Before AUTH a protected master answers NOAUTH (or NOPERM): that is fine.
      if (r.is_error() && !starts_with(r.str, "NOAUTH") && !starts_with(r.str, "NOPERM") &&
          !starts_with(r.str, "ERR operation not permitted")) {
        fail.message = "Error reply to PING from master: '" + reply_text(r) + "'";
        return fail;
      }
      if (!cfg_.masterauth.empty()) {
        std::vector<std::string> auth{"AUTH"};
        if (!cfg_.masteruser.empty()) auth.push_back(cfg_.masteruser);
        auth.push_back(cfg_.masterauth);
        return send(state::auth, std::move(auth));
      }
      return after_auth();
    case state::auth:
      if (r.is_error()) {
        fail.message = "Unable to AUTH to MASTER: " + reply_text(r);
        return fail;
      }
      return after_auth();
    case state::port: {
      // Old masters do not know REPLCONF: not fatal, as in Redis.
      step s = after_port();
      if (r.is_error())
        s.message =
            "(Non critical) Master does not understand REPLCONF listening-port: " + reply_text(r);
      return s;
    }
    case state::ip: {
      step s = send(state::capa,
                    {"REPLCONF", "capa", "eof", "capa", "psync2", "capa", "stream-while-loading"});
      if (r.is_error())
        s.message =
            "(Non critical) Master does not understand REPLCONF ip-address: " + reply_text(r);
      return s;
    }
    case state::capa: {
      step s = psync();
      if (r.is_error())
        s.message = "(Non critical) Master does not understand REPLCONF capa: " + reply_text(r);
      return s;
    }
    case state::psync: {
      if (r.type == resp_value::kind::simple && starts_with(r.str, "FULLRESYNC")) {
        // +FULLRESYNC <replid> <offset>
        step s;
        s.what = outcome::full_sync;
        size_t a = r.str.find(' ');
        size_t b = a == std::string::npos ? a : r.str.find(' ', a + 1);
        if (a == std::string::npos || b == std::string::npos || b - a - 1 != 40) {
          fail.message = "Master replied with wrong +FULLRESYNC syntax: '" + r.str + "'";
          return fail;
        }
        s.replid = r.str.substr(a + 1, 40);
        // The offset starts the replica's own count: digits only, and far
        // from overflow (a peer's "-5" or "9223372036854775807" would wrap it).
        std::string_view rest = std::string_view(r.str).substr(b + 1);
        int64_t offset = -1;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
        std::string_view tail(end, size_t(rest.data() + rest.size() - end));
        if (ec != std::errc() || offset < 0 || offset > INT64_MAX / 2 ||
            !(tail.empty() || tail == " frames")) {
          fail.message = "Master replied with wrong +FULLRESYNC syntax: '" + r.str + "'";
          return fail;
        }
        s.offset = offset;
        s.framed = tail == " frames";
        state_ = state::done;
        return s;
      }
      if (r.type == resp_value::kind::simple && starts_with(r.str, "CONTINUE")) {
        step s;
        s.what = outcome::partial_sync;
        // "+CONTINUE <new replid>" when the master's history id changed.
        if (r.str.size() >= 9 + 40) s.replid = r.str.substr(9, 40);
        s.offset = cfg_.cached_offset;
        state_ = state::done;
        return s;
      }
      if (r.is_error() && cfg_.failover) {
        fail.message = "Failover target rejected PSYNC FAILOVER: -" + r.str;
        return fail;
      }
      if (r.is_error() && (starts_with(r.str, "NOMASTERLINK") || starts_with(r.str, "LOADING") ||
                           starts_with(r.str, "MASTERDOWN"))) {
        step s;
        s.what = outcome::retry_later;
        s.message = "Master is currently unable to PSYNC but should be in the future: -" + r.str;
        state_ = state::done;
        return s;
      }
      if (r.is_error()) {
        // A master that does not know PSYNC: the old SYNC (its reply is the payload).
        step s = send(state::sync, {"SYNC"});
        s.message = "Master does not support PSYNC or is in error state (reply: -" + r.str + ")";
        return s;
      }
      fail.message = "Unexpected reply to PSYNC from master: " + reply_text(r);
      return fail;
    }
    case state::idle:
    case state::sync:
    case state::done:
      break;
  }
  fail.message = "Unexpected reply from master during the handshake: " + reply_text(r);
  return fail;
}

}  // namespace troupe
