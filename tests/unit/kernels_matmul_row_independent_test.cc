// matmul_group_row_independent: a row's output is bitwise the same computed alone or
// inside any batch, whatever the thread count, for every plain weight type and SIMD
// target. The serving engine's batching invariance rests on this.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "kernels/cpu/matmul.h"
#include "kernels_test_util.h"
#include "tensor/dtype.h"

namespace qwenrt::cpu {
namespace {

using testing::ScopedSimdTarget;

struct Weights {
  std::vector<uint8_t> bytes;
  WeightView view;
};

Weights random_weights(DType dtype, int64_t rows, int64_t cols, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Weights w;
  w.view = {dtype, rows, cols, nullptr};
  w.bytes.resize(w.view.row_bytes() * static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows * cols; ++i) {
    const float f = normal(rng);
    if (dtype == DType::F32) {
      std::memcpy(w.bytes.data() + i * 4, &f, 4);
    } else {
      const uint16_t h = dtype == DType::BF16 ? f32_to_bf16(f) : f32_to_f16(f);
      std::memcpy(w.bytes.data() + i * 2, &h, 2);
    }
  }
  w.view.data = w.bytes.data();
  return w;
}

class RowIndependentMatmul : public ::testing::TestWithParam<std::string> {};

TEST_P(RowIndependentMatmul, RowsAloneEqualRowsInBatchesBitwise) {
  ScopedSimdTarget target(GetParam());
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (auto [rows, cols] : {std::pair<int64_t, int64_t>{200, 96}, {70, 1000}, {33, 17}}) {
      Weights w = random_weights(dtype, rows, cols, rng);
      Weights w2 = random_weights(dtype, rows / 2 + 1, cols, rng);
      std::vector<float> bias(static_cast<size_t>(rows));
      for (float& b : bias) b = normal(rng);
      const int64_t max_m = 70;
      std::vector<float> x(static_cast<size_t>(max_m * cols));
      for (float& v : x) v = normal(rng);
      // Each row alone, one thread.
      ThreadPool one(1);
      std::vector<float> alone(static_cast<size_t>(max_m * rows)), alone2(static_cast<size_t>(max_m * w2.view.rows));
      for (int64_t i = 0; i < max_m; ++i) {
        const MatmulTarget t[] = {{&w.view, bias.data(), alone.data() + i * rows},
                                  {&w2.view, nullptr, alone2.data() + i * w2.view.rows}};
        matmul_group_row_independent(one, x.data() + i * cols, 1, t);
      }
      // Batches of every kind of size (GEMV-sized, tile edges, many tiles), 3 threads.
      ThreadPool three(3);
      for (int64_t m : {2, 3, 4, 5, 6, 7, 12, 15, 16, 17, 31, 64, 70}) {
        std::vector<float> y(static_cast<size_t>(m * rows)), y2(static_cast<size_t>(m * w2.view.rows));
        const int64_t first = (max_m - m) / 2;  // rows taken from the middle of x
        const MatmulTarget t[] = {{&w.view, bias.data(), y.data()}, {&w2.view, nullptr, y2.data()}};
        matmul_group_row_independent(three, x.data() + first * cols, m, t);
        ASSERT_EQ(0, std::memcmp(y.data(), alone.data() + first * rows, y.size() * sizeof(float)))
            << dtype_name(dtype) << " " << rows << "x" << cols << " m=" << m;
        ASSERT_EQ(0, std::memcmp(y2.data(), alone2.data() + first * w2.view.rows, y2.size() * sizeof(float)))
            << dtype_name(dtype) << " second target m=" << m;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, RowIndependentMatmul, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
