// Everything `qwenrt run/bench/serve` needs from a model path: the network, its
// tokenizer and its generation defaults, from a Hugging Face directory or a GGUF file.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/gguf_tokenizer.h"
#include "io/hf_config.h"
#include "model/causal_lm.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt {

struct LoadedModel {
  std::unique_ptr<CausalLM> model;
  Tokenizer tokenizer;
  GenerationConfig generation;
  std::vector<int32_t> eos_ids;  // generation_config's, else the tokenizer's eos
};

// `path` is a checkpoint directory (config.json, safetensors, tokenizer.json) or a
// .gguf file (metadata, tensors and tokenizer all inside).
LoadedModel load_model(const std::string& path, ThreadPool& pool);

// The byte-level BPE tokenizer a GGUF file embeds, built as llama.cpp reads it:
// CONTROL tokens are special added tokens, USER_DEFINED ones non-special added tokens
// matched in the raw text, pre-tokenizer "qwen2" is Qwen's Split regex after NFC.
Tokenizer tokenizer_from_gguf(const GgufTokenizer& gguf, const std::string& source);

}  // namespace qwenrt
