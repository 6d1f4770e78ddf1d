// The mixture-of-experts MLP of Qwen2-MoE / Qwen3-MoE layers (modeling_qwen2_moe.py's
// Qwen2MoeSparseMoeBlock, modeling_qwen3_moe.py's Qwen3MoeSparseMoeBlock), in
// transformers' order of operations: each expert in index order runs on the rows routed
// to it, and its output times the router weight is added to a zeroed sum.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "model/decoder.h"
#include "model/moe_routing.h"

namespace qwenrt {
namespace {

// acc += y * w, the product rounded first: transformers' (y * w) then index_add_.
void add_weighted(const float* y, float w, float* acc, int64_t n) {
  for (int64_t h = 0; h < n; ++h) acc[h] += y[h] * w;
}

}  // namespace

void QwenDecoder::mixture_of_experts(const DecoderLayerWeights& l, int64_t rows, bool row_independent) {
  const ModelShape& s = shape_;
  const int64_t k = s.n_experts_per_token, hidden = s.hidden;
  const cpu::MatmulTarget router{&l.router, nullptr, buf_.router.data()};
  matmul(buf_.normed.data(), rows, std::span(&router, 1), row_independent);
  std::vector<ExpertChoice> choices(static_cast<size_t>(rows * k));
  choose_experts(buf_.router.data(), rows, s.n_experts, k, s.norm_topk_prob, choices.data());

  // The rows each expert takes, with their weights, in row order.
  std::vector<std::vector<std::pair<int64_t, float>>> routed(static_cast<size_t>(s.n_experts));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < k; ++j) {
      const ExpertChoice& c = choices[static_cast<size_t>(r * k + j)];
      routed[static_cast<size_t>(c.expert)].push_back({r, c.weight});
    }
  }
  float* sum = buf_.proj.data();
  std::fill(sum, sum + rows * hidden, 0.0f);
  // A decode step's chosen experts could share one gate/up group, as they read the same
  // row; measured on the Qwen3-30B-A3B shape that was no faster (53.0 vs 57.8 t/s over
  // six alternating runs), so every step goes expert by expert.
  for (int64_t e = 0; e < s.n_experts; ++e) {
    const auto& taken = routed[static_cast<size_t>(e)];
    if (taken.empty()) continue;
    const int64_t n = static_cast<int64_t>(taken.size());
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(buf_.expert_in.data() + i * hidden, buf_.normed.data() + taken[static_cast<size_t>(i)].first * hidden,
                  static_cast<size_t>(hidden) * sizeof(float));
    }
    swiglu(l.experts[static_cast<size_t>(e)], buf_.expert_in.data(), n, s.expert_intermediate,
           buf_.expert_out.data(), row_independent);
    for (int64_t i = 0; i < n; ++i) {
      const auto [row, weight] = taken[static_cast<size_t>(i)];
      add_weighted(buf_.expert_out.data() + i * hidden, weight, sum + row * hidden, hidden);
    }
  }

  if (s.shared_expert_intermediate > 0) {
    swiglu(l.shared_expert, buf_.normed.data(), rows, s.shared_expert_intermediate, buf_.expert_out.data(),
           row_independent);
    const cpu::MatmulTarget gate{&l.shared_expert_gate, nullptr, buf_.shared_gate.data()};
    matmul(buf_.normed.data(), rows, std::span(&gate, 1), row_independent);
    for (int64_t r = 0; r < rows; ++r) {
      const float g = 1.0f / (1.0f + std::exp(-buf_.shared_gate[static_cast<size_t>(r)]));
      add_weighted(buf_.expert_out.data() + r * hidden, g, sum + r * hidden, hidden);
    }
  }
}

}  // namespace qwenrt
