// Reading request bodies and writing responses. Bodies come from strangers: parse errors
// and hostile nesting become 400s; model text may be invalid UTF-8, so responses are
// written with invalid bytes replaced by U+FFFD instead of throwing.
// Objects keep their key order (ordered_json): chat templates print tool schemas and
// arguments with tojson, whose output follows insertion order.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace qwenrt::server {

using Json = nlohmann::ordered_json;

inline constexpr int kMaxRequestJsonDepth = 64;

// Throws ApiError 400 for malformed JSON, a non-object top level, or nesting deeper than
// kMaxRequestJsonDepth.
Json parse_request_body(std::string_view body);

std::string dump_json(const Json& value);

// Typed optional fields of a request object; a present field of the wrong type (or out of
// range) throws ApiError 400 naming `key`. null counts as absent.
std::optional<double> get_number(const Json& object, const char* key);
std::optional<int64_t> get_integer(const Json& object, const char* key);
std::optional<bool> get_bool(const Json& object, const char* key);
std::optional<std::string> get_string(const Json& object, const char* key);
// Present and not null.
const Json* get_field(const Json& object, const char* key);
// object[key] when `object` is an object holding a string there, else "" (never throws:
// for discriminators like "type" whose wrong values are reported by the caller).
std::string string_field(const Json& object, const char* key);

}  // namespace qwenrt::server
