// matmul (GEMV and GEMM paths) on every SIMD target against the scalar reference, over
// shapes that cross every vector, tile and cache-block boundary, F32/BF16/F16 weights,
// bias on/off, several thread counts, misaligned and guard-paged buffers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::kEps;
using testing::Random;
using testing::ScopedSimdTarget;

enum class Path { kAuto, kGemv, kGemm };

struct Shape {
  int64_t m, n, k;
};

const char* path_name(Path p) {
  return p == Path::kAuto ? "auto" : p == Path::kGemv ? "gemv" : "gemm";
}

void store_weight(DType dtype, float value, uint8_t* dst) {
  if (dtype == DType::F32) {
    std::memcpy(dst, &value, 4);
  } else {
    const uint16_t h = dtype == DType::BF16 ? f32_to_bf16(value) : f32_to_f16(value);
    std::memcpy(dst, &h, 2);
  }
}

// Runs one case and checks every output element against the reference with a bound
// derived from F32 accumulation: |error| <= 2 eps sqrt(k + 1) sum_k |x w| (+ |bias|),
// both sides' rounding included. A dropped or doubled term is ~sum|x w| / k, well above.
void check_case(ThreadPool& pool, Path path, DType dtype, bool with_bias, Shape s, uint64_t seed,
                bool misalign) {
  SCOPED_TRACE(::testing::Message()
               << "path=" << path_name(path) << " dtype=" << dtype_name(dtype)
               << " bias=" << with_bias << " m=" << s.m << " n=" << s.n << " k=" << s.k
               << " threads=" << pool.size() << " misalign=" << misalign);
  Random rng(seed);
  const size_t slack = misalign ? 4 : 0;
  GuardedBuffer x(static_cast<size_t>(s.m * s.k) * 4, slack);
  rng.fill(x.floats(), s.m * s.k);
  const int64_t row_bytes = dtype_row_bytes(dtype, s.k);
  GuardedBuffer wbuf(static_cast<size_t>(s.n * row_bytes), misalign ? 2 : 0);
  for (int64_t i = 0; i < s.n * s.k; ++i) {
    store_weight(dtype, rng.uniform(), wbuf.bytes() + i * dtype_block_bytes(dtype));
  }
  const WeightView w{dtype, s.n, s.k, wbuf.bytes()};
  GuardedBuffer bias(static_cast<size_t>(s.n) * 4, slack);
  rng.fill(bias.floats(), s.n);
  const float* b = with_bias ? bias.floats() : nullptr;

  // y with a canary element before it; the guard page catches writes past the end.
  GuardedBuffer ybuf(static_cast<size_t>(s.m * s.n + 1) * 4, slack);
  float* y = ybuf.floats() + 1;
  std::fill(ybuf.floats(), ybuf.floats() + s.m * s.n + 1, std::nanf(""));
  const float canary = -12345.0f;
  ybuf.floats()[0] = canary;

  switch (path) {
    case Path::kAuto:
      matmul(pool, x.floats(), s.m, w, b, y);
      break;
    case Path::kGemv:
      matmul_gemv(pool, x.floats(), s.m, w, b, y);
      break;
    case Path::kGemm:
      matmul_gemm(pool, x.floats(), s.m, w, b, y);
      break;
  }
  ASSERT_EQ(ybuf.floats()[0], canary) << "write before y";

  std::vector<float> ref(static_cast<size_t>(s.m * s.n));
  reference::matmul(x.floats(), s.m, w, b, ref.data());
  std::vector<float> wf(static_cast<size_t>(s.n * s.k));
  for (int64_t j = 0; j < s.n; ++j) reference::dequantize_row(dtype, w.row(j), s.k, &wf[j * s.k]);
  int failures = 0;
  for (int64_t i = 0; i < s.m && failures < 5; ++i) {
    for (int64_t j = 0; j < s.n && failures < 5; ++j) {
      double abs_sum = b != nullptr ? std::fabs(b[j]) : 0.0;
      for (int64_t kk = 0; kk < s.k; ++kk)
        abs_sum += std::fabs(x.floats()[i * s.k + kk] * wf[j * s.k + kk]);
      const double tol = 2.0 * kEps * std::sqrt(static_cast<double>(s.k + 1)) * abs_sum;
      const float got = y[i * s.n + j], want = ref[i * s.n + j];
      if (!(std::fabs(static_cast<double>(got) - want) <= tol)) {
        ADD_FAILURE() << "y[" << i << "][" << j << "] = " << got << ", reference " << want
                      << ", tolerance " << tol;
        ++failures;
      }
    }
  }
}

class MatmulTest : public ::testing::TestWithParam<std::string> {};

// Every reduction length from 0 to past two AVX-512 vectors, then block-boundary ones.
TEST_P(MatmulTest, ReductionLengths) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  std::vector<int64_t> ks;
  for (int64_t k = 0; k <= 40; ++k) ks.push_back(k);
  for (int64_t k : {63, 64, 65, 100, 255, 256, 257, 300}) ks.push_back(k);
  uint64_t seed = 1;
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (int64_t k : ks) {
      for (Path path : {Path::kGemv, Path::kGemm}) {
        check_case(pool, path, dtype, k % 2 == 0, {3, 70, k}, seed++, k % 3 == 1);
        check_case(pool, path, dtype, k % 2 == 1, {7, 5, k}, seed++, k % 3 == 0);
      }
    }
  }
}

