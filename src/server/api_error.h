// Errors the API reports to clients, in OpenAI's shape:
// {"error": {"message", "type", "param", "code"}} with the HTTP status that goes with it.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace qwenrt::server {

class ApiError : public Error {
 public:
  ApiError(int status, std::string type, const std::string& message, std::string param = "",
           std::string code = "")
      : Error(message), status_(status), type_(std::move(type)), param_(std::move(param)),
        code_(std::move(code)) {}

  int status() const { return status_; }
  const std::string& type() const { return type_; }
  const std::string& param() const { return param_; }  // empty: null in the body
  const std::string& code() const { return code_; }    // empty: null in the body

 private:
  int status_;
  std::string type_, param_, code_;
};

// 400 invalid_request_error, naming the request field at fault.
ApiError invalid_request(const std::string& message, const std::string& param = "");

// The response body for an error.
nlohmann::ordered_json error_body(const ApiError& error);

}  // namespace qwenrt::server
