// The quantizers (src/tensor/quantize.h) byte for byte against the reference ones: gguf-py's
// ports of ggml's Q8_0 / Q4_0 / Q4_1 / Q5_0 / Q5_1 quantizers, and llama.cpp's own K-quant
// quantizers (llama_model_quantize); plus the Q5_0 / Q5_1 dequantizers against gguf-py.
// Fixtures: tools/goldens/make_quant_goldens.py.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "io/gguf.h"
#include "tensor/quant_reference.h"
#include "tensor/quantize.h"

namespace qwenrt {
namespace {

const std::string kDir = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/quant/";

const TensorView view_of(const GgufFile& f, const std::string& name) {
  const GgufTensorInfo* t = f.find_tensor(name);
  if (!t) throw std::runtime_error(f.path() + " has no tensor " + name);
  return t->view(f.path());
}

// The input tensor's values as F32 rows (the fixture stores F32 or F16).
std::vector<float> floats_of(const TensorView& t) {
  std::vector<float> out(static_cast<size_t>(t.numel()));
  dequantize_row_reference(t.dtype, t.data, t.numel(), out.data());
  return out;
}

// Quantizes `input` row by row as `type` and compares with the reference's bytes; reports
// the first differing block.
void expect_same_bytes(const std::vector<float>& input, int64_t cols, const TensorView& want, const std::string& what) {
  ASSERT_EQ(static_cast<int64_t>(input.size()) % cols, 0);
  const int64_t rows = static_cast<int64_t>(input.size()) / cols;
  const size_t row_bytes = static_cast<size_t>(dtype_row_bytes(want.dtype, cols));
  ASSERT_EQ(want.nbytes, row_bytes * rows) << what;
  std::vector<uint8_t> got(row_bytes);
  const size_t block_bytes = static_cast<size_t>(dtype_block_bytes(want.dtype));
  int differing_blocks = 0;
  for (int64_t r = 0; r < rows; ++r) {
    quantize_row(want.dtype, input.data() + r * cols, cols, got.data());
    const uint8_t* expected = static_cast<const uint8_t*>(want.data) + r * row_bytes;
    for (size_t b = 0; b < row_bytes; b += block_bytes) {
      if (std::memcmp(got.data() + b, expected + b, block_bytes) != 0 && ++differing_blocks <= 3) {
        ADD_FAILURE() << what << ": row " << r << " block " << b / block_bytes << " differs";
      }
    }
  }
  EXPECT_EQ(differing_blocks, 0) << what;
}

TEST(QuantizeGolden, LegacyTypesMatchGgufPyByteForByte) {
  const GgufFile f = GgufFile::open(kDir + "legacy.gguf");
  const TensorView input = view_of(f, "input");
  const std::vector<float> x = floats_of(input);
  for (const char* name : {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1"}) {
    expect_same_bytes(x, input.shape.back(), view_of(f, name), name);
  }
}

TEST(QuantizeGolden, Q5DequantizationMatchesGgufPyBitForBit) {
  const GgufFile f = GgufFile::open(kDir + "legacy.gguf");
  for (const std::string name : {"q5_0", "q5_1"}) {
    const TensorView q = view_of(f, name + ".random");
    const std::vector<float> want = floats_of(view_of(f, name + ".random.dequant"));
    std::vector<float> got(want.size());
    dequantize_row_reference(q.dtype, q.data, q.numel(), got.data());
    ASSERT_EQ(0, std::memcmp(got.data(), want.data(), 4 * want.size())) << name;
  }
}

TEST(QuantizeGolden, KQuantsMatchLlamaCppByteForByte) {
  const GgufFile f = GgufFile::open(kDir + "kquants.gguf");
  const TensorView input = view_of(f, "input");
  const std::vector<float> x = floats_of(input);
  for (const char* name : {"q4_k", "q5_k", "q6_k"}) {
    expect_same_bytes(x, input.shape.back(), view_of(f, name), name);
  }
}

}  // namespace
}  // namespace qwenrt
