// GET /v1/models (the one served model), GET /health.
#pragma once
#include "server/api_response.h"

namespace qwenrt::server {

ApiResponse handle_models(const ServerContext& context);
// 200 while the engine runs.
ApiResponse handle_health(const ServerContext& context);

}  // namespace qwenrt::server
