// Qwen2MoeForCausalLM and Qwen3MoeForCausalLM (transformers modeling_qwen2_moe.py,
// modeling_qwen3_moe.py): the Qwen2 / Qwen3 decoder whose MLP is, on the layers the config
// picks (decoder_sparse_step, mlp_only_layers), a mixture of experts: a router (mlp.gate)
// softmaxes over the experts, the top num_experts_per_tok run, their outputs summed with
// the router's weights. Qwen2-MoE adds a shared expert scaled by sigmoid(shared_expert_gate).
#include "model/architectures.h"

namespace qwenrt {
namespace {

ModelShape with_experts(ModelShape shape, const ModelConfig& c) {
  shape.n_experts = c.num_experts;
  shape.n_experts_per_token = c.num_experts_per_tok;
  shape.expert_intermediate = c.moe_intermediate_size;
  shape.shared_expert_intermediate = c.shared_expert_intermediate_size;
  shape.norm_topk_prob = c.norm_topk_prob;
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) shape.moe_layers.push_back(c.is_moe_layer(i));
  return shape;
}

}  // namespace

ModelShape qwen2_moe_shape(const ModelConfig& config) { return with_experts(qwen2_shape(config), config); }

ModelShape qwen3_moe_shape(const ModelConfig& config) { return with_experts(qwen3_shape(config), config); }

}  // namespace qwenrt
