// The row-interleaved quantized kernels (kernels/cpu/quant_packed.h) on weights repacked
// by pack_weight, through the public matmul entry points.
// - Against ops_reference.h's integer quant_dot on the same quantized activations within
//   the F32 summation bound 4 eps (blocks + 8) sum|terms|, and against the dequantized
//   weights times the F32 activations within the int8 activation rounding bound.
// - The packed copy is what runs: the original rows are wiped after packing.
// - A row's output is bit-identical alone (m = 1), in any batch, with any thread count.
// - Each test runs on every SIMD target with packed kernels (AVX-512 VNNI, AVX2), and the
//   AVX2 kernels give the AVX-512 ones' outputs bit for bit on the same packed bytes.
// Where the CPU has no packed kernels (no AVX2) the tests are skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels/cpu/quant_packed.h"
#include "kernels_test_util.h"
#include "tensor/quant_reference.h"

namespace qwenrt::cpu {
namespace {

using testing::kEps;
using testing::dequantized_dot;
using testing::DequantizedDot;
using testing::fill_random_blocks;
using testing::Random;

const DType kPackedTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                              DType::Q5_1, DType::Q4_K, DType::Q5_K, DType::Q6_K};

struct Packed {
  DType dtype;
  int64_t n, k;
  std::vector<uint8_t> w, packed;
  WeightView view() const {
    WeightView v{dtype, n, k, w.data()};
    v.packed = packed.empty() ? nullptr : packed.data();
    return v;
  }
};

Packed make_packed(ThreadPool& pool, DType dtype, int64_t n, int64_t k, uint64_t seed) {
  Random rng(seed);
  Packed p{dtype, n, k, {}, {}};
  p.w.resize(static_cast<size_t>(n * dtype_row_bytes(dtype, k)));
  fill_random_blocks(dtype, n * (k / dtype_block_elements(dtype)), rng, p.w.data());
  const WeightView v = p.view();
  if (can_pack(v)) {
    p.packed.resize(packed_weight_bytes(v));
    // In two calls, as the loader packs large weights piece by piece.
    const int64_t groups = n / kPackRows;
    pack_weight(pool, v, 0, groups / 2, p.packed.data());
    pack_weight(pool, v, groups / 2, groups, p.packed.data());
  }
  return p;
}

std::vector<float> random_x(int64_t m, int64_t k, uint64_t seed) {
  Random rng(seed);
  std::vector<float> x(static_cast<size_t>(m * k));
  rng.fill(x.data(), m * k);
  return x;
}

std::vector<float> run(ThreadPool& pool, const Packed& p, const std::vector<float>& x, int64_t m,
                       const float* bias) {
  std::vector<float> y(static_cast<size_t>(m * p.n));
  const WeightView w = p.view();
  matmul(pool, x.data(), m, w, bias, y.data());
  return y;
}

// y against the integer reference and against dequantize-then-F32 (in double); `w` is the
// original rows (the packed copy's source).
void check(const Packed& p, const std::vector<uint8_t>& w, const std::vector<float>& x, int64_t m,
           const float* bias, const std::vector<float>& y) {
  const int64_t k = p.k, blocks = k / dtype_block_elements(p.dtype);
  const int64_t row_bytes = dtype_row_bytes(p.dtype, k);
  const bool act256 = reference::uses_act256(p.dtype);
  std::vector<ActBlock32> a32(static_cast<size_t>(k / 32));
  std::vector<ActBlock256> a256(static_cast<size_t>(std::max<int64_t>(1, k / 256)));
  for (int64_t i = 0; i < m; ++i) {
    const float* xi = x.data() + i * k;
    if (act256) {
      reference::quantize_act256(xi, k, a256.data());
    } else {
      reference::quantize_act32(xi, k, a32.data());
    }
    const void* act = act256 ? static_cast<const void*>(a256.data()) : a32.data();
    for (int64_t j = 0; j < p.n; ++j) {
      SCOPED_TRACE(::testing::Message() << "i=" << i << " j=" << j);
      const uint8_t* wr = w.data() + j * row_bytes;
      double abs_terms = 0.0;
      const double b = bias != nullptr ? bias[j] : 0.0;
      const double want = reference::quant_dot(p.dtype, wr, act, blocks, &abs_terms) + b;
      const double got = y[static_cast<size_t>(i * p.n + j)];
      const double bound = 4.0 * kEps * static_cast<double>(blocks + 8) * abs_terms + 4.0 * kEps * std::fabs(b) + 1e-30;
      ASSERT_NEAR(got, want, bound) << "vs the integer reference";
      const DequantizedDot f = dequantized_dot(p.dtype, wr, xi, k, act256 ? nullptr : a32.data(),
                                               act256 ? a256.data() : nullptr, b);
      ASSERT_NEAR(got, f.exact, bound + f.act_err + 8.0 * kEps * (f.abs_prod + abs_terms)) << "vs dequantize-then-F32";
    }
  }
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

// Makes each SIMD target with packed kernels active in turn (weights are packed while
// it is); restores the best target when done.
class PackedQuantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& t : supported_simd_targets()) {
      set_simd_target_for_testing(t);
      if (active_packed_kernels() != nullptr) targets_.push_back(t);
    }
    set_simd_target_for_testing(supported_simd_targets().front());
    if (targets_.empty()) GTEST_SKIP() << "no packed kernels on this CPU";
  }
  void TearDown() override { set_simd_target_for_testing(supported_simd_targets().front()); }

  template <typename F>
  void for_each_target(F body) {
    for (const std::string& t : targets_) {
      SCOPED_TRACE(t);
      ASSERT_TRUE(set_simd_target_for_testing(t));
      body();
      if (HasFatalFailure()) return;
    }
  }

  std::vector<std::string> targets_;
};

