// Causal GQA attention on every SIMD target against the reference triple loop, over
// head sizes around vector widths, GQA groupings, prompt/decode mixes and thread counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::kEps;
using testing::Random;
using testing::ScopedSimdTarget;

struct Case {
  int64_t n_tokens, n_past, n_heads, n_kv_heads, head_dim;
  float scale;
};

// Bound per output element, from F32 rounding in each step: a score's error is about
// eps sqrt(d) scale sum_d |q k|, which perturbs each probability relatively by twice
// that; exp (1 ulp), the sum and normalisation add ~eps (4 + sqrt(len)); the weighted sum
// adds eps sqrt(len). All scale with max_j |v_j|. A dropped key moves the output by
// ~|v| / len, far above this for the lengths tested.
void check_case(ThreadPool& pool, const Case& c, uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << "tokens=" << c.n_tokens << " past=" << c.n_past << " heads="
                                    << c.n_heads << "/" << c.n_kv_heads << " dim=" << c.head_dim
                                    << " scale=" << c.scale << " threads=" << pool.size());
  Random rng(seed);
  const int64_t cap = c.n_past + c.n_tokens + 3;  // spare rows the kernel must ignore
  const int64_t q_len = c.n_tokens * c.n_heads * c.head_dim;
  const int64_t kv_len = c.n_kv_heads * cap * c.head_dim;
  GuardedBuffer q(q_len * 4, seed % 2 ? 4 : 0), k(kv_len * 4), v(kv_len * 4, seed % 3 ? 4 : 0);
  GuardedBuffer out(q_len * 4);
  rng.fill(q.floats(), q_len);
  rng.fill(k.floats(), kv_len);
  rng.fill(v.floats(), kv_len);
  // Rows past the valid positions hold huge values: reading them would show.
  for (int64_t h = 0; h < c.n_kv_heads; ++h) {
    for (int64_t j = c.n_past + c.n_tokens; j < cap; ++j) {
      for (int64_t d = 0; d < c.head_dim; ++d) {
        k.floats()[(h * cap + j) * c.head_dim + d] = 1e4f;
        v.floats()[(h * cap + j) * c.head_dim + d] = 1e4f;
      }
    }
  }
  attention(pool, q.floats(), c.n_tokens, c.n_past, k.floats(), v.floats(), cap, c.n_heads,
            c.n_kv_heads, c.head_dim, c.scale, out.floats());
  std::vector<float> ref(q_len);
  reference::attention(q.floats(), c.n_tokens, c.n_past, k.floats(), v.floats(), cap, c.n_heads,
                       c.n_kv_heads, c.head_dim, c.scale, ref.data());

  const int64_t group = c.n_heads / c.n_kv_heads;
  int failures = 0;
  for (int64_t t = 0; t < c.n_tokens; ++t) {
    const int64_t len = c.n_past + t + 1;
    for (int64_t h = 0; h < c.n_heads; ++h) {
      const float* qh = q.floats() + (t * c.n_heads + h) * c.head_dim;
      const float* kh = k.floats() + (h / group) * cap * c.head_dim;
      const float* vh = v.floats() + (h / group) * cap * c.head_dim;
      double score_abs = 0.0;
      for (int64_t j = 0; j < len; ++j) {
        double s = 0.0;
        for (int64_t d = 0; d < c.head_dim; ++d) s += std::fabs(qh[d] * kh[j * c.head_dim + d]);
        score_abs = std::max(score_abs, s * std::fabs(c.scale));
      }
      const double rel = kEps * (4.0 * std::sqrt(static_cast<double>(c.head_dim)) * score_abs +
                                 16.0 + 8.0 * std::sqrt(static_cast<double>(len)));
      for (int64_t d = 0; d < c.head_dim && failures < 5; ++d) {
        double v_max = 0.0;
        for (int64_t j = 0; j < len; ++j)
          v_max = std::max<double>(v_max, std::fabs(vh[j * c.head_dim + d]));
        const int64_t i = (t * c.n_heads + h) * c.head_dim + d;
        const float got = out.floats()[i], want = ref[i];
        if (!(std::fabs(static_cast<double>(got) - want) <= rel * v_max)) {
          ADD_FAILURE() << "out[t=" << t << "][h=" << h << "][d=" << d << "] = " << got
                        << ", reference " << want << ", tolerance " << rel * v_max;
          ++failures;
        }
      }
    }
  }
}

class AttentionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AttentionTest, HeadDims) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  uint64_t seed = 1;
  for (int64_t dim : {1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 48, 63, 64, 65, 80, 128, 129, 256}) {
    check_case(pool, {3, 5, 2, 1, dim, 1.0f / std::sqrt(static_cast<float>(dim))}, seed++);
  }
}

TEST_P(AttentionTest, LengthsAndGroups) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  uint64_t seed = 100;
  for (int64_t past : {0, 1, 14, 15, 16, 17, 33, 100}) {
    for (int64_t tokens : {1, 2, 16, 17, 40}) {
      check_case(pool, {tokens, past, 14, 2, 64, 0.125f}, seed++);
    }
  }
  check_case(pool, {5, 3, 3, 3, 64, 0.125f}, seed++);     // no grouping
  check_case(pool, {5, 3, 8, 1, 32, 0.125f}, seed++);     // one KV head for all
  check_case(pool, {1, 700, 4, 2, 128, 0.088f}, seed++);  // long decode
}

// Large scores: without subtracting the max, exp overflows to inf and the output is NaN.
TEST_P(AttentionTest, StableSoftmaxWithLargeScores) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  check_case(pool, {4, 20, 2, 1, 64, 40.0f}, 7);
}

TEST_P(AttentionTest, ThreadCounts) {
  ScopedSimdTarget target(GetParam());
  uint64_t seed = 200;
  for (int threads : {1, 3, 5}) {
    ThreadPool pool(threads);
    check_case(pool, {37, 11, 6, 2, 64, 0.125f}, seed++);
    check_case(pool, {1, 50, 2, 2, 64, 0.125f}, seed++);   // fewer items than threads
    check_case(pool, {1, 50, 14, 2, 64, 0.125f}, seed++);  // GQA groups split over threads
    check_case(pool, {2, 30, 7, 1, 64, 0.125f}, seed++);
  }
}

TEST_P(AttentionTest, RejectsBadShapes) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(1);
  std::vector<float> buf(1024);
  // 3 heads over 2 KV heads; cache smaller than positions.
  EXPECT_THROW(
      attention(pool, buf.data(), 1, 0, buf.data(), buf.data(), 4, 3, 2, 8, 1.0f, buf.data()),
      Error);
  EXPECT_THROW(
      attention(pool, buf.data(), 2, 3, buf.data(), buf.data(), 4, 2, 2, 8, 1.0f, buf.data()),
      Error);
}

INSTANTIATE_TEST_SUITE_P(Targets, AttentionTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
