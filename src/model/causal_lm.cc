#include "model/causal_lm.h"

#include <optional>

#include "base/error.h"
#include "io/checkpoint.h"
#include "io/gguf.h"
#include "io/gguf_config.h"
#include "io/hf_config.h"
#include "model/architectures.h"
#include "model/decoder.h"
#include "model/rope_frequencies.h"

namespace qwenrt {

ModelShape common_decoder_shape(const ModelConfig& c) {
  check(!c.rope.partial_rotary_factor || *c.rope.partial_rotary_factor == 1.0,
        c.source + ": partial_rotary_factor is not supported");
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    check(!c.is_sliding_layer(i), c.source + ": sliding-window attention (layer " +
                                      std::to_string(i) + ") is not supported");
  }
  check(c.hidden_act == "silu", c.source + ": hidden_act '" + c.hidden_act + "' is not supported");
  check(!c.o_bias, c.source + ": a bias on o_proj is not supported");
  check(c.head_dim % 2 == 0, c.source + ": head_dim must be even for RoPE");
  rope_frequencies(c.rope, c.head_dim, c.max_position_embeddings, c.source);  // refuses rope types it lacks
  ModelShape s;
  s.architecture = c.architecture;
  s.n_layers = c.num_hidden_layers;
  s.hidden = c.hidden_size;
  s.intermediate = c.intermediate_size;
  s.n_heads = c.num_attention_heads;
  s.n_kv_heads = c.num_key_value_heads;
  s.head_dim = c.head_dim;
  s.vocab = c.vocab_size;
  s.max_positions = c.max_position_embeddings;
  s.rope = c.rope;
  s.qkv_bias = c.qkv_bias;
  s.rms_norm_eps = c.rms_norm_eps;
  s.tied_embeddings = c.tie_word_embeddings;
  return s;
}

std::unique_ptr<CausalLM> CausalLM::load(const std::string& path, ThreadPool& pool) {
  // A GGUF file carries its config in its metadata; a directory has config.json.
  std::optional<Checkpoint> gguf;
  if (is_gguf_file(path)) gguf = Checkpoint::open(path);
  const ModelConfig config = gguf ? model_config_from_gguf(gguf->gguf()->contents())
                                  : read_model_config(path);
  ModelShape shape;
  if (config.architecture == "Qwen2ForCausalLM") {
    shape = qwen2_shape(config);
  } else if (config.architecture == "Qwen3ForCausalLM") {
    shape = qwen3_shape(config);
  } else if (config.architecture == "Qwen2MoeForCausalLM") {
    shape = qwen2_moe_shape(config);
  } else if (config.architecture == "Qwen3MoeForCausalLM") {
    shape = qwen3_moe_shape(config);
  } else {
    throw Error(config.source + ": architecture '" + config.architecture +
                "' is not supported (supported: Qwen2ForCausalLM, Qwen3ForCausalLM, Qwen2MoeForCausalLM, "
                "Qwen3MoeForCausalLM)");
  }
  return std::make_unique<QwenDecoder>(gguf ? std::move(*gguf) : Checkpoint::open(path),
                                       std::move(shape), pool);
}

}  // namespace qwenrt