TEST_F(PackedQuantTest, MatchesReferencesAndRunsThePackedCopy) {
  for_each_target([&] {
    ThreadPool one(1), two(2), three(3);
    uint64_t seed = 1;
    for (DType dtype : kPackedTypes) {
      SCOPED_TRACE(dtype_name(dtype));
      const int64_t be = dtype_block_elements(dtype);
      for (int64_t k : {be, 3 * be, be == 32 ? int64_t{896} : int64_t{1536}}) {
        for (int64_t n : {16, 48}) {
          Packed p = make_packed(two, dtype, n, k, seed);
          ASSERT_FALSE(p.packed.empty());
          const std::vector<uint8_t> original = p.w;
          // Wiped rows: only the packed copy can give the right answer.
          std::fill(p.w.begin(), p.w.end(), uint8_t{0});
          for (int64_t m : {1, 2, 5, 8, 9, 17, 33}) {
            SCOPED_TRACE(::testing::Message() << "m=" << m << " n=" << n << " k=" << k);
            const std::vector<float> x = random_x(m, k, seed * 31 + m);
            std::vector<float> bias(static_cast<size_t>(n));
            Random(seed).fill(bias.data(), n);
            const float* b = m % 2 ? bias.data() : nullptr;
            ThreadPool& pool = m % 3 == 0 ? one : (m % 3 == 1 ? two : three);
            check(p, original, x, m, b, run(pool, p, x, m, b));
            if (::testing::Test::HasFatalFailure()) return;
          }
          ++seed;
        }
      }
    }
  });
}

TEST_F(PackedQuantTest, RowResultsDoNotDependOnTheBatchOrThreads) {
  for_each_target([&] {
    ThreadPool one(1), two(2), three(3);
    uint64_t seed = 700;
    for (DType dtype : kPackedTypes) {
      SCOPED_TRACE(dtype_name(dtype));
      const int64_t k = 2 * dtype_block_elements(dtype);
      const Packed p = make_packed(two, dtype, 64, k, seed++);
      ASSERT_FALSE(p.packed.empty());
      std::vector<float> bias(64);
      Random(seed).fill(bias.data(), 64);
      for (int64_t m : {3, 8, 13, 33, 70}) {
        const std::vector<float> x = random_x(m, k, seed++);
        const std::vector<float> y2 = run(two, p, x, m, bias.data());
        const std::vector<float> y3 = run(three, p, x, m, bias.data());
        for (int64_t i = 0; i < m; ++i) {
          const std::vector<float> xi(x.begin() + i * k, x.begin() + (i + 1) * k);
          const std::vector<float> y1 = run(i % 2 ? one : three, p, xi, 1, bias.data());
          for (int64_t j = 0; j < p.n; ++j) {
            ASSERT_TRUE(same_bits(y1[j], y2[i * p.n + j])) << "m=" << m << " i=" << i << " j=" << j;
            ASSERT_TRUE(same_bits(y1[j], y3[i * p.n + j])) << "m=" << m << " i=" << i << " j=" << j;
          }
        }
      }
    }
  });
}

