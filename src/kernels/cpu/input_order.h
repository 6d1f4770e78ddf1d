// Weights whose stored columns are a permutation of the input features
// (WeightView::input_order, GPTQ act-order): the matmul entry points gather x into the
// stored order and run the plain kernels on it, as x · w^T is the same sum either way.
#pragma once
#include <cstdint>
#include <functional>
#include <span>

#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {

using OrderedMatmul = std::function<void(const float* x, std::span<const MatmulTarget> targets)>;

// Returns false, doing nothing, when no target has an input order. Otherwise calls `run`
// once per set of targets sharing one order (by content, so q/k/v with equal g_idx run
// together), with x [m, cols] gathered into that order and the targets' weights copied
// without it; targets without an order get x itself.
bool run_with_input_orders(const float* x, int64_t m, std::span<const MatmulTarget> targets,
                           const OrderedMatmul& run);

}  // namespace qwenrt::cpu
