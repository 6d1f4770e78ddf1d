// Each supported architecture turns config.json into the decoder's ModelShape.
#pragma once
#include "io/hf_config.h"
#include "model/causal_lm.h"

namespace qwenrt {

// The parts every Qwen-family config shares (sizes, RoPE, norm eps, tying); throws Error
// for settings the decoder does not implement (rope scaling, sliding windows).
ModelShape common_decoder_shape(const ModelConfig& config);

// Qwen2ForCausalLM: Qwen1.5, Qwen2, Qwen2.5, Qwen2.5-Coder, DeepSeek-R1-Distill-Qwen.
ModelShape qwen2_shape(const ModelConfig& config);
// Qwen3ForCausalLM.
ModelShape qwen3_shape(const ModelConfig& config);
// Qwen2MoeForCausalLM: Qwen1.5-MoE, Qwen2-MoE.
ModelShape qwen2_moe_shape(const ModelConfig& config);
// Qwen3MoeForCausalLM: Qwen3-30B-A3B, Qwen3-Coder-30B-A3B, ...
ModelShape qwen3_moe_shape(const ModelConfig& config);

}  // namespace qwenrt
