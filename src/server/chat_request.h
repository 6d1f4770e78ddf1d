// A /v1/chat/completions body -> what the engine runs (prompt tokens rendered with the
// model's chat template, sampling, grammar) and how its text is read back (reasoning
// and tool-call parsers).
#pragma once
#include "chat/chat_output_parser.h"
#include "server/generation_settings.h"
#include "server/serving_model.h"
#include "server/tool_choice.h"

namespace qwenrt::server {

struct ChatPlan {
  GenerationSettings settings;  // sequence.prompt and sequence.grammar filled in
  ChatOutputOptions output;     // for one ChatOutputParser per choice
  ToolChoice tool_choice;
};

// Throws ApiError: 404 model_not_found for another model's id, 400 for anything invalid
// in the body (naming the field), for a template that raises, or for structured output
// this model cannot enforce.
ChatPlan plan_chat(const Json& body, const ServingModel& model, const RequestLimits& limits);

// 404 model_not_found unless body["model"] is absent or names the served model.
void check_model(const Json& body, const ServingModel& model);

// The grammar response_format asks for; null for none / {"type": "text"}.
std::shared_ptr<const grammar::CompiledGrammar> response_format_grammar(const Json& body, const ServingModel& model);

}  // namespace qwenrt::server
