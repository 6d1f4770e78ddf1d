// A model's configuration read from GGUF metadata, in the shape config.json gives it
// (ModelConfig, GenerationConfig), so the model code need not know which file it came
// from. Keys and defaults follow llama.cpp's loader for the qwen2 / qwen3 architectures
// (src/llama-model.cpp); values that only config.json carries take transformers' meaning.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "io/gguf.h"
#include "io/hf_config.h"

namespace qwenrt {

// Typed metadata lookups. An absent key gives nullopt; a key whose type cannot hold what
// is asked throws Error naming the source, the key, its type and its byte offset.
// Integers: any integer type whose value fits int64. Floats: f32 or f64, or an integer.
std::optional<int64_t> gguf_int(const GgufContents& g, std::string_view key);
std::optional<double> gguf_float(const GgufContents& g, std::string_view key);
std::optional<bool> gguf_bool(const GgufContents& g, std::string_view key);
std::optional<std::string> gguf_string(const GgufContents& g, std::string_view key);

// ModelConfig from metadata. general.architecture "qwen2" -> Qwen2ForCausalLM, "qwen3" ->
// Qwen3ForCausalLM; any other architecture throws Error naming it. Sizes come from
// {arch}.block_count, embedding_length, feed_forward_length, attention.head_count,
// attention.head_count_kv (absent: head_count), attention.key_length (head_dim; absent:
// embedding_length / head_count), context_length, rope.freq_base (absent: 10000),
// attention.layer_norm_rms_epsilon; the vocabulary size is the token list's length (else
// {arch}.vocab_size, else token_embd.weight's rows) and must match token_embd.weight.
// Embeddings are tied exactly when output.weight is absent. Biases: qwen2 always has q/k/v
// biases (as Qwen2's modeling file); qwen3 has attention_bias when blk.0.attn_q.bias exists.
// Throws Error naming the source and key on a missing or ill-typed key or a bad value.
ModelConfig model_config_from_gguf(const GgufContents& g);

// Generation defaults: eos_token_ids = tokenizer.ggml.eos_token_id, then eot and eom ids
// when present; bos/pad ids; and llama.cpp's general.sampling.* keys (top_k, top_p,
// min_p, temp, penalty_repeat) where present. Everything else stays unset.
GenerationConfig generation_config_from_gguf(const GgufContents& g);

}  // namespace qwenrt
