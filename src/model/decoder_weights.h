// The tensors of a Qwen-family decoder, listed once: loading, shape validation and the
// bytes-per-token count all walk this description. Names are the Hugging Face names.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "base/thread_pool.h"
#include "io/awq_gptq.h"
#include "io/checkpoint.h"
#include "model/causal_lm.h"
#include "tensor/tensor.h"

namespace qwenrt {

struct DecoderLayerWeights {
  struct Mlp {
    WeightView gate_proj, up_proj, down_proj;
  };
  std::vector<float> input_layernorm, post_attention_layernorm;
  WeightView q_proj, k_proj, v_proj, o_proj;
  std::vector<float> q_bias, k_bias, v_bias;  // Qwen2 only
  std::vector<float> q_norm, k_norm;          // Qwen3 only
  Mlp mlp;                                    // dense layers
  // Mixture-of-experts layers (ModelShape::moe_layers) instead of `mlp`:
  WeightView router;              // mlp.gate: [n_experts, hidden]
  std::vector<Mlp> experts;
  Mlp shared_expert;              // Qwen2-MoE only
  WeightView shared_expert_gate;  // [1, hidden], Qwen2-MoE only

  // Every matrix the layer holds, for packing.
  std::vector<WeightView*> matrices();
};

struct DecoderWeights {
  WeightView embed_tokens;  // [vocab, hidden]
  std::vector<DecoderLayerWeights> layers;
  std::vector<float> norm;
  WeightView lm_head;       // [vocab, hidden]; the embedding itself when tied
  // AWQ/GPTQ linears converted at load (io/awq_gptq.h); the views above point into them.
  std::vector<std::unique_ptr<ConvertedWeight>> converted;
};

// Binds every tensor the shape calls for, checking each one's presence, rank, shape and
// dtype against the config; errors name the tensor, its file and the expected shape.
// Linears an AWQ/GPTQ checkpoint stores packed (config.json's quantization_config) are
// converted to integer block types here, on `pool`.
DecoderWeights bind_decoder_weights(const Checkpoint& checkpoint, const ModelShape& shape,
                                    ThreadPool& pool);

// Bytes of the matrices one decode step streams from memory (of a mixture of experts,
// the experts_per_token that run).
size_t decoder_weight_bytes_per_token(const DecoderWeights& weights, int64_t experts_per_token);

}  // namespace qwenrt
