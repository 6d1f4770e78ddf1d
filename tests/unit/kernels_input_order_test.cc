// Weights with permuted columns (WeightView::input_order, GPTQ act-order): every matmul
// entry point computes exactly what the plain matmul computes on x gathered into that
// order, for plain and quantized weights, alone and in groups mixing orders.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/ops.h"
#include "tensor/dtype.h"
#include "tensor/quantize.h"

namespace qwenrt::cpu {
namespace {

struct Weight {
  std::vector<uint8_t> bytes;
  std::vector<int32_t> order;
  WeightView view;  // with the order
  WeightView plain() const {
    WeightView v = view;
    v.input_order = nullptr;
    return v;
  }
};

Weight make_weight(DType dtype, int64_t rows, int64_t cols, std::mt19937& rng, bool permuted) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> w(static_cast<size_t>(rows * cols));
  for (auto& v : w) v = normal(rng);
  Weight out;
  const int64_t row_bytes = dtype_row_bytes(dtype, cols);
  out.bytes.resize(static_cast<size_t>(rows * row_bytes));
  for (int64_t r = 0; r < rows; ++r) {
    if (dtype == DType::F32) {
      std::copy_n(w.data() + r * cols, cols, reinterpret_cast<float*>(out.bytes.data() + r * row_bytes));
    } else {
      quantize_row(dtype, w.data() + r * cols, cols, out.bytes.data() + r * row_bytes);
    }
  }
  if (permuted) {
    out.order.resize(static_cast<size_t>(cols));
    std::iota(out.order.begin(), out.order.end(), 0);
    std::shuffle(out.order.begin(), out.order.end(), rng);
  }
  out.view = WeightView{dtype, rows, cols, out.bytes.data()};
  out.view.input_order = out.order.empty() ? nullptr : out.order.data();
  return out;
}

std::vector<float> gather(const std::vector<float>& x, int64_t m, const Weight& w) {
  if (w.order.empty()) return x;
  const int64_t k = w.view.cols;
  std::vector<float> out(x.size());
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < k; ++c) out[static_cast<size_t>(r * k + c)] = x[static_cast<size_t>(r * k + w.order[c])];
  return out;
}

// Quantized weights take the same integer kernels at every m, so the results are
// bitwise those of the plain matmul on gathered x. Plain weights with an order always
// take the row-independent GEMM, which may sum in another order than the GEMV at small m.
void expect_same(const std::vector<float>& got, const std::vector<float>& want, bool exact, const char* what) {
  if (exact) {
    EXPECT_EQ(got, want) << what;
    return;
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t j = 0; j < want.size(); ++j) {
    ASSERT_NEAR(got[j], want[j], 1e-4f * (1.0f + std::fabs(want[j]))) << what;
  }
}

TEST(InputOrder, EveryEntryPointGathersX) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t k = 128;
  ThreadPool pool(2);
  for (DType dtype : {DType::F32, DType::Q8_0, DType::Q5_0}) {
    SCOPED_TRACE(dtype_name(dtype));
    // Two weights with the same order (by content, not pointer), one with another, one without.
    std::vector<Weight> ws;
    ws.push_back(make_weight(dtype, 40, k, rng, true));
    ws.push_back(make_weight(dtype, 24, k, rng, false));
    ws.push_back(make_weight(dtype, 32, k, rng, true));
    ws.back().order = ws.front().order;
    ws.back().view.input_order = ws.back().order.data();
    ws.push_back(make_weight(dtype, 8, k, rng, true));
    std::vector<float> bias(64);
    for (auto& b : bias) b = normal(rng);
    for (int64_t m : {1, 5, 20}) {
      SCOPED_TRACE(m);
      std::vector<float> x(static_cast<size_t>(m * k));
      for (auto& v : x) v = normal(rng);
      std::vector<std::vector<float>> want(ws.size()), got(ws.size()), got_ri(ws.size());
      std::vector<MatmulTarget> targets, targets_ri;
      for (size_t i = 0; i < ws.size(); ++i) {
        const size_t n = static_cast<size_t>(m * ws[i].view.rows);
        want[i].resize(n);
        got[i].assign(n, -1.0f);
        got_ri[i].assign(n, -1.0f);
        const std::vector<float> xg = gather(x, m, ws[i]);
        const WeightView plain = ws[i].plain();
        const float* b = i == 1 ? nullptr : bias.data();
        matmul(pool, xg.data(), m, plain, b, want[i].data());
        std::vector<float> single(n);
        matmul(pool, x.data(), m, ws[i].view, b, single.data());
        expect_same(single, want[i], dtype != DType::F32, "matmul");
        targets.push_back({&ws[i].view, b, got[i].data()});
        targets_ri.push_back({&ws[i].view, b, got_ri[i].data()});
      }
      matmul_group(pool, x.data(), m, targets);
      matmul_group_row_independent(pool, x.data(), m, targets_ri);
      for (size_t i = 0; i < ws.size(); ++i) {
        SCOPED_TRACE(i);
        expect_same(got[i], want[i], dtype != DType::F32, "matmul_group");
        expect_same(got_ri[i], want[i], false, "matmul_group_row_independent");
      }
    }
  }
}

}  // namespace
}  // namespace qwenrt::cpu
