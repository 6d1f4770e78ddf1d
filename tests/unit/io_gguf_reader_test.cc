// The GGUF reader against gguf-py's reading of files gguf-py wrote, and against the
// broken files strangers will hand us: every one must end in a qwenrt::Error that names
// the key or tensor and the byte offset, never a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "io/gguf.h"
#include "io_gguf_test_util.h"

namespace qwenrt {
namespace {

using gguf_test::Bytes;
using gguf_test::kFixtures;
using gguf_test::parse_error;
using gguf_test::read_bytes;
using gguf_test::read_json;
using json = nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;

// gguf-py's GGUFValueType names.
std::string py_name(GgufType t) {
  static const char* names[] = {"UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "FLOAT32",
                                "BOOL", "STRING", "ARRAY", "UINT64", "INT64", "FLOAT64"};
  return names[static_cast<uint32_t>(t)];
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// A value as gguf-py's reader flattens it: the type chain of the first elements, and
// every leaf (raw bits of a number, hex bytes of a string) depth first.
void flatten(const GgufValue& v, std::vector<std::string>* types, json* leaves, bool record_types) {
  if (record_types) types->push_back(py_name(v.type));
  if (v.type == GgufType::STRING) {
    leaves->push_back(json{{"hex", hex(v.string)}});
  } else if (!v.is_array()) {
    leaves->push_back(v.bits);
  } else {
    const size_t n = gguf_scalar_bytes(v.element_type);
    if (v.element_type == GgufType::ARRAY) {
      for (size_t i = 0; i < v.arrays.size(); ++i) flatten(v.arrays[i], types, leaves, record_types && i == 0);
    } else {
      if (record_types && v.size() > 0) types->push_back(py_name(v.element_type));
      for (size_t i = 0; i < v.size(); ++i) {
        if (v.element_type == GgufType::STRING) {
          leaves->push_back(json{{"hex", hex(v.strings[i])}});
        } else {
          uint64_t bits = 0;
          std::memcpy(&bits, v.scalars.data() + i * n, n);
          leaves->push_back(bits);
        }
      }
    }
  }
}

// Compares everything gguf-py's reader saw in a file with what we parsed.
void expect_same_as_gguf_py(const GgufContents& g, const json& want) {
  EXPECT_EQ(g.version, want["version"].get<uint32_t>());
  EXPECT_EQ(g.alignment, want["alignment"].get<uint64_t>());
  EXPECT_EQ(g.data_start, want["data_offset"].get<uint64_t>());
  ASSERT_EQ(g.metadata.size(), want["fields"].size());
  for (size_t i = 0; i < g.metadata.size(); ++i) {
    const json& f = want["fields"][i];
    const GgufKeyValue& kv = g.metadata[i];
    SCOPED_TRACE(kv.key);
    EXPECT_EQ(kv.key, f["key"].get<std::string>());
    std::vector<std::string> types;
    json leaves = json::array();
    flatten(kv.value, &types, &leaves, true);
    EXPECT_EQ(types, f["types"].get<std::vector<std::string>>());
    if (f.contains("leaves")) {
      EXPECT_EQ(leaves, f["leaves"]);
    } else {  // long arrays: gguf-py's view keeps the first and last elements
      ASSERT_EQ(leaves.size(), f["count"].get<size_t>());
      const size_t half = f["head"].size();
      EXPECT_EQ(json(std::vector<json>(leaves.begin(), leaves.begin() + half)), f["head"]);
      EXPECT_EQ(json(std::vector<json>(leaves.end() - half, leaves.end())), f["tail"]);
    }
    if (f.contains("count")) {
      EXPECT_EQ(leaves.size(), f["count"].get<size_t>());  // gguf-py counts the leaves of nested arrays
    }
  }
  ASSERT_EQ(g.tensors.size(), want["tensors"].size());
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const json& t = want["tensors"][i];
    const GgufTensorInfo& got = g.tensors[i];
    SCOPED_TRACE(got.name);
    EXPECT_EQ(got.name, t["name"].get<std::string>());
    EXPECT_EQ(got.type, t["type"].get<uint32_t>());
    EXPECT_EQ(got.dims, t["dims"].get<std::vector<uint64_t>>());
    EXPECT_EQ(got.nbytes, t["n_bytes"].get<uint64_t>());
    EXPECT_EQ(got.file_offset, t["data_offset"].get<uint64_t>());
    ASSERT_NE(g.find_tensor(got.name), nullptr);
    EXPECT_EQ(g.find_tensor(got.name)->file_offset, got.file_offset);
  }
}

TEST(GgufReader, ReadsWhatGgufPyReads) {
  const json expected = read_json(kFixtures + "reader_expected.json");
  ASSERT_FALSE(expected.empty());
  for (const auto& [name, want] : expected.items()) {
    SCOPED_TRACE(name);
    const GgufFile file = GgufFile::open(kFixtures + name);
    expect_same_as_gguf_py(file.contents(), want);
    // Zero-copy views of exactly the bytes at each tensor's offset.
    const std::vector<uint8_t> bytes = read_bytes(kFixtures + name);
    for (const GgufTensorInfo& t : file.tensors()) {
      ASSERT_LE(t.file_offset + t.nbytes, bytes.size());
      EXPECT_EQ(t.data - file.tensors()[0].data, static_cast<std::ptrdiff_t>(t.file_offset - file.tensors()[0].file_offset));
      EXPECT_EQ(std::memcmp(t.data, bytes.data() + t.file_offset, t.nbytes), 0) << t.name;
    }
  }
}

// The real Qwen2.5-Coder-1.5B-Instruct Q4_K_M file, when this machine has it (it is 1 GB
// and not in the repository); gguf-py's view of it is (tests/goldens/gguf/real_*.json).
TEST(GgufReader, RealFileAsGgufPyReadsIt) {
  const std::string path = gguf_test::real_gguf_path();
  if (!is_gguf_file(path)) GTEST_SKIP() << path << " is absent (the only test that needs it; see scripts/fetch-real-model.sh)";
  const json want = read_json(kFixtures + gguf_test::kRealStem + ".json");
  const GgufFile file = GgufFile::open(path);
  ASSERT_EQ(std::filesystem::file_size(path), want["file_size"].get<uint64_t>()) << "a different file than the goldens'";
  expect_same_as_gguf_py(file.contents(), want);
  EXPECT_EQ(file.tensors().size(), 339u);
  EXPECT_EQ(file.find("general.architecture")->string, "qwen2");
}

TEST(GgufReader, TypedAccessors) {
  const GgufFile file = GgufFile::open(kFixtures + "types.gguf");
  EXPECT_EQ(file.find("t.u8")->as_int(), 200);
  EXPECT_EQ(file.find("t.i8")->as_int(), -5);
  EXPECT_EQ(file.find("t.i16")->as_int(), -30000);
  EXPECT_EQ(file.find("t.u32")->as_int(), 4000000000);
  EXPECT_EQ(file.find("t.i32")->as_int(), -2000000000);
  EXPECT_EQ(file.find("t.i64")->as_int(), -(int64_t{1} << 62));
  EXPECT_EQ(file.find("t.u64")->as_int(), std::nullopt);  // above INT64_MAX
  EXPECT_EQ(file.find("t.f32")->as_float(), 3.25);
  EXPECT_EQ(file.find("t.f64")->as_float(), 1.0 / 3.0);
  EXPECT_EQ(file.find("t.f32")->as_int(), std::nullopt);
  EXPECT_EQ(file.find("t.bool")->as_bool(), true);
  EXPECT_EQ(file.find("t.bool_false")->as_bool(), false);
  EXPECT_EQ(file.find("t.str")->string, "h\xc3\xa9llo \"gguf\"\n\xe4\xb8\x96\xe7\x95\x8c");
  EXPECT_EQ(file.find("t.arr_i32")->int_at(0), -1);
  EXPECT_EQ(file.find("t.arr_i8")->int_at(0), -128);
  EXPECT_EQ(file.find("t.arr_f32")->float_at(1), -1.25);
  EXPECT_EQ(file.find("t.arr_f32")->int_at(1), std::nullopt);
  EXPECT_EQ(file.find("t.arr_i32")->int_at(3), std::nullopt);  // out of range
  EXPECT_EQ(file.find("t.arr_arr_str")->type_string(), "arr[arr[str]]");
  EXPECT_EQ(file.find("t.arr_arr_str")->arrays[1].strings, (std::vector<std::string>{"y", "z"}));
  EXPECT_EQ(file.find("missing"), nullptr);

  const GgufTensorInfo* q = file.find_tensor("q8_0");
  ASSERT_NE(q, nullptr);
  const TensorView v = q->view(file.path());
  EXPECT_EQ(v.dtype, DType::Q8_0);
  EXPECT_EQ(v.shape, (std::vector<int64_t>{4, 64}));  // GGUF dims [64, 4] reversed
  EXPECT_EQ(v.nbytes, 4u * 2 * 34);
  EXPECT_EQ(file.find_tensor("f32.4d")->view(file.path()).shape, (std::vector<int64_t>{2, 1, 3, 2}));
  EXPECT_EQ(file.find_tensor("f32.empty")->view(file.path()).numel(), 0);
}

TEST(GgufReader, GgmlTypeTableIsGgufPys) {
  const json types = read_json(kFixtures + "ggml_types.json");
  ASSERT_FALSE(types.empty());
  size_t known = 0;
  for (uint32_t id = 0; id < 64; ++id) {
    const GgmlTypeInfo* info = ggml_type_info(id);
    if (info) ++known;
    for (const json& t : types) {
      if (t["id"] != id) continue;
      ASSERT_NE(info, nullptr) << "ggml type id " << id;
      EXPECT_EQ(info->name, t["name"].get<std::string>());
      EXPECT_EQ(info->block_elements, t["block_elements"].get<int64_t>()) << info->name;
      EXPECT_EQ(info->block_bytes, t["block_bytes"].get<int64_t>()) << info->name;
      if (info->dtype) {
        EXPECT_EQ(dtype_block_elements(*info->dtype), info->block_elements) << info->name;
        EXPECT_EQ(dtype_block_bytes(*info->dtype), info->block_bytes) << info->name;
      }
    }
  }
  EXPECT_EQ(known, types.size());
  for (DType d : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q4_K,
                  DType::Q5_K, DType::Q6_K, DType::I32, DType::I64}) {
    ASSERT_TRUE(ggml_type_of(d).has_value()) << dtype_name(d);
    EXPECT_EQ(ggml_type_info(*ggml_type_of(d))->dtype, d);
  }
  EXPECT_EQ(ggml_type_of(DType::U8), std::nullopt);
}

TEST(GgufReader, UnsupportedTypesParseButRefuseAView) {
  const GgufFile file = GgufFile::open(kFixtures + "unsupported_type.gguf");
  EXPECT_NO_THROW(file.find_tensor("ok")->view(file.path()));
  EXPECT_EQ(file.find_tensor("q5_0")->view(file.path()).dtype, DType::Q5_0);  // supported since Q5_0 landed
  for (const char* name : {"f64", "i8"}) {
    try {
      file.find_tensor(name)->view(file.path());
      ADD_FAILURE() << name << " gave a view";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), AllOf(HasSubstr(name), HasSubstr("cannot compute"), HasSubstr("unsupported_type.gguf")));
    }
  }
}