// Every output width up to past one 64-wide GEMM panel, then panel/block boundaries.
TEST_P(MatmulTest, OutputWidths) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  std::vector<int64_t> ns;
  for (int64_t n = 0; n <= 70; ++n) ns.push_back(n);
  for (int64_t n : {127, 128, 129, 255, 256, 257, 520}) ns.push_back(n);
  uint64_t seed = 1000;
  for (DType dtype : {DType::F32, DType::BF16}) {
    for (int64_t n : ns) {
      for (Path path : {Path::kGemv, Path::kGemm}) {
        check_case(pool, path, dtype, n % 2 == 0, {1, n, 33}, seed++, n % 3 == 0);
        check_case(pool, path, dtype, n % 2 == 1, {13, n, 33}, seed++, n % 3 == 1);
      }
    }
  }
}

// Every row count through several micro-tiles, including the automatic path choice.
TEST_P(MatmulTest, RowCounts) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  uint64_t seed = 2000;
  std::vector<int64_t> ms;
  for (int64_t m = 0; m <= 26; ++m) ms.push_back(m);
  for (int64_t m : {63, 64, 65, 97}) ms.push_back(m);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (int64_t m : ms) {
      for (Path path : {Path::kAuto, Path::kGemv, Path::kGemm}) {
        check_case(pool, path, dtype, m % 2 == 0, {m, 70, 40}, seed++, m % 3 == 2);
      }
    }
  }
}

// Shapes spanning several k and n cache blocks, with uneven thread splits (3 threads on
// 14 panels, more threads than panels so x rows are split too).
TEST_P(MatmulTest, BlockedShapesAndThreads) {
  ScopedSimdTarget target(GetParam());
  const std::vector<Shape> shapes = {{37, 600, 700}, {130, 260, 520}, {64, 896, 96},
                                     {97, 5, 300},   {20, 64, 1000},  {6, 1, 513}};
  uint64_t seed = 3000;
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
      if (threads != 3 && dtype != DType::BF16) continue;  // every dtype once is enough
      for (const Shape& s : shapes) {
        ++seed;
        check_case(pool, Path::kGemm, dtype, true, s, seed, seed % 2 == 0);
        check_case(pool, Path::kGemv, dtype, false, {std::min<int64_t>(s.m, 5), s.n, s.k}, seed,
                   seed % 2 == 1);
      }
    }
  }
}

// Large magnitudes and cancellation: the bound scales with sum |x w|, so a kernel that
// loses precision (e.g. rounds x to BF16) fails here.
TEST_P(MatmulTest, ActivationsStayF32) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  const int64_t k = 64, n = 64;
  std::vector<float> x(2 * k);
  for (int64_t i = 0; i < 2 * k; ++i) x[i] = 1.0f + static_cast<float>(i) * 1e-5f;
  std::vector<uint16_t> w(n * k, f32_to_bf16(1.0f));
  const WeightView view{DType::BF16, n, k, w.data()};
  for (Path path : {Path::kGemv, Path::kGemm}) {
    std::vector<float> y(2 * n), ref(2 * n);
    if (path == Path::kGemv)
      matmul_gemv(pool, x.data(), 2, view, nullptr, y.data());
    else
      matmul_gemm(pool, x.data(), 2, view, nullptr, y.data());
    reference::matmul(x.data(), 2, view, nullptr, ref.data());
    for (int64_t i = 0; i < 2 * n; ++i) EXPECT_NEAR(y[i], ref[i], 1e-4) << path_name(path);
  }
}

// The GEMV's software prefetch (on for some CPUs only) must not change any result.
TEST_P(MatmulTest, GemvPrefetchDoesNotChangeResults) {
  ScopedSimdTarget target(GetParam());
  Random rng(77);
  const int64_t n = 37, k = 300;
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (int64_t m : {1, 2, 3, 4, 5}) {
      std::vector<float> x(m * k), bias(n), a(m * n), b(m * n), ref(m * n);
      rng.fill(x.data(), m * k);
      rng.fill(bias.data(), n);
      std::vector<uint8_t> wdata(n * dtype_row_bytes(dtype, k));
      for (int64_t i = 0; i < n * k; ++i)
        store_weight(dtype, rng.uniform(), &wdata[i * dtype_block_bytes(dtype)]);
      const WeightView w{dtype, n, k, wdata.data()};
      const auto& kernels = *active_kernels().matmul;
      const WeightType type = weight_type_of(dtype);
      kernels.gemv(x.data(), m, k, type, w.data, w.row_bytes(), 0, n, bias.data(), a.data(), n, 0);
      kernels.gemv(x.data(), m, k, type, w.data, w.row_bytes(), 0, n, bias.data(), b.data(), n,
                   8192);
      reference::matmul(x.data(), m, w, bias.data(), ref.data());
      for (int64_t i = 0; i < m * n; ++i) {
        ASSERT_EQ(a[i], b[i]) << dtype_name(dtype) << " m=" << m << " i=" << i;
        ASSERT_NEAR(a[i], ref[i], 1e-4) << dtype_name(dtype) << " m=" << m << " i=" << i;
      }
    }
  }
}

TEST_P(MatmulTest, RejectsUnsupportedWeightType) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(1);
  std::vector<uint8_t> data(64);
  const WeightView w{DType::I32, 1, 32, data.data()};
  float x[32] = {}, y[1];
  EXPECT_THROW(matmul(pool, x, 1, w, nullptr, y), Error);
}

INSTANTIATE_TEST_SUITE_P(Targets, MatmulTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
