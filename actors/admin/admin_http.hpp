// The admin endpoint's HTTP side: Boost.Beast on one thread of its own (so no
// request ever runs on, or waits for, a reactor). It parses requests (bounded
// headers and bodies, a deadline per request so a slow client cannot hold it),
// hands each to `on_request` and writes the response given back to respond(),
// from any thread, keeping the connection alive as HTTP/1.1 allows.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace troupe {

struct admin_request {
  uint64_t id = 0;
  std::string method, target, authorization, peer_ip;
};

struct admin_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string www_authenticate;  // set for a 401
};

class admin_http {
 public:
  using handler = std::function<void(admin_request)>;
  explicit admin_http(handler on_request);
  ~admin_http();
  admin_http(const admin_http&) = delete;
  admin_http& operator=(const admin_http&) = delete;

  // Binds; false with `err` set if the address or port cannot be used.
  bool listen(const std::string& addr, int port, std::string& err);
  // Serves on a thread of its own until stop().
  void start();
  void stop();
  int port() const { return port_; }
  // The answer to request `id` (any thread); ignored if its client left.
  void respond(uint64_t id, admin_response r);

  struct impl;  // the Beast side (admin_http.cpp)

 private:
  std::unique_ptr<impl> impl_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace troupe
