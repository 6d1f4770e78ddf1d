// Pieces every OpenAI response shares: ids, usage, per-token logprobs, SSE framing.
#pragma once
#include <cstdint>
#include <string>

#include "sampling/sampler.h"
#include "server/json_io.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::server {

// The fields that identify a response and repeat in each of its stream chunks.
struct ResponseHeader {
  std::string id;       // "chatcmpl-..." / "cmpl-..."
  std::string object;   // "chat.completion", "chat.completion.chunk", "text_completion"
  int64_t created = 0;  // unix seconds
  std::string model;
};

// `prefix` + 24 random alphanumerics.
std::string random_id(const std::string& prefix);
int64_t unix_now();

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;
};
Json usage_json(const Usage& usage);

Json header_json(const ResponseHeader& header);

// A token as logprobs show it: its text (invalid UTF-8 replaced when written) and bytes.
std::string token_text(const Tokenizer& tokenizer, int32_t id);

// Chat's logprobs.content[i]: {"token", "logprob", "bytes", "top_logprobs": [...]}.
Json chat_logprob_entry(const Tokenizer& tokenizer, const SampledToken& sampled);

// "data: {...}\n\n" and the stream's end marker.
std::string sse_event(const Json& value);
inline constexpr const char* kSseDone = "data: [DONE]\n\n";

}  // namespace qwenrt::server
