// Which experts a token goes to, as transformers' Qwen2MoeTopKRouter / Qwen3MoeTopKRouter
// decide it: the router logits softmaxed in F32, the k most probable experts kept (most
// probable first), their probabilities renormalised to sum 1 when norm_topk_prob.
#pragma once
#include <cstdint>

namespace qwenrt {

struct ExpertChoice {
  int32_t expert = 0;
  float weight = 0.0f;
};

// logits: [rows, n_experts]; out: [rows, k].
void choose_experts(const float* logits, int64_t rows, int64_t n_experts, int64_t k, bool norm_topk_prob,
                    ExpertChoice* out);

}  // namespace qwenrt