TEST(GgufReader, EveryTruncationIsAnErrorOrStillValid) {
  const std::vector<uint8_t> whole = read_bytes(kFixtures + "types.gguf");
  const GgufContents full = parse_gguf(whole.data(), whole.size(), "types.gguf");
  uint64_t data_end = 0;
  for (const GgufTensorInfo& t : full.tensors) data_end = std::max(data_end, t.file_offset + t.nbytes);
  for (size_t n = 0; n < whole.size(); ++n) {
    const std::vector<uint8_t> cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string error = parse_error(cut);
    if (n < data_end) {
      EXPECT_THAT(error, HasSubstr("test.gguf: ")) << "cut at " << n;
    } else {
      EXPECT_EQ(error, "<no error>") << "cut at " << n << " drops only trailing padding";
    }
  }
}

TEST(GgufReader, AcceptsMinimalFilesAndVersion2) {
  EXPECT_EQ(parse_error(Bytes().header(0, 0).b), "<no error>");
  EXPECT_EQ(parse_error(Bytes().header(0, 0, 2).b), "<no error>");
  Bytes one;
  one.header(1, 0).tensor("w", {2}, 0, 0).pad(32).zeros(8);
  const GgufContents g = parse_gguf(one.b.data(), one.b.size(), "x");
  EXPECT_EQ(g.data_start, 64u);
  EXPECT_EQ(g.tensors[0].nbytes, 8u);
  EXPECT_EQ(g.tensors[0].data, one.b.data() + 64);
}

