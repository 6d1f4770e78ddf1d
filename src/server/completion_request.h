// A /v1/completions body -> the sequences to run: one prompt (text or token ids) or a
// list of them, each run n times. `suffix` asks Qwen2.5-Coder for fill-in-the-middle:
// the prompt becomes <|fim_prefix|>{prompt}<|fim_suffix|>{suffix}<|fim_middle|>.
#pragma once
#include <string>
#include <vector>

#include "server/generation_settings.h"
#include "server/serving_model.h"

namespace qwenrt::server {

struct CompletionPrompt {
  std::vector<int32_t> tokens;
  std::string echo_text;  // the prompt as text, for echo
};

struct CompletionPlan {
  GenerationSettings settings;  // sequence.prompt empty: one per prompt below
  std::vector<CompletionPrompt> prompts;
  bool echo = false;
};

// Throws ApiError 404 for another model, 400 naming the field for invalid input.
CompletionPlan plan_completion(const Json& body, const ServingModel& model, const RequestLimits& limits);

// The fill-in-the-middle prompt text; throws ApiError 400 when the tokenizer lacks the
// FIM tokens.
std::string fim_prompt(const Tokenizer& tokenizer, const std::string& prefix, const std::string& suffix);

}  // namespace qwenrt::server
