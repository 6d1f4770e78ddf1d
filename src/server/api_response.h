// What an endpoint handler returns to the HTTP layer: a whole body, or an event stream
// (Server-Sent Events) that the HTTP layer pulls from until it ends or the client leaves.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "server/generation_settings.h"
#include "server/json_io.h"
#include "server/metrics.h"
#include "server/serving_model.h"

namespace qwenrt::server {

class EventStream {
 public:
  virtual ~EventStream() = default;  // a stream dropped early cancels its sequences
  // Waits at most `wait` for progress. Returns the text to send ("" when nothing is ready
  // yet) or nullopt once everything, "data: [DONE]" included, has been returned.
  virtual std::optional<std::string> next(std::chrono::milliseconds wait) = 0;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::unique_ptr<EventStream> stream;  // set: the body is streamed as text/event-stream
};

inline ApiResponse json_response(const Json& body, int status = 200) {
  ApiResponse r;
  r.status = status;
  r.body = dump_json(body);
  return r;
}

// The answer to a request whose client left before it was done: nobody reads it, but
// the request metrics count it under nginx's 499 ("client closed request").
inline ApiResponse client_closed_response() {
  ApiResponse r;
  r.status = 499;
  return r;
}

// What handlers work with; owned by the server.
struct ServerContext {
  const ServingModel& model;
  Engine& engine;
  ServerMetrics& metrics;
  RequestLimits limits;
};

}  // namespace qwenrt::server
