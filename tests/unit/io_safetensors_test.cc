// The safetensors reader: the reference's own file read correctly, and every kind of
// corrupt header refused with an Error that says what and where.
#include "io/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "base/error.h"
#include "io/safetensors_writer.h"

namespace qwenrt {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kReference = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/io/reference.safetensors";

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A file image: the 8-byte little-endian length of `header`, `header`, then `data`.
std::vector<uint8_t> image(const std::string& header, const std::vector<uint8_t>& data = {}) {
  std::vector<uint8_t> out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(uint64_t{header.size()} >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// The message of the Error `parse_safetensors` throws on `bytes`, or "<no error>".
std::string parse_error(const std::vector<uint8_t>& bytes) {
  try {
    parse_safetensors(bytes.data(), bytes.size(), "test.safetensors");
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, int begin,
                  int end) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(begin) + "," + std::to_string(end) + "]}";
}

template <class T>
std::vector<T> values(const TensorView& v) {
  std::vector<T> out(v.nbytes / sizeof(T));
  if (v.nbytes) std::memcpy(out.data(), v.data, v.nbytes);
  return out;
}

TEST(SafetensorsReader, ReadsTheReferenceFixture) {
  // Values as tools/goldens/make_safetensors_fixture.py writes them.
  SafetensorsFile f = SafetensorsFile::open(kReference);
  EXPECT_EQ(f.metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
  EXPECT_EQ(f.names().size(), 9u);

  const TensorView& f32 = f.get("layer.f32");
  EXPECT_EQ(f32.dtype, DType::F32);
  EXPECT_EQ(f32.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values<float>(f32), (std::vector<float>{-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f}));

  const TensorView& bf16 = f.get("layer.bf16");
  EXPECT_EQ(bf16.dtype, DType::BF16);
  std::vector<float> bf16_values;
  for (uint16_t h : values<uint16_t>(bf16)) bf16_values.push_back(bf16_to_f32(h));
  EXPECT_EQ(bf16_values, (std::vector<float>{1.5f, -2.0f, 3.25f}));

  const TensorView& f16 = f.get("layer.f16");
  EXPECT_EQ(f16.shape, (std::vector<int64_t>{2, 2}));
  std::vector<float> f16_values;
  for (uint16_t h : values<uint16_t>(f16)) f16_values.push_back(f16_to_f32(h));
  EXPECT_EQ(f16_values, (std::vector<float>{0.5f, -0.25f, 1024.0f, -3.0f}));

  EXPECT_EQ(values<int32_t>(f.get("ids.i32")), (std::vector<int32_t>{-1, 0, 7, 2147483647}));
  EXPECT_EQ(values<int64_t>(f.get("ids.i64")), (std::vector<int64_t>{-5, int64_t{1} << 40}));
  EXPECT_EQ(values<uint8_t>(f.get("mask.u8")), (std::vector<uint8_t>{0, 1, 2, 254, 255}));

  const TensorView& scalar = f.get("scalar.f32");
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(values<float>(scalar), (std::vector<float>{3.5f}));

  const TensorView& empty = f.get("empty.bf16");
  EXPECT_EQ(empty.shape, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(empty.nbytes, 0u);

  EXPECT_EQ(values<float>(f.get("weird \"name\"\t\xc3\xa9")), (std::vector<float>{1.0f}));
  // The reference lays I64 first, right after the 8-byte-aligned header.
  EXPECT_EQ(f.file_offset(f.get("ids.i64")) % 8, 0u);
}

TEST(SafetensorsReader, WriterReproducesTheReferenceFileByteForByte) {
  const std::vector<uint8_t> original = read_bytes(kReference);
  ASSERT_GT(original.size(), 8u);
  SafetensorsFile f = SafetensorsFile::open(kReference);
  std::vector<NamedTensor> tensors;
  for (const auto& [name, view] : f.tensors()) tensors.push_back({name, view});
  EXPECT_EQ(serialize_safetensors(tensors, f.metadata()), original);
}

TEST(SafetensorsReader, MissingTensorErrorNamesTensorAndFile) {
  SafetensorsFile f = SafetensorsFile::open(kReference);
  EXPECT_EQ(f.find("nope"), nullptr);
  try {
    f.get("nope");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("nope"), HasSubstr("reference.safetensors")));
  }
}

TEST(SafetensorsReader, AcceptsMinimalFiles) {
  EXPECT_EQ(parse_error(image("{}")), "<no error>");
  EXPECT_EQ(parse_error(image("{}      ")), "<no error>");  // space padding, as the writer pads
  EXPECT_EQ(parse_error(image("{\"__metadata__\":null}")), "<no error>");
  const std::string header = "{" + entry("a", "U8", "[2]", 0, 2) + "}";
  const std::vector<uint8_t> bytes = image(header, {7, 9});
  auto c = parse_safetensors(bytes.data(), bytes.size(), "x");
  ASSERT_EQ(c.tensors.size(), 1u);
  EXPECT_EQ(c.data_start, 8u + header.size());
  EXPECT_EQ(static_cast<const uint8_t*>(c.tensors.at("a").data)[1], 9);
}

TEST(SafetensorsReader, RefusesTruncatedFiles) {
  EXPECT_THAT(parse_error({}), AllOf(HasSubstr("test.safetensors"), HasSubstr("too short")));
  EXPECT_THAT(parse_error({1, 0, 0}), HasSubstr("too short"));
  // A valid file cut short anywhere is refused.
  const std::vector<uint8_t> original = read_bytes(kReference);
  for (size_t cut = 0; cut < original.size(); cut += 7) {
    std::vector<uint8_t> prefix(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_NE(parse_error(prefix), "<no error>") << "cut at " << cut;
  }
}

TEST(SafetensorsReader, RefusesHeaderLengthPastEndOrTooLarge) {
  std::vector<uint8_t> bytes = image("{}");
  bytes[0] = 200;  // claims 200 header bytes; the file has 2
  EXPECT_THAT(parse_error(bytes), AllOf(HasSubstr("header length 200"), HasSubstr("past the end")));
  std::vector<uint8_t> huge(16, 0xff);  // length 2^64 - 1
  EXPECT_THAT(parse_error(huge), HasSubstr("exceeds"));
  std::vector<uint8_t> big = image("{}");
  const uint64_t n = kSafetensorsMaxHeaderBytes + 1;
  for (int i = 0; i < 8; ++i) big[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  EXPECT_THAT(parse_error(big), HasSubstr("100000000-byte limit"));
}

TEST(SafetensorsReader, RefusesHeaderThatIsNotAJsonObject) {
  EXPECT_THAT(parse_error(image("")), HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error(image("{\"a\":")), HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error(image("{}x")), HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error(image("{\"a\xff\":1}")), HasSubstr("not valid JSON"));  // invalid UTF-8
  EXPECT_THAT(parse_error(image("{\"a\":1e999}")), HasSubstr("not valid JSON"));  // overflows a double
  EXPECT_THAT(parse_error(image("[1,2]")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(parse_error(image("\"str\"")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(parse_error(image("{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}")),
              HasSubstr("nests deeper"));
}

TEST(SafetensorsReader, RefusesBadEntries) {
  EXPECT_THAT(parse_error(image("{\"a\":5}")), AllOf(HasSubstr("tensor \"a\""), HasSubstr("must be an object")));
  EXPECT_THAT(parse_error(image("{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", {0})),
              HasSubstr("missing key \"dtype\""));
  EXPECT_THAT(parse_error(image("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", {0})),
              HasSubstr("missing key \"shape\""));
  EXPECT_THAT(parse_error(image("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", {0})),
              HasSubstr("missing key \"data_offsets\""));
  EXPECT_THAT(parse_error(image("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", {0})),
              HasSubstr("[begin, end]"));
  EXPECT_THAT(parse_error(image("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,-1]}}", {0})),
              HasSubstr("non-negative"));
  EXPECT_THAT(parse_error(image("{\"__metadata__\":{\"k\":1}}")),
              AllOf(HasSubstr("__metadata__"), HasSubstr("must be a string")));
  EXPECT_THAT(parse_error(image("{\"__metadata__\":[]}")), HasSubstr("__metadata__"));
}

TEST(SafetensorsReader, RefusesUnknownDtype) {
  EXPECT_THAT(parse_error(image("{" + entry("w", "F64", "[1]", 0, 8) + "}", std::vector<uint8_t>(8))),
              AllOf(HasSubstr("tensor \"w\""), HasSubstr("unsupported dtype \"F64\"")));
  EXPECT_THAT(parse_error(image("{" + entry("w", "float32", "[1]", 0, 4) + "}", std::vector<uint8_t>(4))),
              HasSubstr("unsupported dtype"));
  EXPECT_THAT(parse_error(image("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,1]}}", {0})),
              HasSubstr("\"dtype\" must be a string"));
}

TEST(SafetensorsReader, RefusesNegativeOrOverflowingShapes) {
  EXPECT_THAT(parse_error(image("{" + entry("w", "U8", "[-1]", 0, 0) + "}")),
              AllOf(HasSubstr("shape[0]"), HasSubstr("non-negative")));
  EXPECT_THAT(parse_error(image("{" + entry("w", "U8", "[2, 1.5]", 0, 3) + "}", {0, 0, 0})),
              HasSubstr("shape[1]"));
  EXPECT_THAT(parse_error(image("{" + entry("w", "U8", "[18446744073709551615]", 0, 0) + "}")),
              HasSubstr("shape[0]"));
  EXPECT_THAT(parse_error(image("{" + entry("w", "U8", "[4294967296, 4294967296]", 0, 0) + "}")),
              HasSubstr("more elements than fit"));
  // Fits as elements but not as bytes.
  EXPECT_THAT(parse_error(image("{" + entry("w", "F32", "[4611686018427387904]", 0, 0) + "}")),
              HasSubstr("more bytes than fit"));
}

TEST(SafetensorsReader, RefusesSizeShapeMismatch) {
  EXPECT_THAT(parse_error(image("{" + entry("w", "F32", "[2]", 0, 4) + "}", std::vector<uint8_t>(4))),
              AllOf(HasSubstr("tensor \"w\""), HasSubstr("span 4 bytes"), HasSubstr("needs 8")));
}

TEST(SafetensorsReader, RefusesOffsetsPastTheEnd) {
  EXPECT_THAT(parse_error(image("{" + entry("w", "U8", "[4]", 0, 4) + "}", {1, 2})),
              AllOf(HasSubstr("tensor \"w\""), HasSubstr("end 4 is past the end of the data region (2 bytes)")));
  EXPECT_THAT(parse_error(image("{" + entry("w", "U8", "[0]", 5, 4) + "}", {1, 2, 3, 4, 5})),
              HasSubstr("begin 5 is after end 4"));
}

TEST(SafetensorsReader, RefusesOverlapsGapsAndTrailingBytes) {
  const std::vector<uint8_t> data(8, 0);
  EXPECT_THAT(parse_error(image("{" + entry("a", "U8", "[6]", 0, 6) + "," + entry("b", "U8", "[4]", 4, 8) + "}",
                                data)),
              AllOf(HasSubstr("tensor \"b\""), HasSubstr("overlaps tensor \"a\""), HasSubstr("file byte")));
  EXPECT_THAT(parse_error(image("{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("b", "U8", "[8]", 0, 8) + "}",
                                data)),
              HasSubstr("overlaps"));
  EXPECT_THAT(parse_error(image("{" + entry("a", "U8", "[2]", 0, 2) + "," + entry("b", "U8", "[4]", 4, 8) + "}",
                                data)),
              AllOf(HasSubstr("tensor \"b\""), HasSubstr("gap")));
  EXPECT_THAT(parse_error(image("{" + entry("a", "U8", "[6]", 0, 6) + "}", data)),
              HasSubstr("2 trailing bytes"));
  // An empty tensor inside another tensor's bytes is an overlap too, as in the reference.
  EXPECT_THAT(parse_error(image("{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("z", "U8", "[0]", 4, 4) + "}",
                                data)),
              HasSubstr("overlaps"));
}

TEST(SafetensorsReader, OpenReportsMissingAndTruncatedFiles) {
  const auto dir = std::filesystem::temp_directory_path() / ("qwenrt_io_st_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string missing = (dir / "missing.safetensors").string();
  EXPECT_THROW(SafetensorsFile::open(missing), Error);

  const std::vector<uint8_t> original = read_bytes(kReference);
  const std::string truncated = (dir / "truncated.safetensors").string();
  {
    std::ofstream out(truncated, std::ios::binary);
    out.write(reinterpret_cast<const char*>(original.data()), static_cast<std::streamsize>(original.size() - 3));
  }
  try {
    SafetensorsFile::open(truncated);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(truncated), HasSubstr("past the end")));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace qwenrt
