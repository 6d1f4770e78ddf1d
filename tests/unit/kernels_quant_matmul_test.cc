// matmul and dequantize_row on quantized weights (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K,
// Q5_K, Q6_K) on every SIMD target.
// - dequantize_row is bit-exact against tensor/quant_reference.h.
// - The activation quantizers are bit-exact against ops_reference.h's.
// - matmul (integer dot products over int8 activations) matches ops_reference.h's
//   quant_dot on the same quantized activations within the F32 summation bound
//   4 eps (blocks + 8) sum|terms| (the integers are exact; only float order differs).
// - matmul matches the dequantize-then-F32 product within the error the int8 activation
//   rounding allows: |x - d q| <= 0.51 d per element (d = max|x| / 127 of its block),
//   so |dy| <= sum_i |w_i| 0.51 d_block(i), plus float rounding.
// - The activation quantizers give llama.cpp's q8_0 / q8_K quants bit for bit on crafted
//   rows (tests/goldens/quant/act_quant_llama.bin, tools/goldens/make_act_quant_goldens.py),
//   q8_K's scale too; q8_0's scale is llama.cpp's before its rounding to F16.
// - A row's output is bit-identical whether computed alone (m = 1), inside any batch,
//   with any thread count, or in a matmul_group.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"
#include "tensor/quant_reference.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::kEps;
using testing::dequantized_dot;
using testing::DequantizedDot;
using testing::fill_random_blocks;
using testing::Random;
using testing::ScopedSimdTarget;

const DType kQuantTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                             DType::Q5_1, DType::Q4_K, DType::Q5_K, DType::Q6_K};

bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

class QuantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantTest, DequantizeRowIsExact) {
  ScopedSimdTarget target(GetParam());
  Random rng(7);
  for (DType dtype : kQuantTypes) {
    const int64_t be = dtype_block_elements(dtype);
    for (int64_t blocks : {1, 2, 5}) {
      const int64_t n = blocks * be;
      GuardedBuffer src(static_cast<size_t>(dtype_row_bytes(dtype, n)), 1);  // misaligned
      fill_random_blocks(dtype, blocks, rng, src.bytes());
      GuardedBuffer dst(static_cast<size_t>(n) * 4);
      std::vector<float> want(n);
      dequantize_row(dtype, src.bytes(), n, dst.floats());
      dequantize_row_reference(dtype, src.bytes(), n, want.data());
      for (int64_t i = 0; i < n; ++i)
        ASSERT_TRUE(same_bits(dst.floats()[i], want[i])) << dtype_name(dtype) << " n=" << n << " i=" << i;
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

// The target's activation quantizers equal the reference bit for bit, and the reference
// itself rounds to nearest: |x - d q| <= 0.51 d, sums are the sums of the quants.
TEST_P(QuantTest, ActivationQuantizationIsExact) {
  ScopedSimdTarget target(GetParam());
  const QuantMatmulKernels& kernels = *active_kernels().quant;
  Random rng(11);
  const int64_t n = 768;
  std::vector<float> x(n);
  for (int trial = 0; trial < 4; ++trial) {
    rng.fill(x.data(), n, -3.0f, 3.0f);
    if (trial == 1) std::fill(x.begin() + 32, x.begin() + 64, 0.0f);  // an all-zero block
    if (trial == 2) x[5] = 1e-30f;                                      // tiny values
    std::vector<ActBlock32> a32(n / 32), r32(n / 32);
    std::vector<ActBlock256> a256(n / 256), r256(n / 256);
    kernels.quantize_act32(x.data(), n, a32.data());
    kernels.quantize_act256(x.data(), n, a256.data());
    reference::quantize_act32(x.data(), n, r32.data());
    reference::quantize_act256(x.data(), n, r256.data());
    ASSERT_EQ(std::memcmp(a32.data(), r32.data(), a32.size() * sizeof(ActBlock32)), 0);
    ASSERT_EQ(std::memcmp(a256.data(), r256.data(), a256.size() * sizeof(ActBlock256)), 0);
    for (int64_t b = 0; b < n / 32; ++b) {
      int sum = 0;
      for (int i = 0; i < 32; ++i) {
        const float xi = x[b * 32 + i];
        ASSERT_LE(std::fabs(xi - r32[b].d * r32[b].qs[i]), 0.51f * r32[b].d) << b << " " << i;
        sum += r32[b].qs[i];
      }
      ASSERT_EQ(sum, r32[b].sum);
    }
    for (int64_t b = 0; b < n / 256; ++b) {
      for (int g = 0; g < 16; ++g) {
        int sum = 0;
        for (int i = 16 * g; i < 16 * g + 16; ++i) {
          ASSERT_LE(std::fabs(x[b * 256 + i] - r256[b].d * r256[b].qs[i]), 0.51f * r256[b].d);
          sum += r256[b].qs[i];
        }
        ASSERT_EQ(sum, r256[b].bsums[g]);
      }
    }
  }
}

// llama.cpp's own quantizers (libggml-cpu's from_float for q8_0 and q8_K) on crafted rows:
// .5 ties, both signs at max|x|, all-zero blocks, F16 underflow of d, massive outliers.
// q8_0: the same qs, and d is the F32 value llama.cpp rounds to its F16 d (qwenrt keeps
// the unrounded scale). q8_K: llama.cpp maps the extreme to -127 and negates d when that x
// is positive; up to that sign, the same d, qs and bsums bit for bit.
TEST_P(QuantTest, ActivationQuantizationEqualsLlamaCpp) {
  ScopedSimdTarget target(GetParam());
  const QuantMatmulKernels& kernels = *active_kernels().quant;
  const std::string path = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/quant/act_quant_llama.bin";
  FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr) << path;
  int32_t head[2];
  ASSERT_EQ(std::fread(head, 4, 2, f), 2u);
  const int64_t rows = head[0], n = head[1];
  ASSERT_TRUE(rows > 0 && n > 0 && n % 256 == 0);
  std::vector<float> x(static_cast<size_t>(rows * n));
  std::vector<uint8_t> q8_0(static_cast<size_t>(rows * n / 32 * 34)), q8_k(static_cast<size_t>(rows * n / 256 * 292));
  ASSERT_EQ(std::fread(x.data(), 4, x.size(), f), x.size());
  ASSERT_EQ(std::fread(q8_0.data(), 1, q8_0.size(), f), q8_0.size());
  ASSERT_EQ(std::fread(q8_k.data(), 1, q8_k.size(), f), q8_k.size());
  std::fclose(f);
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x.data() + r * n;
    std::vector<ActBlock32> a32(static_cast<size_t>(n / 32)), r32(a32.size());
    std::vector<ActBlock256> a256(static_cast<size_t>(n / 256)), r256(a256.size());
    kernels.quantize_act32(xr, n, a32.data());
    kernels.quantize_act256(xr, n, a256.data());
    reference::quantize_act32(xr, n, r32.data());
    reference::quantize_act256(xr, n, r256.data());
    ASSERT_EQ(std::memcmp(a32.data(), r32.data(), a32.size() * sizeof(ActBlock32)), 0) << r;
    ASSERT_EQ(std::memcmp(a256.data(), r256.data(), a256.size() * sizeof(ActBlock256)), 0) << r;
    for (int64_t b = 0; b < n / 32; ++b) {
      SCOPED_TRACE(::testing::Message() << "row " << r << " q8_0 block " << b);
      const uint8_t* g = q8_0.data() + (r * n / 32 + b) * 34;
      uint16_t d16;
      std::memcpy(&d16, g, 2);
      EXPECT_EQ(f32_to_f16(a32[b].d), d16) << a32[b].d;
      int sum = 0;
      for (int i = 0; i < 32; ++i) {
        ASSERT_EQ(a32[b].qs[i], static_cast<int8_t>(g[2 + i])) << i;
        sum += a32[b].qs[i];
      }
      EXPECT_EQ(a32[b].sum, sum);
    }
    for (int64_t b = 0; b < n / 256; ++b) {
      SCOPED_TRACE(::testing::Message() << "row " << r << " q8_K block " << b);
      const uint8_t* g = q8_k.data() + (r * n / 256 + b) * 292;
      float d;
      std::memcpy(&d, g, 4);
      const int sign = d < 0.0f ? -1 : 1;
      EXPECT_EQ(a256[b].d, std::fabs(d));
      for (int i = 0; i < 256; ++i) ASSERT_EQ(a256[b].qs[i], sign * static_cast<int8_t>(g[4 + i])) << i;
      for (int j = 0; j < 16; ++j) {
        int16_t bs;
        std::memcpy(&bs, g + 260 + 2 * j, 2);
        EXPECT_EQ(a256[b].bsums[j], sign * bs) << j;
      }
    }
  }
}

enum class Path { kAuto, kGemv, kGemm, kGroup };

struct Problem {
  DType dtype;
  int64_t m, n, k;
  std::vector<uint8_t> w;
  std::vector<float> x, bias;
  WeightView view() const { return WeightView{dtype, n, k, w.data()}; }
};

Problem make_problem(DType dtype, int64_t m, int64_t n, int64_t k, uint64_t seed) {
  Random rng(seed);
  Problem p{dtype, m, n, k, {}, {}, {}};
  p.w.resize(static_cast<size_t>(n * dtype_row_bytes(dtype, k)));
  fill_random_blocks(dtype, n * (k / dtype_block_elements(dtype)), rng, p.w.data());
  p.x.resize(static_cast<size_t>(m * k));
  rng.fill(p.x.data(), m * k);
  p.bias.resize(static_cast<size_t>(n));
  rng.fill(p.bias.data(), n);
  return p;
}

std::vector<float> run(ThreadPool& pool, Path path, const Problem& p, const float* bias) {
  GuardedBuffer y(static_cast<size_t>(p.m * p.n) * 4);
  GuardedBuffer x(static_cast<size_t>(p.m * p.k) * 4);
  std::memcpy(x.floats(), p.x.data(), p.x.size() * 4);
  const WeightView w = p.view();
  switch (path) {
    case Path::kAuto: matmul(pool, x.floats(), p.m, w, bias, y.floats()); break;
    case Path::kGemv: matmul_gemv(pool, x.floats(), p.m, w, bias, y.floats()); break;
    case Path::kGemm: matmul_gemm(pool, x.floats(), p.m, w, bias, y.floats()); break;
    case Path::kGroup: {
      const MatmulTarget t{&w, bias, y.floats()};
      matmul_group(pool, x.floats(), p.m, std::span(&t, 1));
      break;
    }
  }
  return std::vector<float>(y.floats(), y.floats() + p.m * p.n);
}

// y against the reference integer dot on the same quantized activations, and against
// the dequantized weights times the F32 activations.
void check_against_references(const Problem& p, const float* bias, const std::vector<float>& y) {
  const int64_t k = p.k, be = dtype_block_elements(p.dtype), blocks = k / be;
  const int64_t row_bytes = dtype_row_bytes(p.dtype, k);
  const bool act256 = reference::uses_act256(p.dtype);
  for (int64_t i = 0; i < p.m; ++i) {
    const float* xi = p.x.data() + i * k;
    std::vector<ActBlock32> a32(static_cast<size_t>(k / 32));
    std::vector<ActBlock256> a256(static_cast<size_t>(std::max<int64_t>(1, k / 256)));
    if (act256) {
      reference::quantize_act256(xi, k, a256.data());
    } else {
      reference::quantize_act32(xi, k, a32.data());
    }
    const void* act = act256 ? static_cast<const void*>(a256.data()) : a32.data();
    for (int64_t j = 0; j < p.n; ++j) {
      SCOPED_TRACE(::testing::Message() << "i=" << i << " j=" << j);
      const uint8_t* wr = p.w.data() + j * row_bytes;
      double abs_terms = 0.0;
      float want = reference::quant_dot(p.dtype, wr, act, blocks, &abs_terms);
      const double b = bias != nullptr ? bias[j] : 0.0;
      if (bias != nullptr) want += bias[j];
      const double got = y[static_cast<size_t>(i * p.n + j)];
      const double bound = 4.0 * kEps * static_cast<double>(blocks + 8) * abs_terms +
                           2.0 * kEps * std::fabs(b) + 1e-30;
      ASSERT_NEAR(got, want, bound) << "vs the integer reference";

      // Against dequantize-then-F32 (in double).
      const DequantizedDot f = dequantized_dot(p.dtype, wr, xi, k, act256 ? nullptr : a32.data(),
                                               act256 ? a256.data() : nullptr, b);
      ASSERT_NEAR(got, f.exact, bound + f.act_err + 8.0 * kEps * (f.abs_prod + abs_terms)) << "vs dequantize-then-F32";
    }
  }
}

TEST_P(QuantTest, MatmulMatchesReferences) {
  ScopedSimdTarget target(GetParam());
  ThreadPool one(1), three(3);
  uint64_t seed = 1;
  for (DType dtype : kQuantTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    const int64_t be = dtype_block_elements(dtype);
    for (int64_t k : {be, 3 * be}) {
      for (int64_t n : {1, 7, 33}) {
        for (int64_t m = 1; m <= 20; m += (m < 6 ? 1 : 7)) {
          SCOPED_TRACE(::testing::Message() << "m=" << m << " n=" << n << " k=" << k);
          const Problem p = make_problem(dtype, m, n, k, seed);
          const Path path = static_cast<Path>(seed % 4);
          const float* bias = seed % 3 != 0 ? p.bias.data() : nullptr;
          check_against_references(p, bias, run(seed % 2 ? one : three, path, p, bias));
          ++seed;
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST_P(QuantTest, LongRowsOnEveryPath) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  uint64_t seed = 100;
  for (DType dtype : kQuantTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    const int64_t k = dtype_block_elements(dtype) == 256 ? 1536 : 1568;
    for (Path path : {Path::kGemv, Path::kGemm, Path::kGroup}) {
      const Problem p = make_problem(dtype, 17, 40, k, seed++);
      check_against_references(p, p.bias.data(), run(pool, path, p, p.bias.data()));
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// The serving engine batches rows of different requests: each row's output must equal,
// bit for bit, what it gets alone, whatever the batch size, path and thread count.
TEST_P(QuantTest, RowResultsDoNotDependOnTheBatch) {
  ScopedSimdTarget target(GetParam());
  ThreadPool one(1), three(3);
  uint64_t seed = 500;
  for (DType dtype : kQuantTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    const int64_t k = 2 * dtype_block_elements(dtype);
    for (int64_t m : {2, 5, 8, 13, 16, 20, 70}) {
      const Problem batch = make_problem(dtype, m, 37, k, seed++);
      const std::vector<float> y = run(three, Path::kAuto, batch, batch.bias.data());
      const std::vector<float> y_gemm = run(one, Path::kGemm, batch, batch.bias.data());
      for (int64_t i = 0; i < m; ++i) {
        Problem alone = batch;
        alone.m = 1;
        alone.x.assign(batch.x.begin() + i * k, batch.x.begin() + (i + 1) * k);
        const std::vector<float> y1 = run(i % 2 ? one : three, Path::kGemv, alone, batch.bias.data());
        for (int64_t j = 0; j < batch.n; ++j) {
          ASSERT_TRUE(same_bits(y1[j], y[i * batch.n + j])) << "m=" << m << " i=" << i << " j=" << j;
          ASSERT_TRUE(same_bits(y1[j], y_gemm[i * batch.n + j])) << "m=" << m << " i=" << i;
        }
      }
    }
  }
}

// q/k/v of a Qwen2.5 Q4_K_M layer may mix K-quants, 32-blocks and plain types: one group
// call gives what each matmul gives alone.
TEST_P(QuantTest, MixedGroupEqualsSeparateMatmuls) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  const int64_t k = 512;
  for (int64_t m : {1, 3, 19}) {
    std::vector<Problem> ps;
    ps.push_back(make_problem(DType::Q4_K, m, 20, k, 900 + m));
    ps.push_back(make_problem(DType::Q5_0, m, 9, k, 901 + m));
    ps.push_back(make_problem(DType::Q6_K, m, 12, k, 902 + m));
    Problem f = make_problem(DType::Q8_0, m, 5, k, 903 + m);
    f.dtype = DType::F32;  // plain weights in the same group
    f.w.resize(static_cast<size_t>(5 * k * 4));
    Random rng(3);
    rng.fill(reinterpret_cast<float*>(f.w.data()), 5 * k);
    ps.push_back(f);
    for (Problem& p : ps) p.x = ps[0].x;
    std::vector<WeightView> views;
    for (const Problem& p : ps) views.push_back(p.view());
    std::vector<std::vector<float>> ys;
    std::vector<MatmulTarget> targets;
    for (size_t t = 0; t < ps.size(); ++t) ys.emplace_back(static_cast<size_t>(m * ps[t].n));
    for (size_t t = 0; t < ps.size(); ++t)
      targets.push_back({&views[t], t % 2 ? ps[t].bias.data() : nullptr, ys[t].data()});
    matmul_group(pool, ps[0].x.data(), m, targets);
    for (size_t t = 0; t < ps.size(); ++t) {
      const std::vector<float> alone = run(pool, Path::kAuto, ps[t], targets[t].bias);
      for (size_t e = 0; e < alone.size(); ++e)
        ASSERT_TRUE(same_bits(alone[e], ys[t][e])) << "m=" << m << " target " << t << " e=" << e;
    }
  }
}

TEST_P(QuantTest, MatmulRejectsPartialBlocks) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(1);
  std::vector<uint8_t> w(1024);
  std::vector<float> x(300), y(4);
  const WeightView bad{DType::Q4_K, 1, 300, w.data()};
  EXPECT_THROW(matmul(pool, x.data(), 1, bad, nullptr, y.data()), Error);
}

INSTANTIATE_TEST_SUITE_P(Targets, QuantTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
