// The HTTP front: routes, API-key check, body size limit, and the mapping of every
// failure to an OpenAI error object with its status (429 + Retry-After for a full queue,
// 400 context_length_exceeded, 401, 404, 413, 500). Streams are written as Server-Sent
// Events; a client that goes away mid-stream has its sequences cancelled.
// The API key guards /v1/* and /tokenize, /detokenize; /health and /metrics stay open
// for load balancers and Prometheus scrapers.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "server/api_response.h"

namespace qwenrt::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8000;             // 0: any free port (see bound_port())
  std::string api_key;         // empty: no authentication
  size_t max_body_bytes = size_t{8} << 20;
  int threads = 64;            // connections served at once (each stream holds one)
};

class HttpServer {
 public:
  HttpServer(ServerContext& context, HttpOptions options);
  ~HttpServer();

  // Binds the port; throws Error when it cannot. Returns the port bound.
  int bind();
  // Serves until stop(); call after bind().
  void serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qwenrt::server