TEST(GgufReader, RefusesBadHeaders) {
  EXPECT_THAT(parse_error({}), HasSubstr("too short for the GGUF magic"));
  EXPECT_THAT(parse_error({'G', 'G', 'U', 'G', 3, 0, 0, 0}), HasSubstr("not a GGUF file"));
  EXPECT_THAT(parse_error(Bytes().header(0, 0, 1).b), HasSubstr("version 1"));
  EXPECT_THAT(parse_error(Bytes().header(0, 0, 4).b), HasSubstr("version 4"));
  EXPECT_THAT(parse_error(Bytes().header(0, 0, 0x03000000).b), HasSubstr("byte-swapped"));
  EXPECT_THAT(parse_error(Bytes().u32(kGgufMagic).u32(3).u64(0).b), HasSubstr("metadata key/value count at byte 16"));
  EXPECT_THAT(parse_error(Bytes().header(0, uint64_t{1} << 60).b),
              AllOf(HasSubstr("key/value count 1152921504606846976"), HasSubstr("bytes 16-23")));
  EXPECT_THAT(parse_error(Bytes().header(5, 0).b), AllOf(HasSubstr("tensor count 5"), HasSubstr("bytes 8-15")));
}

// Caps on what a hostile file can make the parser allocate, far above any real model.
TEST(GgufReader, RefusesCountsAboveTheCaps) {
  EXPECT_THAT(parse_error(Bytes().header(kGgufMaxTensors + 1, 0).zeros(24 * (kGgufMaxTensors + 1)).b),
              HasSubstr("tensor count 1048577 (bytes 8-15) is more than the 1048576 qwenrt accepts"));
  EXPECT_THAT(parse_error(Bytes().header(0, kGgufMaxKeys + 1).zeros(13 * (kGgufMaxKeys + 1)).b),
              HasSubstr("key/value count 1048577 (bytes 16-23) is more than the 1048576 qwenrt accepts"));
  Bytes nested;
  nested.header(0, 1).str("nested").u32(9).u32(9).u64(kGgufMaxNestedArrays + 1);
  for (uint64_t i = 0; i <= kGgufMaxNestedArrays; ++i) nested.u32(4).u64(0);
  EXPECT_THAT(parse_error(nested.b), AllOf(HasSubstr("\"nested\" (byte 46)"),
                                           HasSubstr("more than 1048576 arrays nested in arrays")));
}

