#include "server/http_server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "server/api_error.h"
#include "server/chat_handler.h"
#include "server/client_connection.h"
#include "server/completion_handler.h"
#include "server/info_endpoints.h"
#include "server/tokenize_endpoints.h"

namespace qwenrt::server {
namespace {

using httplib::Request;
using httplib::Response;

void write_error(Response& res, const ApiError& e) {
  res.status = e.status();
  res.set_content(dump_json(error_body(e)), "application/json");
}

// The error object for statuses httplib itself answers (413, 404, 400 for bad HTTP).
ApiError status_error(int status) {
  switch (status) {
    case 413: return ApiError(413, "invalid_request_error", "request body is too large", "", "request_too_large");
    case 404: return ApiError(404, "invalid_request_error", "no such endpoint", "", "not_found");
    case 405: return ApiError(405, "invalid_request_error", "method not allowed for this endpoint");
    default:
      if (status >= 500) return ApiError(status, "server_error", "internal server error");
      return ApiError(status, "invalid_request_error", "bad request");
  }
}

bool needs_key(const std::string& path) {
  return path.rfind("/v1/", 0) == 0 || path == "/tokenize" || path == "/detokenize";
}

// Constant-time comparison, so response timing does not reveal how much of a key matched.
bool same_key(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0 && !b.empty();
}

// Debian's cpp-httplib is built with a listen backlog of 5, so a burst of connections
// overflows the kernel's accept queue and clients see resets instead of 429s. Calling
// listen() again on a listening socket only resizes its backlog; the library keeps no
// handle to it we could reach, so find it by its port among our descriptors.
void widen_listen_backlog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) continue;
    int bound = -1;
    if (addr.ss_family == AF_INET) bound = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) bound = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (bound == port) ::listen(fd, SOMAXCONN);
  }
}

}  // namespace

struct HttpServer::Impl {
  ServerContext& ctx;
  HttpOptions options;
  httplib::Server http;

  using Handler = std::function<ApiResponse(const Json& body, const RequestOrigin& origin)>;

  // Runs a JSON endpoint: parse, handle, map failures, count the outcome.
  void answer(const std::string& endpoint, const Request& req, Response& res, const Handler& handler) {
    auto connection = std::make_shared<ClientConnection>(req.remote_addr, req.remote_port);
    const RequestOrigin origin{Clock::now(), [connection] { return connection->gone(); }};
    try {
      ApiResponse r = handler(parse_request_body(req.body), origin);
      res.status = r.status;
      if (r.stream) {
        std::shared_ptr<EventStream> stream = std::move(r.stream);
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider(r.content_type, [stream](size_t, httplib::DataSink& sink) {
          const std::optional<std::string> piece = stream->next(std::chrono::milliseconds(200));
          if (!piece) {
            sink.done();
            return true;
          }
          if (piece->empty()) return sink.is_writable();  // nothing yet: is the client still there?
          return sink.write(piece->data(), piece->size());  // false: client gone, stream dropped
        });
      } else {
        res.set_content(r.body, r.content_type);
      }
    } catch (const ApiError& e) {
      write_error(res, e);
    } catch (const QueueFullError& e) {
      write_error(res, ApiError(429, "rate_limit_error", std::string("server busy: ") + e.what(), "",
                                "rate_limit_exceeded"));
      res.set_header("Retry-After", "1");
    } catch (const ContextLengthError& e) {
      write_error(res, ApiError(400, "invalid_request_error", e.what(),
                                endpoint == "/v1/completions" ? "prompt" : "messages", "context_length_exceeded"));
    } catch (const Error& e) {
      write_error(res, invalid_request(e.what()));
    } catch (const nlohmann::json::exception& e) {  // a request value of an unexpected type
      write_error(res, invalid_request(std::string("invalid request: ") + e.what()));
    } catch (const std::exception& e) {
      write_error(res, ApiError(500, "server_error", std::string("internal error: ") + e.what()));
    }
    ctx.metrics.count_request(endpoint, res.status);
  }

  void post(const std::string& path, Handler handler) {
    http.Post(path, [this, path, handler](const Request& req, Response& res) { answer(path, req, res, handler); });
  }

  void routes() {
    post("/v1/chat/completions", [this](const Json& b, const RequestOrigin& o) { return handle_chat_completions(ctx, b, o); });
    post("/v1/completions", [this](const Json& b, const RequestOrigin& o) { return handle_completions(ctx, b, o); });
    post("/tokenize", [this](const Json& b, const RequestOrigin&) { return handle_tokenize(ctx, b); });
    post("/detokenize", [this](const Json& b, const RequestOrigin&) { return handle_detokenize(ctx, b); });
    http.Get("/v1/models", [this](const Request&, Response& res) {
      const ApiResponse r = handle_models(ctx);
      res.set_content(r.body, r.content_type);
      ctx.metrics.count_request("/v1/models", res.status);
    });
    http.Get("/health", [this](const Request&, Response& res) {
      const ApiResponse r = handle_health(ctx);
      res.set_content(r.body, r.content_type);
    });
    http.Get("/metrics", [this](const Request&, Response& res) {
      res.set_content(ctx.metrics.render(ctx.engine.metrics()), "text/plain; version=0.0.4");
    });
  }

  void guards() {
    http.set_payload_max_length(options.max_body_bytes);
    http.set_pre_routing_handler([this](const Request& req, Response& res) {
      if (options.api_key.empty() || !needs_key(req.path)) return httplib::Server::HandlerResponse::Unhandled;
      const std::string auth = req.get_header_value("Authorization");
      const std::string prefix = "Bearer ";
      if (auth.rfind(prefix, 0) == 0 && same_key(auth.substr(prefix.size()), options.api_key)) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      write_error(res, ApiError(401, "invalid_request_error", "invalid or missing API key (Authorization: Bearer KEY)",
                                "", "invalid_api_key"));
      ctx.metrics.count_request(req.path, 401);
      return httplib::Server::HandlerResponse::Handled;
    });
    // Statuses httplib answers by itself (unknown path, oversize body) get the same shape.
    http.set_error_handler(httplib::Server::HandlerWithResponse([this](const Request& req, Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      write_error(res, status_error(res.status));
      if (res.status == 413) ctx.metrics.count_request(req.path, 413);
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
      write_error(res, ApiError(500, "server_error", "internal error"));
    });
  }
};

HttpServer::HttpServer(ServerContext& context, HttpOptions options) : impl_(new Impl{context, std::move(options), {}}) {
  const size_t threads = static_cast<size_t>(std::max(4, impl_->options.threads));
  impl_->http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->http.set_keep_alive_timeout(2);
  // Without it Nagle's algorithm holds small writes (SSE events, a response body after
  // its headers) until the client's delayed ACK: tens of milliseconds per token.
  impl_->http.set_tcp_nodelay(true);
  impl_->guards();
  impl_->routes();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  Impl& s = *impl_;
  int port = s.options.port;
  if (port == 0) {
    port = s.http.bind_to_any_port(s.options.host);
  } else if (!s.http.bind_to_port(s.options.host, port)) {
    port = -1;
  }
  check(port > 0, "cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
                      " (address in use or not available)");
  widen_listen_backlog(port);
  return port;
}

void HttpServer::serve() { impl_->http.listen_after_bind(); }

void HttpServer::stop() { impl_->http.stop(); }

}  // namespace qwenrt::server
