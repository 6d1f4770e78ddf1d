// Arbitrary request bodies through the server's request planning: JSON parsing, then
// /v1/chat/completions (messages, tools, tool_choice, response_format → chat template,
// grammars) or /v1/completions (prompts, token ids, FIM, stop, logprobs), with Qwen3's
// real tokenizer and template. A stranger's body may only ever be answered with a 4xx:
// ApiError, or the qwenrt::Error / JSON type errors the HTTP layer turns into 400. Any
// other exception would reach the client as a 500 and traps here.
//
// Input layout: byte 0 picks the endpoint (bit 0), the rest is the body.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "base/error.h"
#include "server/api_error.h"
#include "server/chat_request.h"
#include "server/completion_request.h"

namespace {

using namespace qwenrt;

const server::ServingModel& serving_model() {
  static const std::string dir = std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer";
  static const Tokenizer tokenizer = Tokenizer::from_directory(dir);
  // Small limits keep one input's work bounded (max_tokens, n, grammar sizes).
  static const server::ServingModel model =
      server::make_serving_model(tokenizer, 151936, dir, "qwen3", {}, 512);
  return model;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const server::ServingModel& model = serving_model();
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  server::RequestLimits limits;
  limits.max_n = 4;
  try {
    const server::Json json = server::parse_request_body(body);
    if (data[0] & 1) {
      server::plan_completion(json, model, limits);
    } else {
      server::plan_chat(json, model, limits);
    }
  } catch (const server::ApiError&) {
  } catch (const Error&) {
  } catch (const nlohmann::json::exception&) {
  } catch (const std::exception&) {
    __builtin_trap();
  }
  return 0;
}
