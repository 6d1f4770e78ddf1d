#include "server/json_io.h"

#include <cmath>

#include "server/api_error.h"

namespace qwenrt::server {

Json parse_request_body(std::string_view body) {
  // The callback sees every nesting level as it opens, so hostile depth is refused before
  // anything deep is built (copies and dumps of nlohmann values recurse).
  auto limit_depth = [](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= kMaxRequestJsonDepth) {
      throw invalid_request("request body nests deeper than " + std::to_string(kMaxRequestJsonDepth) +
                            " levels");
    }
    return true;
  };
  Json parsed;
  try {
    parsed = Json::parse(body.begin(), body.end(), limit_depth);
  } catch (const Json::parse_error& e) {
    throw invalid_request(std::string("request body is not valid JSON: ") + e.what());
  }
  if (!parsed.is_object()) throw invalid_request("request body must be a JSON object");
  return parsed;
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json* get_field(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string string_field(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<double> get_number(const Json& object, const char* key) {
  const Json* v = get_field(object, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) throw invalid_request(std::string("'") + key + "' must be a number", key);
  const double d = v->get<double>();
  if (!std::isfinite(d)) throw invalid_request(std::string("'") + key + "' must be finite", key);
  return d;
}

std::optional<int64_t> get_integer(const Json& object, const char* key) {
  const Json* v = get_field(object, key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      throw invalid_request(std::string("'") + key + "' is too large", key);
    }
    return v->get<int64_t>();
  }
  // 3.0 is an integer to Python clients that send floats.
  if (v->is_number_float()) {
    const double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) return static_cast<int64_t>(d);
  }
  throw invalid_request(std::string("'") + key + "' must be an integer", key);
}

std::optional<bool> get_bool(const Json& object, const char* key) {
  const Json* v = get_field(object, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw invalid_request(std::string("'") + key + "' must be a boolean", key);
  return v->get<bool>();
}

std::optional<std::string> get_string(const Json& object, const char* key) {
  const Json* v = get_field(object, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw invalid_request(std::string("'") + key + "' must be a string", key);
  return v->get<std::string>();
}

}  // namespace qwenrt::server
