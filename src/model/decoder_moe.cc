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

// A decode step's one row: every chosen expert reads the same input, so their gate and up
// projections run as one group (one parallel region, one activation quantization)
// instead of one group per expert. Every output row of a group is what its weight alone
// gives (matmul.h), so this equals the per-expert path bit for bit.
void QwenDecoder::one_row_experts(const DecoderLayerWeights& l, std::vector<ExpertChoice> chosen,
                                  bool row_independent) {
  const int64_t width = shape_.expert_intermediate, hidden = shape_.hidden;
  const size_t k = chosen.size();
  // Index order: the order transformers sums the experts' outputs in.
  std::sort(chosen.begin(), chosen.end(), [](const ExpertChoice& a, const ExpertChoice& b) { return a.expert < b.expert; });
  for (std::vector<float>* b : {&buf_.gate, &buf_.up}) b->resize(std::max(b->size(), k * static_cast<size_t>(width)));
  buf_.expert_out.resize(std::max(buf_.expert_out.size(), k * static_cast<size_t>(hidden)));
  std::vector<cpu::MatmulTarget> gate_up;
  for (size_t j = 0; j < k; ++j) {
    const DecoderLayerWeights::Mlp& mlp = l.experts[static_cast<size_t>(chosen[j].expert)];
    gate_up.push_back({&mlp.gate_proj, nullptr, buf_.gate.data() + j * width});
    gate_up.push_back({&mlp.up_proj, nullptr, buf_.up.data() + j * width});
  }
  matmul(buf_.normed.data(), 1, gate_up, row_independent);
  for (size_t j = 0; j < k; ++j) {
    float* g = buf_.gate.data() + j * width;
    cpu::silu_mul(g, buf_.up.data() + j * width, width, g);
    const cpu::MatmulTarget down{&l.experts[static_cast<size_t>(chosen[j].expert)].down_proj, nullptr,
                                 buf_.expert_out.data() + j * hidden};
    matmul(g, 1, std::span(&down, 1), row_independent);
  }
  for (size_t j = 0; j < k; ++j) add_weighted(buf_.expert_out.data() + j * hidden, chosen[j].weight, buf_.proj.data(), hidden);
}

void QwenDecoder::mixture_of_experts(const DecoderLayerWeights& l, int64_t rows, bool row_independent) {
  const ModelShape& s = shape_;
  const int64_t k = s.n_experts_per_token, hidden = s.hidden;
  const cpu::MatmulTarget router{&l.router, nullptr, buf_.router.data()};
  matmul(buf_.normed.data(), rows, std::span(&router, 1), row_independent);
  std::vector<ExpertChoice> choices(static_cast<size_t>(rows * k));
  choose_experts(buf_.router.data(), rows, s.n_experts, k, s.norm_topk_prob, choices.data());

  float* sum = buf_.proj.data();
  std::fill(sum, sum + rows * hidden, 0.0f);
  if (rows == 1) {
    one_row_experts(l, std::move(choices), row_independent);
  } else {
    // The rows each expert takes, with their weights, in row order.
    std::vector<std::vector<std::pair<int64_t, float>>> routed(static_cast<size_t>(s.n_experts));
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < k; ++j) {
        const ExpertChoice& c = choices[static_cast<size_t>(r * k + j)];
        routed[static_cast<size_t>(c.expert)].push_back({r, c.weight});
      }
    }
    for (int64_t e = 0; e < s.n_experts; ++e) {
      const auto& taken = routed[static_cast<size_t>(e)];
      if (taken.empty()) continue;
      const int64_t n = static_cast<int64_t>(taken.size());
      for (int64_t i = 0; i < n; ++i) {
        std::memcpy(buf_.expert_in.data() + i * hidden,
                    buf_.normed.data() + taken[static_cast<size_t>(i)].first * hidden,
                    static_cast<size_t>(hidden) * sizeof(float));
      }
      swiglu(l.experts[static_cast<size_t>(e)], buf_.expert_in.data(), n, s.expert_intermediate,
             buf_.expert_out.data(), row_independent);
      for (int64_t i = 0; i < n; ++i) {
        const auto [row, weight] = taken[static_cast<size_t>(i)];
        add_weighted(buf_.expert_out.data() + i * hidden, weight, sum + row * hidden, hidden);
      }
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