TEST(GgufReader, RefusesBadMetadata) {
  {  // a string longer than the file
    Bytes b;
    b.header(0, 1).u64(1000).zeros(20);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("metadata key #0 at byte 24"), HasSubstr("length 1000")));
  }
  {  // an unknown value type
    Bytes b;
    b.header(0, 1).str("k.x");
    const size_t at = b.pos();
    b.u32(13).u32(0);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("\"k.x\""), HasSubstr("unknown value type 13"),
                                        HasSubstr("byte " + std::to_string(at))));
  }
  {  // the same key twice
    Bytes b;
    b.header(0, 2).kv_u32("a", 1);
    const size_t at = b.pos();
    b.kv_u32("a", 2);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("\"a\" (byte " + std::to_string(at) + ") appears twice")));
  }
  EXPECT_THAT(parse_error(Bytes().header(0, 1).str("").u32(4).u32(1).b), HasSubstr("metadata key #0 (byte 24) is empty"));
  {  // an array claiming more elements than the file holds
    Bytes b;
    b.header(0, 1).str("arr").u32(9).u32(5);
    const size_t at = b.pos();
    b.u64(1000).zeros(16);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("\"arr\""), HasSubstr("claims 1000 elements of type i32"),
                                        HasSubstr("byte " + std::to_string(at))));
  }
  {  // strings in an array running off the end
    Bytes b;
    b.header(0, 1).str("arr").u32(9).u32(8).u64(2).str("ok").u64(99);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("\"arr\"[1]"), HasSubstr("length 99")));
  }
  {  // arrays nested too deep
    Bytes b;
    b.header(0, 1).str("deep").u32(9);
    for (int i = 0; i < kGgufMaxArrayNesting + 1; ++i) b.u32(9).u64(1);
    b.u32(4).u64(0);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("\"deep\""), HasSubstr("nest deeper than 8")));
  }
  {  // nested arrays up to the limit are fine
    Bytes b;
    b.header(0, 1).str("deep").u32(9);
    for (int i = 0; i < kGgufMaxArrayNesting - 1; ++i) b.u32(9).u64(1);
    b.u32(4).u64(1).u32(7);
    EXPECT_EQ(parse_error(b.b), "<no error>");
  }
  EXPECT_THAT(parse_error(Bytes().header(0, 1).str("general.alignment").u32(10).u64(64).b),
              HasSubstr("general.alignment\" (byte 49) must be of type u32, got u64"));
  EXPECT_THAT(parse_error(Bytes().header(0, 1).kv_u32("general.alignment", 48).b), HasSubstr("48, not a power of two"));
  EXPECT_THAT(parse_error(Bytes().header(0, 1).kv_u32("general.alignment", 0).b), HasSubstr("0, not a power of two"));
}

