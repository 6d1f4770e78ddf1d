#include "kernels/cpu/input_order.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace qwenrt::cpu {
namespace {

bool same_order(const WeightView& a, const WeightView& b) {
  if (a.input_order == b.input_order) return true;
  if (a.input_order == nullptr || b.input_order == nullptr || a.cols != b.cols) return false;
  return std::memcmp(a.input_order, b.input_order, static_cast<size_t>(a.cols) * sizeof(int32_t)) == 0;
}

}  // namespace

bool run_with_input_orders(const float* x, int64_t m, std::span<const MatmulTarget> targets,
                           const OrderedMatmul& run) {
  const bool any = std::any_of(targets.begin(), targets.end(),
                               [](const MatmulTarget& t) { return t.w->input_order != nullptr; });
  if (!any) return false;
  std::vector<WeightView> views(targets.size());
  std::vector<bool> done(targets.size(), false);
  std::vector<MatmulTarget> group;
  std::vector<float> gathered;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (done[i]) continue;
    const WeightView& lead = *targets[i].w;
    group.clear();
    for (size_t j = i; j < targets.size(); ++j) {
      if (done[j] || !same_order(lead, *targets[j].w)) continue;
      views[j] = *targets[j].w;
      views[j].input_order = nullptr;
      group.push_back({&views[j], targets[j].bias, targets[j].y});
      done[j] = true;
    }
    const float* xo = x;
    if (lead.input_order != nullptr) {
      const int64_t k = lead.cols;
      gathered.resize(static_cast<size_t>(m * k));
      for (int64_t r = 0; r < m; ++r) {
        const float* src = x + r * k;
        float* dst = gathered.data() + r * k;
        for (int64_t c = 0; c < k; ++c) dst[c] = src[lead.input_order[c]];
      }
      xo = gathered.data();
    }
    run(xo, group);
  }
  return true;
}

}  // namespace qwenrt::cpu
