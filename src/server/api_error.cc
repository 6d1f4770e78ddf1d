#include "server/api_error.h"

namespace qwenrt::server {

ApiError invalid_request(const std::string& message, const std::string& param) {
  return ApiError(400, "invalid_request_error", message, param);
}

nlohmann::ordered_json error_body(const ApiError& error) {
  nlohmann::ordered_json e;
  e["message"] = error.what();
  e["type"] = error.type();
  e["param"] = error.param().empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(error.param());
  e["code"] = error.code().empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(error.code());
  return {{"error", std::move(e)}};
}

}  // namespace qwenrt::server