TEST(GgufReader, RefusesBadTensorInfos) {
  auto one_tensor = [](const std::vector<uint64_t>& dims, uint32_t type, uint64_t offset, size_t data) {
    Bytes b;
    b.header(1, 0).tensor("blk.0.w", dims, type, offset).pad(32).zeros(data);
    return parse_error(b.b);
  };
  EXPECT_THAT(one_tensor({1, 1, 1, 1, 1}, 0, 0, 32), AllOf(HasSubstr("\"blk.0.w\" (byte 24)"), HasSubstr("5 dimensions")));
  EXPECT_THAT(one_tensor({4}, 99, 0, 32), AllOf(HasSubstr("\"blk.0.w\""), HasSubstr("unknown ggml type id 99")));
  EXPECT_THAT(one_tensor({33}, 8, 0, 64), AllOf(HasSubstr("\"blk.0.w\""), HasSubstr("Q8_0 rows of 33 elements")));
  EXPECT_THAT(one_tensor({uint64_t{1} << 63}, 0, 0, 0), HasSubstr("above 2^63 - 1"));
  EXPECT_THAT(one_tensor({uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0, 0), HasSubstr("more elements than fit"));
  EXPECT_THAT(one_tensor({uint64_t{1} << 61}, 0, 0, 0), HasSubstr("more bytes than fit"));
  EXPECT_THAT(one_tensor({4}, 0, 8, 64), HasSubstr("data offset 8 is not a multiple of the alignment 32"));
  EXPECT_THAT(one_tensor({4}, 0, 32, 40), AllOf(HasSubstr("16 bytes at data offset 32"), HasSubstr("file byte 96"),
                                                 HasSubstr("run past the end of the 104-byte file")));
  EXPECT_THAT(one_tensor({4}, 0, 0, 8), HasSubstr("run past the end"));
  EXPECT_EQ(one_tensor({0, 5}, 8, 0, 0), "<no error>");  // empty: ne0 = 0 is whole blocks
  {  // the data section itself past the end
    Bytes b;
    b.header(1, 0).tensor("w", {0}, 0, 0);
    EXPECT_THAT(parse_error(b.b), HasSubstr("data section would start at byte 64"));
  }
  {
    Bytes b;
    b.header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {8}, 0, 32).pad(32).zeros(128);
    EXPECT_THAT(parse_error(b.b), AllOf(HasSubstr("\"b\" at file bytes [128, 160) overlaps tensor \"a\" at [96, 160)")));
  }
  {
    Bytes b;
    b.header(2, 0).tensor("a", {4}, 0, 0).tensor("a", {4}, 0, 32).pad(32).zeros(64);
    EXPECT_THAT(parse_error(b.b), HasSubstr("\"a\" (byte 57) appears twice"));
  }
  {  // gaps between tensors are allowed, and so is any order
    Bytes b;
    b.header(2, 0).tensor("late", {4}, 0, 64).tensor("early", {4}, 0, 0).pad(32).zeros(96);
    EXPECT_EQ(parse_error(b.b), "<no error>");
  }
}

TEST(GgufReader, OpenNamesThePath) {
  const std::string path = kFixtures + "ggml_types.json";
  try {
    GgufFile::open(path);
    FAIL() << "opened a JSON file";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(path), HasSubstr("not a GGUF file")));
  }
  EXPECT_TRUE(is_gguf_file(kFixtures + "types.gguf"));
  EXPECT_FALSE(is_gguf_file(path));
  EXPECT_FALSE(is_gguf_file(kFixtures + "no-such-file.gguf"));
}

}  // namespace
}  // namespace qwenrt
