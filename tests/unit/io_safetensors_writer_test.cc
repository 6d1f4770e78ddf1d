// The safetensors writer: the reference's layout (order, padding, header text), a
// lossless round trip through the reader, and refusal of tensors it cannot write.
#include "io/safetensors_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "base/error.h"
#include "io/safetensors.h"

namespace qwenrt {
namespace {

using ::testing::HasSubstr;

TensorView view(DType dtype, std::vector<int64_t> shape, const void* data, size_t nbytes) {
  return TensorView{dtype, std::move(shape), data, nbytes};
}

std::string header_of(const std::vector<uint8_t>& file) {
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | file[static_cast<size_t>(i)];
  return std::string(file.begin() + 8, file.begin() + 8 + static_cast<std::ptrdiff_t>(n));
}

std::string write_error(const std::vector<NamedTensor>& tensors,
                        const std::map<std::string, std::string>& metadata = {}) {
  try {
    serialize_safetensors(tensors, metadata);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(SafetensorsWriter, EmptyFileMatchesTheReference) {
  // The reference's own test vectors (huggingface/safetensors tensor.rs, test_empty).
  EXPECT_EQ(serialize_safetensors({}), (std::vector<uint8_t>{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ',
                                                             ' ', ' '}));
  const std::vector<uint8_t> with_metadata = serialize_safetensors({}, {{"framework", "pt"}});
  EXPECT_EQ(header_of(with_metadata), "{\"__metadata__\":{\"framework\":\"pt\"}}     ");
  EXPECT_EQ(with_metadata[0], 40);
}

TEST(SafetensorsWriter, OrdersByAlignmentThenNameAndPadsTo8) {
  const uint8_t u8[3] = {1, 2, 3};
  const float f32[2] = {1.0f, 2.0f};
  const int64_t i64[1] = {-1};
  const uint16_t bf16[1] = {0x3f80};
  const std::vector<uint8_t> file = serialize_safetensors({
      {"c", view(DType::U8, {3}, u8, 3)},
      {"b", view(DType::F32, {2}, f32, 8)},
      {"a", view(DType::F32, {1, 1}, f32, 4)},
      {"z", view(DType::I64, {1}, i64, 8)},
      {"y", view(DType::BF16, {1}, bf16, 2)},
  });
  const std::string header = header_of(file);
  EXPECT_EQ(header.size() % 8, 0u);
  EXPECT_EQ(header.substr(0, header.find_last_not_of(' ') + 1),
            "{\"z\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]},"
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
            "\"y\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[20,22]},"
            "\"c\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[22,25]}}");
  EXPECT_EQ(file.size(), 8 + header.size() + 25);
  EXPECT_EQ(file.back(), 3);
}

TEST(SafetensorsWriter, RoundTripsThroughTheReaderAndDisk) {
  std::vector<float> weights(24);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 0.25f * static_cast<float>(i) - 2.0f;
  const std::vector<int32_t> ids = {5, -6, 7};
  const std::vector<NamedTensor> tensors = {
      {"model.w", view(DType::F32, {2, 3, 4}, weights.data(), weights.size() * 4)},
      {"ids", view(DType::I32, {3}, ids.data(), 12)},
      {"empty", view(DType::F16, {0}, nullptr, 0)},
  };
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "line\nbreak \"q\""}};

  const auto dir = std::filesystem::temp_directory_path() / ("qwenrt_io_writer_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "rt.safetensors").string();
  write_safetensors(path, tensors, metadata);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(on_disk, serialize_safetensors(tensors, metadata));

  SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.metadata(), metadata);
  ASSERT_EQ(f.names(), (std::vector<std::string>{"empty", "ids", "model.w"}));
  const TensorView& w = f.get("model.w");
  EXPECT_EQ(w.shape, (std::vector<int64_t>{2, 3, 4}));
  ASSERT_EQ(w.nbytes, weights.size() * 4);
  EXPECT_EQ(std::memcmp(w.data, weights.data(), w.nbytes), 0);
  EXPECT_EQ(std::memcmp(f.get("ids").data, ids.data(), 12), 0);
  EXPECT_EQ(f.get("empty").dtype, DType::F16);
  std::filesystem::remove_all(dir);
}

TEST(SafetensorsWriter, RefusesWhatSafetensorsCannotHold) {
  const float f32[2] = {1.0f, 2.0f};
  EXPECT_THAT(write_error({{"a", view(DType::F32, {2}, f32, 8)}, {"a", view(DType::F32, {2}, f32, 8)}}),
              HasSubstr("duplicate tensor \"a\""));
  EXPECT_THAT(write_error({{"__metadata__", view(DType::F32, {2}, f32, 8)}}), HasSubstr("reserved"));
  EXPECT_THAT(write_error({{"a", view(DType::F32, {3}, f32, 8)}}), HasSubstr("is 8 bytes but F32 [3] needs 12"));
  EXPECT_THAT(write_error({{"a", view(DType::F32, {-2}, f32, 8)}}), HasSubstr("negative"));
  EXPECT_THAT(write_error({{"q", view(DType::Q8_0, {32}, f32, 34)}}), HasSubstr("cannot hold"));
  EXPECT_THAT(write_error({{"a", view(DType::F32, {2}, nullptr, 8)}}), HasSubstr("no data"));
  EXPECT_THAT(write_error({{"bad\xff", view(DType::F32, {2}, f32, 8)}}), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(write_error({}, {{"k", "\xc3"}}), HasSubstr("not valid UTF-8"));
}

TEST(SafetensorsWriter, ReportsUnwritablePath) {
  const float f32[1] = {1.0f};
  EXPECT_THROW(write_safetensors("/nonexistent-dir/x.safetensors", {{"a", view(DType::F32, {1}, f32, 4)}}), Error);
}

}  // namespace
}  // namespace qwenrt
