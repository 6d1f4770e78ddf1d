// The rotary embedding's inverse frequencies and the factor applied to its cos/sin, as
// transformers' ROPE_INIT_FUNCTIONS compute them in F32 (modeling_rope_utils.py) for the
// rope types Qwen checkpoints use: default, linear, and YaRN (Qwen2.5 and Qwen3's long
// context, `rope_scaling: {"rope_type": "yarn", "factor": 4, ...}`).
#pragma once
#include <cstdint>
#include <vector>

#include "io/hf_config.h"

namespace qwenrt {

struct RopeFrequencies {
  std::vector<float> inv_freq;     // [head_dim / 2]
  float attention_scaling = 1.0f;  // multiplies cos and sin (YaRN's mscale)
};

// Throws Error for rope types other than default, linear and yarn.
RopeFrequencies rope_frequencies(const RopeConfig& rope, int64_t head_dim, int64_t max_position_embeddings,
                                 const std::string& source);

}  // namespace qwenrt
