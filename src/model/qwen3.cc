// Qwen3ForCausalLM (transformers modeling_qwen3.py): RMSNorm over each head of q and k
// before RoPE, explicit head_dim (often != hidden_size / heads), q/k/v bias only with
// attention_bias (the released checkpoints have none).
#include "model/architectures.h"

namespace qwenrt {

ModelShape qwen3_shape(const ModelConfig& config) {
  ModelShape shape = common_decoder_shape(config);
  shape.qk_norm = true;
  return shape;
}

}  // namespace qwenrt
