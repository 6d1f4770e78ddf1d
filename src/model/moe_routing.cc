#include "model/moe_routing.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace qwenrt {

void choose_experts(const float* logits, int64_t rows, int64_t n_experts, int64_t k, bool norm_topk_prob,
                    ExpertChoice* out) {
  std::vector<float> probs(static_cast<size_t>(n_experts));
  std::vector<int32_t> order(static_cast<size_t>(n_experts));
  for (int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * n_experts;
    const float max = *std::max_element(z, z + n_experts);
    float sum = 0.0f;
    for (int64_t e = 0; e < n_experts; ++e) sum += probs[static_cast<size_t>(e)] = std::exp(z[e] - max);
    for (float& p : probs) p /= sum;
    // torch.topk: the k largest, largest first; of equal ones the lower index first.
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) {
      return probs[static_cast<size_t>(a)] > probs[static_cast<size_t>(b)] ||
             (probs[static_cast<size_t>(a)] == probs[static_cast<size_t>(b)] && a < b);
    });
    ExpertChoice* chosen = out + r * k;
    float chosen_sum = 0.0f;
    for (int64_t j = 0; j < k; ++j) {
      chosen[j] = {order[static_cast<size_t>(j)], probs[static_cast<size_t>(order[static_cast<size_t>(j)])]};
      chosen_sum += chosen[j].weight;
    }
    if (norm_topk_prob) {
      for (int64_t j = 0; j < k; ++j) chosen[j].weight /= chosen_sum;
    }
  }
}

}  // namespace qwenrt
