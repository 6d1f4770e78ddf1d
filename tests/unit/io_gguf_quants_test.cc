// The scalar reference dequantization (src/tensor/quant_reference.h) against gguf-py's
// gguf.quants.dequantize, bit for bit: on the fixture tensors of every type (quantized by
// gguf-py, or random valid K-quant blocks) and on rows of the real Q4_K_M file.
#include "tensor/quant_reference.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <set>

#include "io/gguf.h"
#include "io_gguf_test_util.h"

namespace qwenrt {
namespace {

using gguf_test::kFixtures;
using ::testing::HasSubstr;

// Dequantizes every row of `t` with the reference and compares with gguf-py's floats.
void expect_rows_match(const TensorView& t, const TensorView& want, int64_t first_row, const std::string& what) {
  ASSERT_EQ(want.dtype, DType::F32) << what;
  const int64_t cols = t.shape.back();
  const int64_t rows = want.numel() / cols;
  ASSERT_EQ(want.numel(), rows * cols) << what;
  std::vector<float> got(static_cast<size_t>(cols));
  const size_t row_bytes = static_cast<size_t>(dtype_row_bytes(t.dtype, cols));
  size_t mismatches = 0;
  for (int64_t r = 0; r < rows; ++r) {
    dequantize_row_reference(t.dtype, static_cast<const uint8_t*>(t.data) + (first_row + r) * row_bytes, cols,
                             got.data());
    for (int64_t c = 0; c < cols; ++c) {
      float expected;
      std::memcpy(&expected, static_cast<const uint8_t*>(want.data) + 4 * (r * cols + c), 4);
      uint32_t a, b;
      std::memcpy(&a, &got[c], 4);
      std::memcpy(&b, &expected, 4);
      if (a != b && mismatches++ < 5) {
        ADD_FAILURE() << what << " row " << first_row + r << " col " << c << ": got " << got[c] << " want " << expected;
      }
    }
  }
  EXPECT_EQ(mismatches, 0u) << what;
}

TEST(QuantReference, MatchesGgufPyOnEveryType) {
  const GgufFile source = GgufFile::open(kFixtures + "types.gguf");
  const GgufFile expected = GgufFile::open(kFixtures + "types_dequantized.gguf");
  std::set<DType> seen;
  for (const GgufTensorInfo& want : expected.tensors()) {
    const GgufTensorInfo* t = source.find_tensor(want.name);
    ASSERT_NE(t, nullptr) << want.name;
    const TensorView view = t->view(source.path());
    seen.insert(view.dtype);
    expect_rows_match(view, want.view(expected.path()), 0, want.name);
  }
  EXPECT_EQ(seen, (std::set<DType>{DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q4_K,
                                   DType::Q5_K, DType::Q6_K}));
}

TEST(QuantReference, MatchesGgufPyOnTheRealFile) {
  const std::string path = gguf_test::real_gguf_path();
  if (!is_gguf_file(path)) GTEST_SKIP() << path << " is absent (see scripts/fetch-real-model.sh)";
  const GgufFile real = GgufFile::open(path);
  const GgufFile rows = GgufFile::open(kFixtures + gguf_test::kRealStem + "_rows.gguf");
  ASSERT_GE(rows.tensors().size(), 6u);
  for (const GgufTensorInfo& want : rows.tensors()) {
    const size_t hash = want.name.find('#');
    ASSERT_NE(hash, std::string::npos);
    const GgufTensorInfo* t = real.find_tensor(want.name.substr(0, hash));
    ASSERT_NE(t, nullptr) << want.name;
    expect_rows_match(t->view(path), want.view(rows.path()), std::stoll(want.name.substr(hash + 1)), want.name);
  }
}

// The structs are llama.cpp's ggml-common.h layouts, field by field.
TEST(QuantReference, BlockLayoutsAreLlamaCpps) {
  EXPECT_EQ(offsetof(BlockQ8_0, qs), 2u);
  EXPECT_EQ(offsetof(BlockQ4_1, m), 2u);
  EXPECT_EQ(offsetof(BlockQ4_1, qs), 4u);
  EXPECT_EQ(offsetof(BlockQ4_K, scales), 4u);
  EXPECT_EQ(offsetof(BlockQ4_K, qs), 16u);
  EXPECT_EQ(offsetof(BlockQ5_K, qh), 16u);
  EXPECT_EQ(offsetof(BlockQ5_K, qs), 48u);
  EXPECT_EQ(offsetof(BlockQ6_K, qh), 128u);
  EXPECT_EQ(offsetof(BlockQ6_K, scales), 192u);
  EXPECT_EQ(offsetof(BlockQ6_K, d), 208u);
  for (DType d : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
    const size_t size = d == DType::Q8_0   ? sizeof(BlockQ8_0)
                        : d == DType::Q4_0 ? sizeof(BlockQ4_0)
                        : d == DType::Q4_1 ? sizeof(BlockQ4_1)
                        : d == DType::Q4_K ? sizeof(BlockQ4_K)
                        : d == DType::Q5_K ? sizeof(BlockQ5_K)
                                           : sizeof(BlockQ6_K);
    EXPECT_EQ(static_cast<int64_t>(size), dtype_block_bytes(d)) << dtype_name(d);
  }
}

TEST(QuantReference, ReadsUnalignedBlocks) {
  const GgufFile source = GgufFile::open(kFixtures + "types.gguf");
  const TensorView q = source.find_tensor("q6_k")->view(source.path());
  std::vector<uint8_t> shifted(q.nbytes + 1);
  std::memcpy(shifted.data() + 1, q.data, q.nbytes);
  std::vector<float> a(512), b(512);
  dequantize_row_reference(DType::Q6_K, q.data, 512, a.data());
  dequantize_row_reference(DType::Q6_K, shifted.data() + 1, 512, b.data());
  EXPECT_EQ(a, b);
}

TEST(QuantReference, RefusesPartialBlocksAndIntegers) {
  float out[64];
  const uint8_t zeros[64] = {};
  auto error = [&](DType d, int64_t n) {
    try {
      dequantize_row_reference(d, zeros, n, out);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_THAT(error(DType::Q8_0, 31), HasSubstr("31 elements of Q8_0"));
  EXPECT_THAT(error(DType::Q4_K, 32), HasSubstr("256-element blocks"));
  EXPECT_THAT(error(DType::F32, -1), HasSubstr("-1 elements"));
  EXPECT_THAT(error(DType::I32, 4), HasSubstr("I32 is not a floating-point type"));
  EXPECT_EQ(error(DType::Q8_0, 0), "<no error>");
}

}  // namespace
}  // namespace qwenrt
