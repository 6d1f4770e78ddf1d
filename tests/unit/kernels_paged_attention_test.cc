// Paged attention against the contiguous reference over many shapes and block layouts
// (shuffled block tables, partial last blocks, prompt chunks and decode rows mixed in one
// call), on every SIMD target; and the property batching rests on: a query's output is
// bitwise the same whatever other queries share the call and however the prompt is chunked.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "base/error.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels/cpu/paged_attention.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::ScopedSimdTarget;

struct Shape {
  int64_t n_heads, n_kv_heads, head_dim, block_size;
};

// One sequence of `len` positions stored in a pool at shuffled blocks.
struct PagedSequence {
  std::vector<int32_t> table;
  std::vector<float> k, v;  // contiguous copy [n_kv_heads, len, head_dim] for the reference
};

class PagedPool {
 public:
  PagedPool(const Shape& s, int64_t n_blocks, std::mt19937& rng)
      : s_(s), n_blocks_(n_blocks),
        k_(static_cast<size_t>(n_blocks * s.n_kv_heads * s.block_size * s.head_dim)),
        v_(k_.size()), free_(static_cast<size_t>(n_blocks)) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& x : k_) x = normal(rng);
    for (float& x : v_) x = normal(rng);
    std::iota(free_.begin(), free_.end(), 0);
    std::shuffle(free_.begin(), free_.end(), rng);
  }
  PagedSequence add(int64_t len) {
    PagedSequence seq;
    const int64_t blocks = (len + s_.block_size - 1) / s_.block_size;
    for (int64_t b = 0; b < blocks; ++b) {
      if (free_.empty()) throw std::runtime_error("test pool too small");
      seq.table.push_back(free_.back());
      free_.pop_back();
    }
    seq.k.resize(static_cast<size_t>(s_.n_kv_heads * len * s_.head_dim));
    seq.v.resize(seq.k.size());
    for (int64_t h = 0; h < s_.n_kv_heads; ++h) {
      for (int64_t p = 0; p < len; ++p) {
        const int64_t src = ((seq.table[static_cast<size_t>(p / s_.block_size)] * s_.n_kv_heads + h) *
                                 s_.block_size + p % s_.block_size) * s_.head_dim;
        std::copy_n(k_.begin() + src, s_.head_dim, seq.k.begin() + (h * len + p) * s_.head_dim);
        std::copy_n(v_.begin() + src, s_.head_dim, seq.v.begin() + (h * len + p) * s_.head_dim);
      }
    }
    return seq;
  }
  PagedKV kv() const { return {k_.data(), v_.data(), s_.block_size, s_.n_kv_heads, s_.head_dim}; }

 private:
  Shape s_;
  int64_t n_blocks_;
  std::vector<float> k_, v_;
  std::vector<int32_t> free_;
};

class PagedAttentionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PagedAttentionTest, MatchesContiguousReferenceOverShapesAndLayouts) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(3);
  std::mt19937 rng(42);
  const Shape shapes[] = {{4, 2, 32, 16}, {14, 2, 64, 16}, {8, 8, 16, 4},  {6, 3, 24, 5},
                          {2, 1, 128, 32}, {16, 4, 80, 16}, {4, 1, 7, 3},  {1, 1, 64, 1}};
  for (const Shape& s : shapes) {
    // (n_past, n_tokens) per sequence: decodes, prompt chunks, block-boundary cases.
    const std::vector<std::pair<int64_t, int64_t>> seqs = {
        {0, 1}, {0, 37}, {15, 1}, {16, 1}, {31, 20}, {100, 1}, {5, 3}, {64, 17}};
    PagedPool paged(s, 400, rng);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<PagedSequence> stored;
    std::vector<std::vector<float>> q, out;
    for (auto [past, n] : seqs) {
      stored.push_back(paged.add(past + n));
      q.emplace_back(static_cast<size_t>(n * s.n_heads * s.head_dim));
      for (float& x : q.back()) x = normal(rng);
      out.emplace_back(q.back().size(), -1.0f);
    }
    std::vector<PagedQuery> queries;
    for (size_t i = 0; i < seqs.size(); ++i) {
      queries.push_back({q[i].data(), out[i].data(), seqs[i].second, seqs[i].first, stored[i].table.data()});
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
    paged_attention(pool, queries, paged.kv(), s.n_heads, scale);
    for (size_t i = 0; i < seqs.size(); ++i) {
      const auto [past, n] = seqs[i];
      std::vector<float> expected(out[i].size());
      reference::attention(q[i].data(), n, past, stored[i].k.data(), stored[i].v.data(), past + n,
                           s.n_heads, s.n_kv_heads, s.head_dim, scale, expected.data());
      for (size_t j = 0; j < expected.size(); ++j) {
        ASSERT_NEAR(out[i][j], expected[j], 2e-5f + 2e-5f * std::fabs(expected[j]))
            << "heads " << s.n_heads << "/" << s.n_kv_heads << " dim " << s.head_dim << " block "
            << s.block_size << " sequence " << i << " element " << j;
      }
    }
    // The scalar twin agrees with the reference too.
    std::vector<std::vector<float>> ref_out = out;
    std::vector<PagedQuery> ref_queries = queries;
    for (size_t i = 0; i < ref_queries.size(); ++i) ref_queries[i].out = ref_out[i].data();
    paged_attention_reference(ref_queries, paged.kv(), s.n_heads, scale);
    for (size_t i = 0; i < seqs.size(); ++i) {
      for (size_t j = 0; j < out[i].size(); ++j) ASSERT_NEAR(ref_out[i][j], out[i][j], 2e-5f + 2e-5f * std::fabs(out[i][j]));
    }
  }
}

TEST_P(PagedAttentionTest, AQueryIsBitwiseTheSameAloneChunkedOrBatched) {
  ScopedSimdTarget target(GetParam());
  ThreadPool pool(2);
  std::mt19937 rng(7);
  const Shape s{8, 2, 64, 16};
  PagedPool paged(s, 64, rng);
  const int64_t len = 90;
  const PagedSequence seq = paged.add(len);
  const PagedSequence other = paged.add(70);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t width = s.n_heads * s.head_dim;
  std::vector<float> q(static_cast<size_t>(len * width)), other_q(static_cast<size_t>(70 * width));
  for (float& x : q) x = normal(rng);
  for (float& x : other_q) x = normal(rng);
  const float scale = 0.125f;

  // The whole prompt in one call.
  std::vector<float> whole(q.size());
  const PagedQuery all{q.data(), whole.data(), len, 0, seq.table.data()};
  paged_attention(pool, std::span(&all, 1), paged.kv(), s.n_heads, scale);
  // In chunks of 1, 17, 30 and 42 rows, each batched with another sequence's queries.
  std::vector<float> chunked(q.size()), scratch(other_q.size());
  int64_t start = 0;
  for (int64_t n : {1, 17, 30, 42}) {
    const PagedQuery both[] = {{other_q.data(), scratch.data(), 70 - start % 50, start % 50, other.table.data()},
                               {q.data() + start * width, chunked.data() + start * width, n, start, seq.table.data()}};
    paged_attention(pool, both, paged.kv(), s.n_heads, scale);
    start += n;
  }
  ASSERT_EQ(start, len);
  EXPECT_EQ(0, std::memcmp(whole.data(), chunked.data(), whole.size() * sizeof(float)));
}

TEST(PagedAttention, RejectsBadShapes) {
  ThreadPool pool(1);
  std::vector<float> k(64), v(64), q(16), out(16);
  const int32_t table[] = {0};
  const PagedQuery query{q.data(), out.data(), 1, 0, table};
  EXPECT_THROW(paged_attention(pool, std::span(&query, 1), PagedKV{k.data(), v.data(), 4, 3, 4}, 4, 1.0f), Error);
  EXPECT_THROW(paged_attention(pool, std::span(&query, 1), PagedKV{k.data(), v.data(), 0, 1, 4}, 4, 1.0f), Error);
  const PagedQuery no_table{q.data(), out.data(), 1, 0, nullptr};
  EXPECT_THROW(paged_attention(pool, std::span(&no_table, 1), PagedKV{k.data(), v.data(), 4, 1, 4}, 4, 1.0f), Error);
}

INSTANTIATE_TEST_SUITE_P(Targets, PagedAttentionTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