// The embedding lookup of a tied head reads the packed copy: it must give back the
// original bytes exactly, and so the same floats.
TEST_F(PackedQuantTest, UnpackedRowsAreTheOriginalBytes) {
  for_each_target([&] {
    ThreadPool two(2);
    for (DType dtype : kPackedTypes) {
      SCOPED_TRACE(dtype_name(dtype));
      const int64_t k = 3 * dtype_block_elements(dtype);
      const Packed p = make_packed(two, dtype, 48, k, 77);
      ASSERT_FALSE(p.packed.empty());
      const WeightView v = p.view();
      std::vector<uint8_t> bytes(v.row_bytes());
      std::vector<float> got(static_cast<size_t>(k)), want(static_cast<size_t>(k));
      for (int64_t r = 0; r < p.n; ++r) {
        unpack_weight_row(v, r, bytes.data());
        ASSERT_EQ(0, std::memcmp(bytes.data(), v.row(r), bytes.size())) << "row " << r;
        dequantize_weight_row(v, r, got.data());
        dequantize_row(dtype, v.row(r), k, want.data());
        ASSERT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * 4)) << "row " << r;
      }
    }
  });
}

// Rows that are not a whole number of groups are not packed; they keep the row kernels.
TEST_F(PackedQuantTest, PartialGroupsAreNotPacked) {
  for_each_target([&] {
    ThreadPool two(2);
    for (DType dtype : kPackedTypes) {
      const Packed p = make_packed(two, dtype, 40, dtype_block_elements(dtype), 9);
      EXPECT_TRUE(p.packed.empty()) << dtype_name(dtype);
      const std::vector<float> x = random_x(3, p.k, 10);
      check(p, p.w, x, 3, nullptr, run(two, p, x, 3, nullptr));
    }
  });
}

// The AVX2 kernels do the AVX-512 ones' float ops in the same order on the same exact
// integers: the same bits, for every row count (the tile sizes differ: 4 and 8).
TEST_F(PackedQuantTest, Avx2MatchesAvx512BitForBit) {
  if (!set_simd_target_for_testing("avx512") || active_packed_kernels() != &kPackedQuantAvx512Vnni ||
      !set_simd_target_for_testing("avx2") || active_packed_kernels() != &kPackedQuantAvx2) {
    GTEST_SKIP() << "needs AVX-512 VNNI and AVX2";
  }
  ThreadPool two(2);
  uint64_t seed = 900;
  for (DType dtype : kPackedTypes) {
    SCOPED_TRACE(dtype_name(dtype));
    const int64_t be = dtype_block_elements(dtype);
    for (int64_t k : {be, 5 * be, be == 32 ? int64_t{1536} : int64_t{2304}}) {
      set_simd_target_for_testing("avx2");
      const Packed p = make_packed(two, dtype, 32, k, seed++);
      ASSERT_FALSE(p.packed.empty());
      for (int64_t m : {1, 2, 3, 4, 6, 7, 13, 40}) {
        SCOPED_TRACE(::testing::Message() << "m=" << m << " k=" << k);
        const std::vector<float> x = random_x(m, k, seed++);
        const std::vector<float> y2 = run(two, p, x, m, nullptr);
        set_simd_target_for_testing("avx512");
        const std::vector<float> y5 = run(two, p, x, m, nullptr);
        set_simd_target_for_testing("avx2");
        for (size_t i = 0; i < y2.size(); ++i) ASSERT_TRUE(same_bits(y2[i], y5[i])) << i << ": " << y2[i] << " vs " << y5[i];
      }
    }
  }
}

}  // namespace
}  // namespace qwenrt::cpu
