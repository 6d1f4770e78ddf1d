// matmul_group equals one matmul per weight, for decode (one shared region) and prompt
// sizes, plain and quantized weights of different heights, with and without bias.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernels/cpu/ops.h"
#include "tensor/dtype.h"

namespace qwenrt::cpu {
namespace {

TEST(MatmulGroup, EqualsSeparateMatmuls) {
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t k = 256;
  const int64_t heights[] = {96, 16, 33};
  std::vector<std::vector<uint16_t>> bf16(3);
  std::vector<std::vector<float>> bias(3);
  std::vector<WeightView> weights;
  for (int i = 0; i < 3; ++i) {
    bf16[i].resize(static_cast<size_t>(heights[i] * k));
    for (auto& v : bf16[i]) v = f32_to_bf16(normal(rng));
    bias[i].resize(static_cast<size_t>(heights[i]));
    for (auto& b : bias[i]) b = normal(rng);
    weights.push_back(WeightView{DType::BF16, heights[i], k, bf16[i].data()});
  }
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int64_t m : {1, 3, 40}) {
      std::vector<float> x(static_cast<size_t>(m * k));
      for (auto& v : x) v = normal(rng);
      std::vector<std::vector<float>> expected(3), got(3);
      std::vector<MatmulTarget> targets;
      for (int i = 0; i < 3; ++i) {
        expected[i].resize(static_cast<size_t>(m * heights[i]));
        got[i].assign(expected[i].size(), -1.0f);
        const float* b = i == 1 ? nullptr : bias[i].data();
        matmul(pool, x.data(), m, weights[i], b, expected[i].data());
        targets.push_back({&weights[i], b, got[i].data()});
      }
      matmul_group(pool, x.data(), m, targets);
      for (int i = 0; i < 3; ++i) EXPECT_EQ(got[i], expected[i]) << "m=" << m << " weight " << i;
    }
  }
}

}  // namespace
}  // namespace qwenrt::cpu
