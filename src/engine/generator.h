// Single-sequence generation: prefill the prompt, then sample token by token until an
// end-of-sequence id, a stop string or the token limit. The streaming server's batched
// scheduler builds on the same pieces.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/causal_lm.h"
#include "sampling/grammar/compiled_grammar.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt {

struct GenerationRequest {
  std::vector<int32_t> prompt;
  SamplingParams sampling;
  int64_t max_tokens = 256;
  std::vector<std::string> stop;  // stop strings; the matched text is not returned
  bool ignore_eos = false;
  // Structured output: every token is masked by this grammar, the output is a complete
  // value within max_tokens (or generate() throws Error when max_tokens cannot hold
  // one) and ends with finish_reason "stop". Null: unconstrained.
  std::shared_ptr<const grammar::CompiledGrammar> grammar;
};

struct GenerationResult {
  std::vector<int32_t> tokens;   // generated ids (without the prompt)
  std::string text;              // their text, cut before a stop string
  std::string finish_reason;     // "stop" (EOS or stop string) or "length"
  double prompt_seconds = 0, generation_seconds = 0;
};

class Generator {
 public:
  // `eos_ids` end generation (from generation_config.json); `context_size` bounds prompt
  // plus output.
  Generator(CausalLM& model, const Tokenizer& tokenizer, std::vector<int32_t> eos_ids,
            int64_t context_size);

  // Calls `on_text` with each piece of text as soon as it is safe to show (whole UTF-8
  // characters, never part of a stop string).
  GenerationResult generate(const GenerationRequest& request,
                            const std::function<void(std::string_view)>& on_text = nullptr);

 private:
  CausalLM& model_;
  const Tokenizer& tokenizer_;
  std::vector<int32_t> eos_ids_;
  int64_t context_size_;
  // Logit rows the tokenizer has no token for (the model pads its vocabulary): never sampled.
  std::vector<int32_t> tokenless_ids_;
};

// Prompt tokens run through the model this many at a time, bounding activation memory.
inline constexpr int64_t kPrefillChunk = 512;

}  // namespace qwenrt
