// Client-side caching: CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and
// CLIENT TRACKINGINFO, with Redis 7.0's options, checks and error texts. The
// table itself is storage/keyspace/tracking_table.*; the dispatcher remembers
// what a tracking client reads and the server delivers invalidations.
#include <algorithm>

#include "actors/commands/command_families.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {

void stop_client_tracking(exec_context& c);

namespace {

bool client_exists(server& srv, uint64_t id) {
  bool found = false;
  srv.for_each_client([&](uint64_t cid, client_record&) { found = found || cid == id; });
  return found;
}

// BCAST prefixes of one client must not overlap: neither with those it has
// nor with each other (one a prefix of the other).
bool prefixes_collide(exec_context& c, const std::vector<std::string>& have,
                      const std::vector<std::string_view>& fresh) {
  auto overlap = [](std::string_view a, std::string_view b) {
    size_t n = std::min(a.size(), b.size());
    return a.substr(0, n) == b.substr(0, n);
  };
  for (size_t i = 0; i < fresh.size(); ++i) {
    for (const auto& h : have)
      if (overlap(fresh[i], h)) {
        c.out.error("ERR Prefix '" + std::string(as_c_string(fresh[i])) +
                    "' overlaps with an existing prefix '" + std::string(as_c_string(h)) +
                    "'. Prefixes for a single client must not overlap.");
        return true;
      }
    for (size_t j = i + 1; j < fresh.size(); ++j)
      if (overlap(fresh[i], fresh[j])) {
        c.out.error("ERR Prefix '" + std::string(as_c_string(fresh[i])) +
                    "' overlaps with another provided prefix '" +
                    std::string(as_c_string(fresh[j])) +
                    "'. Prefixes for a single client must not overlap.");
        return true;
      }
  }
  return false;
}

void cmd_client_tracking(exec_context& c) {
  session& s = c.client;
  uint64_t redirect = 0;
  bool bcast = false, optin = false, optout = false, noloop = false;
  std::vector<std::string_view> prefixes;
  for (size_t j = 3; j < c.argc(); ++j) {
    bool more = j + 1 < c.argc();
    if (c.arg_is(j, "redirect") && more) {
      ++j;
      if (redirect != 0)
        return c.out.error("ERR A client can only redirect to a single other client");
      auto id = parse_int64(c.arg(j));
      if (!id) return c.out.error("ERR value is not an integer or out of range");
      // The client must exist now (it may still go away later).
      if (*id <= 0 || !client_exists(static_cast<server&>(c.srv), uint64_t(*id)))
        return c.out.error("ERR The client ID you want redirect to does not exist");
      redirect = uint64_t(*id);
    } else if (c.arg_is(j, "bcast")) {
      bcast = true;
    } else if (c.arg_is(j, "optin")) {
      optin = true;
    } else if (c.arg_is(j, "optout")) {
      optout = true;
    } else if (c.arg_is(j, "noloop")) {
      noloop = true;
    } else if (c.arg_is(j, "prefix") && more) {
      prefixes.push_back(c.arg(++j));
    } else {
      return c.syntax_error();
    }
  }
  if (c.arg_is(2, "off")) {
    stop_client_tracking(c);
    return c.out.ok();
  }
  if (!c.arg_is(2, "on")) return c.syntax_error();
  if (!bcast && !prefixes.empty())
    return c.out.error("ERR PREFIX option requires BCAST mode to be enabled");
  bool tracking = s.has(client_tracking);
  if (tracking && s.has(client_tracking_bcast) != bcast)
    return c.out.error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  if (bcast && (optin || optout))
    return c.out.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
  if (optin && optout) return c.out.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((optin && s.has(client_tracking_optout)) || (optout && s.has(client_tracking_optin)))
    return c.out.error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and "
        "then re-enabling it with a different mode.");
  tracking_options o;
  if (tracking) c.ks.tracking.options_of(s.id, o);
  if (bcast && prefixes_collide(c, o.prefixes, prefixes)) return;
  o.redirect = redirect;
  o.bcast = bcast;
  o.optin = optin;
  o.optout = optout;
  o.noloop = noloop;
  std::vector<std::string> fresh(prefixes.begin(), prefixes.end());
  if (bcast && fresh.empty() && o.prefixes.empty()) fresh.push_back("");  // every key
  o.prefixes = std::move(fresh);
  c.ks.tracking.enable(s.id, o);
  for (auto f : {client_tracking_broken_redir, client_tracking_bcast, client_tracking_optin,
                 client_tracking_optout, client_tracking_noloop})
    s.clear(f);
  s.set(client_tracking);
  if (bcast) s.set(client_tracking_bcast);
  if (optin) s.set(client_tracking_optin);
  if (optout) s.set(client_tracking_optout);
  if (noloop) s.set(client_tracking_noloop);
  s.tracking_redirect.store(redirect, std::memory_order_relaxed);
  c.out.ok();
}

