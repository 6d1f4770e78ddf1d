#include "server/info_endpoints.h"

namespace qwenrt::server {

ApiResponse handle_models(const ServerContext& ctx) {
  Json model = Json::object();
  model["id"] = ctx.model.id;
  model["object"] = "model";
  model["created"] = ctx.model.created;
  model["owned_by"] = "qwenrt";
  model["max_model_len"] = ctx.model.context_size;
  Json list = Json::object();
  list["object"] = "list";
  list["data"] = Json::array({std::move(model)});
  return json_response(list);
}

ApiResponse handle_health(const ServerContext& ctx) {
  const EngineMetrics m = ctx.engine.metrics();
  Json j = Json::object();
  j["status"] = "ok";
  j["running"] = m.running;
  j["waiting"] = m.waiting;
  return json_response(j);
}

}  // namespace qwenrt::server
