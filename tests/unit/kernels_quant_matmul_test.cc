// matmul and dequantize_row on quantized weights (Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K) on
// every SIMD target, against the reference decoders of tensor/quant_reference.h:
// dequantize_row is bit-exact, matmul within the F32 accumulation bound of a
// double-accumulated dot product over the decoded weights.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/ops.h"
#include "kernels_test_util.h"
#include "tensor/quant_reference.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::kEps;
using testing::Random;
using testing::ScopedSimdTarget;

const DType kQuantTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1,
                             DType::Q4_K, DType::Q5_K, DType::Q6_K};

void put_half(uint8_t* p, float v) {
  const uint16_t h = f32_to_f16(v);
  std::memcpy(p, &h, 2);
}

// Random quants with small finite scales (offsets of the f16 fields per ggml-common.h).
void fill_blocks(DType dtype, int64_t blocks, Random& rng, uint8_t* dst) {
  const int64_t bytes = dtype_block_bytes(dtype);
  for (int64_t i = 0; i < blocks * bytes; ++i) dst[i] = static_cast<uint8_t>(rng.next_u32());
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* p = dst + b * bytes;
    switch (dtype) {
      case DType::Q8_0:
      case DType::Q4_0: put_half(p, rng.uniform(-0.05f, 0.05f)); break;
      case DType::Q4_1:
      case DType::Q4_K:
      case DType::Q5_K:
        put_half(p, rng.uniform(-0.05f, 0.05f));
        put_half(p + 2, rng.uniform(-0.05f, 0.05f));
        break;
      case DType::Q6_K: put_half(p + 208, rng.uniform(-0.05f, 0.05f)); break;
      default: FAIL() << "not quantized";
    }
  }
}

class QuantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantTest, DequantizeRowIsExact) {
  ScopedSimdTarget target(GetParam());
  Random rng(7);
  for (DType dtype : kQuantTypes) {
    const int64_t be = dtype_block_elements(dtype);
    for (int64_t blocks : {1, 2, 5}) {
      const int64_t n = blocks * be;
      GuardedBuffer src(static_cast<size_t>(dtype_row_bytes(dtype, n)), 1);  // misaligned
      fill_blocks(dtype, blocks, rng, src.bytes());
      GuardedBuffer dst(static_cast<size_t>(n) * 4);
      std::vector<float> want(n);
      dequantize_row(dtype, src.bytes(), n, dst.floats());
      dequantize_row_reference(dtype, src.bytes(), n, want.data());
      for (int64_t i = 0; i < n; ++i) {
        uint32_t a, b;
        std::memcpy(&a, &dst.floats()[i], 4);
        std::memcpy(&b, &want[i], 4);
        ASSERT_EQ(a, b) << dtype_name(dtype) << " n=" << n << " i=" << i;
      }
    }
  }
}

TEST_P(QuantTest, DequantizeRowRejectsPartialBlocks) {
  ScopedSimdTarget target(GetParam());
  std::vector<uint8_t> src(256);
  std::vector<float> dst(256);
  EXPECT_THROW(dequantize_row(DType::Q4_K, src.data(), 128, dst.data()), Error);
  EXPECT_THROW(dequantize_row(DType::Q8_0, src.data(), 16, dst.data()), Error);
}

enum class Path { kAuto, kGemv, kGemm };

void check_matmul(ThreadPool& pool, Path path, DType dtype, int64_t m, int64_t n, int64_t k,
                  bool with_bias, uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << dtype_name(dtype) << " path=" << static_cast<int>(path)
                                    << " m=" << m << " n=" << n << " k=" << k
                                    << " bias=" << with_bias << " threads=" << pool.size());
  Random rng(seed);
  const int64_t row_bytes = dtype_row_bytes(dtype, k);
  GuardedBuffer wbuf(static_cast<size_t>(n * row_bytes), 1);
  fill_blocks(dtype, n * (k / dtype_block_elements(dtype)), rng, wbuf.bytes());
  GuardedBuffer x(static_cast<size_t>(m * k) * 4);
  rng.fill(x.floats(), m * k);
  std::vector<float> bias(n);
  rng.fill(bias.data(), n);
  const float* b = with_bias ? bias.data() : nullptr;
  GuardedBuffer y(static_cast<size_t>(m * n) * 4);
  const WeightView w{dtype, n, k, wbuf.bytes()};
  switch (path) {
    case Path::kAuto: matmul(pool, x.floats(), m, w, b, y.floats()); break;
    case Path::kGemv: matmul_gemv(pool, x.floats(), m, w, b, y.floats()); break;
    case Path::kGemm: matmul_gemm(pool, x.floats(), m, w, b, y.floats()); break;
  }
  std::vector<float> wf(n * k);
  for (int64_t r = 0; r < n; ++r)
    dequantize_row_reference(dtype, wbuf.bytes() + r * row_bytes, k, wf.data() + r * k);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0.0, abs_sum = 0.0;
      for (int64_t kk = 0; kk < k; ++kk) {
        const double p = static_cast<double>(x.floats()[i * k + kk]) * wf[j * k + kk];
        sum += p;
        abs_sum += std::fabs(p);
      }
      if (b != nullptr) {
        sum += b[j];
        abs_sum += std::fabs(b[j]);
      }
      const double bound = 2.0 * kEps * std::sqrt(static_cast<double>(k + 1)) * abs_sum + 1e-30;
      ASSERT_NEAR(y.floats()[i * n + j], sum, bound) << "i=" << i << " j=" << j;
    }
  }
}

TEST_P(QuantTest, MatmulMatchesDequantizedReference) {
  ScopedSimdTarget target(GetParam());
  ThreadPool one(1), three(3);
  uint64_t seed = 1;
  for (DType dtype : kQuantTypes) {
    const int64_t be = dtype_block_elements(dtype);
    const std::vector<int64_t> ks =
        be == 256 ? std::vector<int64_t>{256, 768} : std::vector<int64_t>{32, 416};
    for (int64_t k : ks) {
      for (int64_t n : {1, 2, 7, 16, 33, 70}) {
        for (int64_t m : {1, 3, 17, 64}) {
          ThreadPool& pool = (seed % 2) ? one : three;
          check_matmul(pool, Path::kAuto, dtype, m, n, k, seed % 3 != 0, seed);
          ++seed;
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(QuantTest, BothPathsAndLongRows) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  uint64_t seed = 100;
  for (DType dtype : kQuantTypes) {
    const int64_t k = dtype_block_elements(dtype) == 256 ? 1536 : 1568;  // several k blocks
    for (Path path : {Path::kGemv, Path::kGemm}) {
      check_matmul(pool, path, dtype, 17, 40, k, true, seed++);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, QuantTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