void cmd_client_caching(exec_context& c) {
  session& s = c.client;
  if (!s.has(client_tracking))
    return c.out.error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
        "OPTOUT mode enabled");
  if (c.arg_is(2, "yes")) {
    if (!s.has(client_tracking_optin))
      return c.out.error(
          "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  } else if (c.arg_is(2, "no")) {
    if (!s.has(client_tracking_optout))
      return c.out.error(
          "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
  } else {
    return c.syntax_error();
  }
  s.set(client_tracking_caching);
  c.out.ok();
}

void cmd_client_getredir(exec_context& c) {
  const session& s = c.client;
  c.out.integer(s.has(client_tracking) ? int64_t(s.tracking_redirect.load()) : -1);
}

void cmd_client_trackinginfo(exec_context& c) {
  const session& s = c.client;
  c.out.map(3);
  c.out.bulk("flags");
  std::vector<const char*> flags;
  if (!s.has(client_tracking)) {
    flags.push_back("off");
  } else {
    flags.push_back("on");
    if (s.has(client_tracking_bcast)) flags.push_back("bcast");
    if (s.has(client_tracking_optin)) {
      flags.push_back("optin");
      if (s.has(client_tracking_caching)) flags.push_back("caching-yes");
    }
    if (s.has(client_tracking_optout)) {
      flags.push_back("optout");
      if (s.has(client_tracking_caching)) flags.push_back("caching-no");
    }
    if (s.has(client_tracking_noloop)) flags.push_back("noloop");
    if (s.has(client_tracking_broken_redir)) flags.push_back("broken_redirect");
  }
  c.out.set(flags.size());
  for (const char* f : flags) c.out.bulk(f);
  c.out.bulk("redirect");
  c.out.integer(s.has(client_tracking) ? int64_t(s.tracking_redirect.load()) : -1);
  c.out.bulk("prefixes");
  tracking_options o;
  if (s.has(client_tracking_bcast)) c.ks.tracking.options_of(s.id, o);
  std::sort(o.prefixes.begin(), o.prefixes.end());  // Redis keeps them in a radix tree
  c.out.array(o.prefixes.size());
  for (const auto& p : o.prefixes) c.out.bulk(p);
}

const command_def tracking_commands[] = {
    {"client|tracking", -3, "noscript loading stale", 0, 0, 0, "", cmd_client_tracking,
     "Enable or disable server assisted client side caching support", "6.0.0",
     "O(1). Some "
     "options may introduce additional complexity.",
     "ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] "
     "[NOLOOP]"},
    {"client|caching", 3, "noscript loading stale", 0, 0, 0, "", cmd_client_caching,
     "Instruct the server about tracking or not keys in the next request", "6.0.0", "O(1)",
     "YES|NO"},
    {"client|getredir", 2, "noscript loading stale", 0, 0, 0, "", cmd_client_getredir,
     "Get tracking notifications redirection client ID if any", "6.0.0", "O(1)", ""},
    {"client|trackinginfo", 2, "noscript loading stale", 0, 0, 0, "", cmd_client_trackinginfo,
     "Return information about server assisted client side caching for the current connection",
     "6.2.0", "O(1)", ""},
};

}  // namespace

void stop_client_tracking(exec_context& c) {
  session& s = c.client;
  if (s.has(client_tracking)) c.ks.tracking.disable(s.id);
  for (auto f :
       {client_tracking, client_tracking_bcast, client_tracking_broken_redir, client_tracking_optin,
        client_tracking_optout, client_tracking_caching, client_tracking_noloop})
    s.clear(f);
  s.tracking_redirect.store(0, std::memory_order_relaxed);
}

void register_tracking_family(command_table& t) {
  t.add_all("connection", tracking_commands);
}

}  // namespace troupe
