#include "engine/generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "base/error.h"
#include "engine/constrained_step.h"
#include "sampling/stop_strings.h"

namespace qwenrt {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Generator::Generator(CausalLM& model, const Tokenizer& tokenizer, std::vector<int32_t> eos_ids,
                     int64_t context_size)
    : model_(model), tokenizer_(tokenizer), eos_ids_(std::move(eos_ids)),
      context_size_(std::min(context_size, model.shape().max_positions)) {
  for (int32_t id = 0; id < model.shape().vocab; ++id) {
    if (!tokenizer.has_token(id)) tokenless_ids_.push_back(id);
  }
}

GenerationResult Generator::generate(const GenerationRequest& request,
                                     const std::function<void(std::string_view)>& on_text) {
  const int64_t n_prompt = static_cast<int64_t>(request.prompt.size());
  check(n_prompt > 0, "the prompt is empty");
  check(n_prompt < context_size_, "the prompt has " + std::to_string(n_prompt) +
                                      " tokens but the context holds " +
                                      std::to_string(context_size_));
  check(request.max_tokens >= 0, "max_tokens must be >= 0");
  ConstrainedSampler sampler(request.sampling, static_cast<int32_t>(model_.shape().vocab), request.grammar,
                             eos_ids_, tokenless_ids_);
  StopStringMatcher stops(request.stop);
  StreamDecoder decoder(tokenizer_);
  GenerationResult result;
  auto emit = [&](const std::string& text) {
    result.text += text;
    if (on_text && !text.empty()) on_text(text);
  };

  const int64_t budget = std::min(request.max_tokens, context_size_ - n_prompt);
  if (budget < sampler.min_tokens_to_finish()) {
    throw Error("max_tokens " + std::to_string(budget) + " cannot hold the structured output: it needs at least " +
                std::to_string(sampler.min_tokens_to_finish()) + " tokens");
  }
  KVCache cache = model_.make_cache(n_prompt + budget);
  std::vector<float> logits(static_cast<size_t>(model_.shape().vocab));
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t start = 0; start < n_prompt; start += kPrefillChunk) {
    const int64_t n = std::min(kPrefillChunk, n_prompt - start);
    model_.forward(request.prompt.data() + start, n, cache, logits.data(), false);
  }
  result.prompt_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  result.finish_reason = "length";
  while (static_cast<int64_t>(result.tokens.size()) < budget) {
    const int64_t left = budget - static_cast<int64_t>(result.tokens.size());
    const int32_t token = sampler.next(logits.data(), request.prompt, result.tokens, left);
    result.tokens.push_back(token);
    const bool is_eos = std::find(eos_ids_.begin(), eos_ids_.end(), token) != eos_ids_.end();
    if (is_eos && (!request.ignore_eos || request.grammar)) {  // a grammar's EOS ends its value
      result.finish_reason = "stop";
      break;
    }
    const StopStringMatcher::Step step = stops.push(decoder.push(token));
    emit(step.text);
    if (step.stopped || sampler.finished()) {
      result.finish_reason = "stop";
      break;
    }
    if (static_cast<int64_t>(result.tokens.size()) == budget) break;
    model_.forward(&token, 1, cache, logits.data(), false);
  }
  if (!stops.stopped()) emit(stops.push(decoder.flush()).text + stops.flush());
  result.generation_seconds = seconds_since(t0);
  return result;
}

}  // namespace qwenrt
