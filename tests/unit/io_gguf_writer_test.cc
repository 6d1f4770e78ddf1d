// The GGUF writer: byte-identical to gguf-py's GGUFWriter on every fixture gguf-py wrote,
// round trips what gguf-py cannot write, and refuses what GGUF cannot hold.
#include "io/gguf_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "io/gguf.h"
#include "io_gguf_test_util.h"

namespace qwenrt {
namespace {

using gguf_test::kFixtures;
using gguf_test::read_bytes;
using ::testing::HasSubstr;

std::vector<NamedTensor> views_of(const GgufContents& g) {
  std::vector<NamedTensor> out;
  for (const GgufTensorInfo& t : g.tensors) out.push_back({t.name, t.view(g.source)});
  return out;
}

std::string write_error(const std::vector<GgufKeyValue>& metadata, const std::vector<NamedTensor>& tensors) {
  try {
    serialize_gguf(metadata, tensors);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Every fixture gguf-py wrote (with tensors qwenrt can hold) comes out byte for byte.
TEST(GgufWriter, ReproducesGgufPyByteForByte) {
  for (const char* name : {"types.gguf", "types_dequantized.gguf", "aligned64.gguf", "qwen2_tiny/model.gguf",
                           "qwen3_tiny/model.gguf", "qwen2moe_tiny/model.gguf", "qwen3moe_tiny/model.gguf",
                           "real_qwen2.5-coder-1.5b-instruct-q4_k_m_rows.gguf"}) {
    SCOPED_TRACE(name);
    const std::vector<uint8_t> want = read_bytes(kFixtures + name);
    const GgufContents g = parse_gguf(want.data(), want.size(), name);
    const std::vector<uint8_t> got = serialize_gguf(g.metadata, views_of(g));
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
  }
}

TEST(GgufWriter, WriteGgufWritesTheSameBytes) {
  const std::vector<uint8_t> want = read_bytes(kFixtures + "aligned64.gguf");
  const GgufContents g = parse_gguf(want.data(), want.size(), "aligned64.gguf");
  const std::string path =
      (std::filesystem::temp_directory_path() / ("qwenrt_gguf_writer_" + std::to_string(::getpid()) + ".gguf")).string();
  write_gguf(path, g.metadata, views_of(g));
  EXPECT_TRUE(read_bytes(path) == want);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path);
  EXPECT_THAT([&] {
    try {
      write_gguf("/no-such-dir/x.gguf", g.metadata, views_of(g));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  }(), HasSubstr("cannot create /no-such-dir/x.gguf.tmp"));
}

// What gguf-py cannot write (empty arrays, 0-d tensors, alignment 128) still round trips.
TEST(GgufWriter, RoundTripsEverythingTheFormatAllows) {
  const float f32[4] = {1.5f, -2.0f, 0.0f, 3.0f};
  const uint8_t q4k[144 * 2] = {1, 2, 3};
  const int64_t i64[2] = {-1, 1};
  std::vector<GgufKeyValue> metadata = {
      {"general.alignment", GgufValue::u32(128)},
      {"empty.str_array", GgufValue::string_array({})},
      {"empty.i32_array", GgufValue::i32_array({})},
      {"nested.empty", GgufValue::array_of_arrays({GgufValue::i32_array({}), GgufValue::string_array({"a"})})},
      {"deep", GgufValue::array_of_arrays({GgufValue::array_of_arrays({GgufValue::f32_array({1.0f})})})},
      {"u64", GgufValue::u64(~uint64_t{0})},
      {"i8", GgufValue::i8(-1)},
      {"f64", GgufValue::f64(-0.0)},
      {"bools", GgufValue::scalar_array(GgufType::BOOL, {1, 0})},
      {"empty.string", GgufValue::str("")},
  };
  std::vector<NamedTensor> tensors = {
      {"scalar", TensorView{DType::F32, {}, f32, 4}},
      {"vector", TensorView{DType::F32, {3}, f32, 12}},
      {"k", TensorView{DType::Q4_K, {2, 256}, q4k, sizeof(q4k)}},
      {"empty", TensorView{DType::Q8_0, {0, 64}, nullptr, 0}},
      // Empty for its zero, though the other dimensions alone would overflow 64 bits.
      {"empty.wide", TensorView{DType::F32, {int64_t{1} << 40, int64_t{1} << 40, 0, 1}, nullptr, 0}},
      {"ids", TensorView{DType::I64, {1, 2}, i64, 16}},
  };
  const std::vector<uint8_t> bytes = serialize_gguf(metadata, tensors);
  const GgufContents g = parse_gguf(bytes.data(), bytes.size(), "round trip");
  EXPECT_EQ(g.alignment, 128u);
  EXPECT_EQ(g.data_start % 128, 0u);
  ASSERT_EQ(g.metadata.size(), metadata.size());
  for (size_t i = 0; i < metadata.size(); ++i) {
    EXPECT_EQ(g.metadata[i].key, metadata[i].key);
    EXPECT_TRUE(g.metadata[i].value == metadata[i].value) << metadata[i].key;
  }
  ASSERT_EQ(g.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorView v = g.tensors[i].view("round trip");
    SCOPED_TRACE(tensors[i].name);
    EXPECT_EQ(g.tensors[i].name, tensors[i].name);
    EXPECT_EQ(g.tensors[i].offset % 128, 0u);
    EXPECT_EQ(v.dtype, tensors[i].tensor.dtype);
    EXPECT_EQ(v.shape, tensors[i].tensor.shape);
    ASSERT_EQ(v.nbytes, tensors[i].tensor.nbytes);
    if (v.nbytes) {
      EXPECT_EQ(std::memcmp(v.data, tensors[i].tensor.data, v.nbytes), 0);
    }
  }
  EXPECT_EQ(bytes.size() % 128, 0u);  // the last tensor is padded too, as gguf-py does
}

TEST(GgufWriter, RefusesWhatGgufCannotHold) {
  const float f[64] = {};
  const TensorView ok{DType::F32, {2}, f, 8};
  EXPECT_THAT(write_error({{"", GgufValue::u8(1)}}, {}), HasSubstr("metadata key is empty"));
  EXPECT_THAT(write_error({{"a", GgufValue::u8(1)}, {"a", GgufValue::u8(2)}}, {}), HasSubstr("duplicate metadata key \"a\""));
  EXPECT_THAT(write_error({{"general.alignment", GgufValue::u64(32)}}, {}), HasSubstr("u32 power of two"));
  EXPECT_THAT(write_error({{"general.alignment", GgufValue::u32(24)}}, {}), HasSubstr("u32 power of two"));
  GgufValue bad_scalar = GgufValue::u8(1);
  bad_scalar.bits = 256;
  EXPECT_THAT(write_error({{"x", bad_scalar}}, {}), HasSubstr("bits beyond its u8 type"));
  GgufValue ragged = GgufValue::i32_array({1});
  ragged.scalars.push_back(0);
  EXPECT_THAT(write_error({{"x", ragged}}, {}), HasSubstr("whole 4-byte elements"));
  GgufValue unknown;
  unknown.type = static_cast<GgufType>(13);
  EXPECT_THAT(write_error({{"x", unknown}}, {}), HasSubstr("unknown value type 13"));
  EXPECT_THAT(write_error({}, {{"w", ok}, {"w", ok}}), HasSubstr("tensor \"w\" appears twice"));
  EXPECT_THAT(write_error({}, {{"u8", TensorView{DType::U8, {2}, f, 2}}}), HasSubstr("U8, which GGUF cannot hold"));
  EXPECT_THAT(write_error({}, {{"w", TensorView{DType::F32, {1, 1, 1, 1, 1}, f, 4}}}), HasSubstr("5 dimensions"));
  EXPECT_THAT(write_error({}, {{"w", TensorView{DType::Q8_0, {1, 33}, f, 34}}}), HasSubstr("rows of 33 elements"));
  EXPECT_THAT(write_error({}, {{"w", TensorView{DType::F32, {2}, f, 4}}}), HasSubstr("4 bytes but F32 [2] needs 8"));
  EXPECT_THAT(write_error({}, {{"w", TensorView{DType::F32, {2}, nullptr, 8}}}), HasSubstr("has no data"));
  EXPECT_THAT(write_error({}, {{"w", TensorView{DType::F32, {-1}, f, 4}}}), HasSubstr("negative dimension"));
}

}  // namespace
}  // namespace qwenrt
