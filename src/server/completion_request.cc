#include "server/completion_request.h"

#include "server/api_error.h"
#include "server/chat_request.h"

namespace qwenrt::server {
namespace {

constexpr size_t kMaxPrompts = 64;

bool is_token_list(const Json& v) {
  if (!v.is_array() || v.empty()) return false;
  for (const Json& x : v) {
    if (!x.is_number_integer()) return false;
  }
  return true;
}

std::vector<int32_t> token_ids(const Json& list, const ServingModel& model) {
  std::vector<int32_t> ids;
  for (const Json& x : list) {
    const int64_t id = x.is_number_unsigned() && x.get<uint64_t>() > INT64_MAX ? -1 : x.get<int64_t>();
    if (id < 0 || id >= model.vocab_rows) {
      throw invalid_request("prompt token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                                std::to_string(model.vocab_rows) + " ids",
                            "prompt");
    }
    ids.push_back(static_cast<int32_t>(id));
  }
  return ids;
}

}  // namespace

std::string fim_prompt(const Tokenizer& tokenizer, const std::string& prefix, const std::string& suffix) {
  for (const char* token : {"<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"}) {
    if (!tokenizer.token_to_id(token)) {
      throw invalid_request(std::string("'suffix' (fill-in-the-middle) needs the token ") + token +
                                ", which this model's tokenizer lacks",
                            "suffix");
    }
  }
  return "<|fim_prefix|>" + prefix + "<|fim_suffix|>" + suffix + "<|fim_middle|>";
}

CompletionPlan plan_completion(const Json& body, const ServingModel& model, const RequestLimits& limits) {
  check_model(body, model);
  CompletionPlan plan;
  plan.settings = parse_generation_settings(body, Endpoint::kCompletions, model.default_sampling,
                                            model.context_size, limits);
  plan.echo = get_bool(body, "echo").value_or(false);
  if (plan.echo && plan.settings.logprobs) {
    // The engine reports log-probabilities of generated tokens only.
    throw invalid_request("'echo' together with 'logprobs' is not supported (no prompt log-probabilities)", "echo");
  }
  const auto suffix = get_string(body, "suffix");
  const Json* prompt = get_field(body, "prompt");
  if (!prompt) throw invalid_request("'prompt' is required", "prompt");

  std::vector<const Json*> items;  // each one prompt: a string or a token list
  if (prompt->is_string() || is_token_list(*prompt)) {
    items.push_back(prompt);
  } else if (prompt->is_array() && !prompt->empty()) {
    for (const Json& p : *prompt) items.push_back(&p);
  } else {
    throw invalid_request("'prompt' must be a string, a list of strings, a list of token ids or a list of those",
                          "prompt");
  }
  if (items.size() * static_cast<size_t>(plan.settings.n) > kMaxPrompts) {
    throw invalid_request("at most " + std::to_string(kMaxPrompts) + " sequences (prompts x n) per request", "prompt");
  }
  for (const Json* item : items) {
    CompletionPrompt p;
    if (item->is_string()) {
      p.echo_text = item->get<std::string>();
      const std::string text = suffix ? fim_prompt(*model.tokenizer, p.echo_text, *suffix) : p.echo_text;
      p.tokens = model.tokenizer->encode(text);
    } else if (is_token_list(*item)) {
      if (suffix) throw invalid_request("'suffix' needs a text prompt", "suffix");
      p.tokens = token_ids(*item, model);
      try {
        p.echo_text = model.tokenizer->decode(p.tokens);
      } catch (const Error& e) {
        throw invalid_request(std::string("prompt: ") + e.what(), "prompt");
      }
    } else {
      throw invalid_request("each prompt must be a string or a non-empty list of token ids", "prompt");
    }
    if (p.tokens.empty()) throw invalid_request("'prompt' must not be empty", "prompt");
    model.check_prompt_ids(p.tokens, "prompt");
    plan.prompts.push_back(std::move(p));
  }
  return plan;
}

}  // namespace qwenrt::server
