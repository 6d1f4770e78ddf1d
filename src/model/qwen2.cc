// Qwen2ForCausalLM (transformers modeling_qwen2.py): q/k/v projections with bias (the
// config resolves it), no bias on o_proj, no q/k norm.
#include "model/architectures.h"

namespace qwenrt {

ModelShape qwen2_shape(const ModelConfig& config) {
  ModelShape shape = common_decoder_shape(config);
  shape.qk_norm = false;
  return shape;
}

}  // namespace qwenrt
