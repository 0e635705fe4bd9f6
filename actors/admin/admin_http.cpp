#include "actors/admin/admin_http.hpp"

// <utility> first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it.
#include <optional>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <unordered_map>

namespace troupe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto request_deadline = std::chrono::seconds(30);
constexpr uint32_t header_limit = 16 * 1024;
constexpr uint64_t body_limit = 64 * 1024;

}  // namespace

// One client connection: read a request, wait for its response, write it,
// again while the client keeps the connection.
struct admin_session : std::enable_shared_from_this<admin_session> {
  admin_session(tcp::socket s, admin_http::impl& owner) : stream(std::move(s)), owner(owner) {}
  void read();
  void on_read(beast::error_code ec);
  void write(admin_response r);

  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  http::response<http::string_body> response;
  bool keep_alive = false;
  unsigned version = 11;
  admin_http::impl& owner;
};

struct admin_http::impl {
  explicit impl(handler h) : on_request(std::move(h)), acceptor(io) {}
  void accept();

  handler on_request;
  asio::io_context io;
  tcp::acceptor acceptor;
  uint64_t next_id = 0;
  // Requests waiting for their response, which keep their session alive
  // (touched on the io thread only; every request gets its response).
  std::unordered_map<uint64_t, std::shared_ptr<admin_session>> waiting;
};

void admin_http::impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<admin_session>(std::move(s), *this)->read();
    accept();
  });
}

void admin_session::read() {
  parser.emplace();
  parser->header_limit(header_limit);
  parser->body_limit(body_limit);
  stream.expires_after(request_deadline);
  http::async_read(
      stream, buffer, *parser,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void admin_session::on_read(beast::error_code ec) {
  if (ec) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return;
  }
  auto& req = parser->get();
  keep_alive = req.keep_alive();
  version = req.version();
  admin_request r;
  r.id = ++owner.next_id;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.authorization = std::string(req[http::field::authorization]);
  beast::error_code pe;
  auto ep = stream.socket().remote_endpoint(pe);
  if (!pe) r.peer_ip = ep.address().to_string();
  owner.waiting[r.id] = shared_from_this();
  stream.expires_after(request_deadline);
  owner.on_request(std::move(r));
}

void admin_session::write(admin_response r) {
  response = {};
  response.version(version);
  response.result(http::int_to_status(unsigned(r.status)));
  response.set(http::field::server, "troupe");
  response.set(http::field::content_type, r.content_type);
  response.set(http::field::cache_control, "no-store");
  if (!r.www_authenticate.empty()) response.set(http::field::www_authenticate, r.www_authenticate);
  response.keep_alive(keep_alive);
  response.body() = std::move(r.body);
  response.prepare_payload();
  http::async_write(stream, response, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec || !self->keep_alive) {
      beast::error_code ignored;
      self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    self->read();
  });
}

admin_http::admin_http(handler on_request) : impl_(std::make_unique<impl>(std::move(on_request))) {}

admin_http::~admin_http() {
  stop();
}

bool admin_http::listen(const std::string& addr, int port, std::string& err) {
  beast::error_code ec;
  auto address = asio::ip::make_address(addr, ec);
  if (ec) {
    err = "bad address '" + addr + "'";
    return false;
  }
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    err = ec.message();
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    return false;
  }
  port_ = impl_->acceptor.local_endpoint().port();
  return true;
}

void admin_http::start() {
  impl_->accept();
  thread_ = std::thread([this] { impl_->io.run(); });
}

void admin_http::stop() {
  if (!thread_.joinable()) return;
  impl_->io.stop();
  thread_.join();
}

void admin_http::respond(uint64_t id, admin_response r) {
  asio::post(impl_->io, [this, id, r = std::move(r)]() mutable {
    auto it = impl_->waiting.find(id);
    if (it == impl_->waiting.end()) return;
    auto session = std::move(it->second);
    impl_->waiting.erase(it);
    session->write(std::move(r));
  });
}

}  // namespace troupe
