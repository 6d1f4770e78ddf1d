#include "server/chat_request.h"

#include "server/api_error.h"
#include "server/chat_messages.h"

namespace qwenrt::server {
namespace {

void require_grammars(const ServingModel& model, const char* param) {
  if (!model.grammars) {
    throw invalid_request(std::string("structured output is not available for this model: its ") +
                              std::to_string(model.vocab_rows) + " logit rows do not cover the tokenizer",
                          param);
  }
}

}  // namespace

void check_model(const Json& body, const ServingModel& model) {
  auto name = get_string(body, "model");
  if (name && *name != model.id) {
    throw ApiError(404, "invalid_request_error",
                   "The model '" + *name + "' does not exist; this server serves '" + model.id + "'", "model",
                   "model_not_found");
  }
}

std::shared_ptr<const grammar::CompiledGrammar> response_format_grammar(const Json& body, const ServingModel& model) {
  const Json* format = get_field(body, "response_format");
  if (!format) return nullptr;
  const std::string type = string_field(*format, "type");
  try {
    if (type == "text") return nullptr;
    if (type == "json_object") {
      require_grammars(model, "response_format");
      return model.grammars->any_json_object();
    }
    if (type == "json_schema") {
      const Json* spec = get_field(*format, "json_schema");
      const Json* schema = spec && spec->is_object() ? get_field(*spec, "schema") : nullptr;
      if (!schema) throw invalid_request("response_format.json_schema.schema is required", "response_format");
      require_grammars(model, "response_format");
      return model.grammars->json_schema(dump_json(*schema));
    }
  } catch (const ApiError&) {
    throw;
  } catch (const Error& e) {
    throw invalid_request(std::string("response_format: ") + e.what(), "response_format");
  }
  throw invalid_request("response_format.type must be \"text\", \"json_object\" or \"json_schema\"", "response_format");
}

ChatPlan plan_chat(const Json& body, const ServingModel& model, const RequestLimits& limits) {
  check_model(body, model);
  ChatPlan plan;
  plan.settings = parse_generation_settings(body, Endpoint::kChat, model.default_sampling, model.context_size, limits);
  plan.tool_choice = parse_tool_choice(body);
  const bool show_tools = plan.tool_choice.kind != ToolChoice::Kind::kNone;
  const Json* given_tools = get_field(body, "tools");
  const Json tools = show_tools && given_tools ? *given_tools : Json();

  if (!model.chat_template) {
    throw invalid_request("model '" + model.id + "' has no chat template; use /v1/completions");
  }
  const std::string prompt = render_chat_prompt(model, body, tools, /*add_generation_prompt=*/true);
  plan.settings.sequence.prompt = model.tokenizer->encode(prompt);
  model.check_prompt_ids(plan.settings.sequence.prompt, "messages");

  plan.settings.sequence.grammar = response_format_grammar(body, model);
  if (plan.tool_choice.forced()) {
    if (plan.settings.sequence.grammar) {
      throw invalid_request("'response_format' cannot be combined with a required or named tool_choice",
                            "response_format");
    }
    require_grammars(model, "tool_choice");
    try {
      plan.settings.sequence.grammar = grammar::CompiledGrammar::compile(
          forced_tool_call_grammar(tools, plan.tool_choice), model.tool_vocab, model.tool_masks);
    } catch (const ApiError&) {
      throw;
    } catch (const Error& e) {
      throw invalid_request(std::string("tools: ") + e.what(), "tools");
    }
  }

  // Text under a grammar (forced calls, JSON) is never thought, so it is not parsed as such.
  if (model.has_reasoning && !plan.settings.sequence.grammar) plan.output.reasoning = ReasoningParserOptions{prompt_ends_in_reasoning(prompt)};
  if (show_tools) {
    // Forced calls are written in Hermes form whatever the model's own format.
    plan.output.tool_call_format = plan.tool_choice.forced() ? ToolCallFormat::kHermes : model.tool_call_format;
    plan.output.tool_calls.tools = tools;
  }
  return plan;
}

}  // namespace qwenrt::server
