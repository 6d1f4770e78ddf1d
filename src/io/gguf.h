// Reading GGUF files (llama.cpp's format, versions 2 and 3): a little-endian header,
// typed key/value metadata, tensor infos, then tensor data at an aligned offset. Every
// count, length and offset is checked against the file before it is used, because model
// files come from strangers; tensor data is viewed in place (memory-mapped, zero-copy).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mapped_file.h"
#include "tensor/tensor.h"

namespace qwenrt {

inline constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
inline constexpr uint32_t kGgufVersion = 3;
inline constexpr uint32_t kGgufDefaultAlignment = 32;
inline constexpr int kGgufMaxDims = 4;         // GGML_MAX_DIMS
inline constexpr int kGgufMaxArrayNesting = 8;  // arrays of arrays deeper than this are refused
// Parsed metadata and tensor infos take several times their bytes in the file; these caps
// bound the memory a hostile file can make us spend, far above any real model (a few
// thousand tensors and keys; llama.cpp writes no arrays of arrays at all).
inline constexpr uint64_t kGgufMaxTensors = uint64_t{1} << 20;
inline constexpr uint64_t kGgufMaxKeys = uint64_t{1} << 20;
inline constexpr uint64_t kGgufMaxNestedArrays = uint64_t{1} << 20;  // arrays inside arrays, whole file

// Metadata value types, numbered as in the file.
enum class GgufType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
  BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

// "u32", "str", ... ; "type <id>" for ids outside the enum.
std::string gguf_type_name(GgufType t);
// Bytes of one scalar of type `t`; 0 for STRING, ARRAY and unknown ids.
size_t gguf_scalar_bytes(GgufType t);

// One metadata value: a scalar, a string, or an array of one element type (arrays may
// nest). Values keep the exact bytes of the file, so a file read and written back is
// unchanged (NaN payloads included).
struct GgufValue {
  GgufType type = GgufType::UINT32;
  // Scalar (numbers and bool): the value's little-endian bytes, zero-extended to 64 bits.
  uint64_t bits = 0;
  std::string string;  // type STRING: raw bytes (GGUF says UTF-8; not enforced)
  // type ARRAY: the element type, then the elements in one of these, by element type:
  GgufType element_type = GgufType::UINT8;
  std::vector<uint8_t> scalars;      // numbers/bool: packed little-endian, gguf_scalar_bytes each
  std::vector<std::string> strings;  // STRING elements
  std::vector<GgufValue> arrays;     // ARRAY elements (nested arrays)
  uint64_t offset = 0;  // file offset where the value starts (its type tag); 0 if built in memory

  static GgufValue u8(uint8_t v);
  static GgufValue i8(int8_t v);
  static GgufValue u16(uint16_t v);
  static GgufValue i16(int16_t v);
  static GgufValue u32(uint32_t v);
  static GgufValue i32(int32_t v);
  static GgufValue u64(uint64_t v);
  static GgufValue i64(int64_t v);
  static GgufValue f32(float v);
  static GgufValue f64(double v);
  static GgufValue boolean(bool v);
  static GgufValue str(std::string v);
  static GgufValue string_array(std::vector<std::string> v);
  static GgufValue i32_array(const std::vector<int32_t>& v);
  static GgufValue f32_array(const std::vector<float>& v);
  // Any scalar element type: elements given as their bits (see `bits`).
  static GgufValue scalar_array(GgufType element_type, const std::vector<uint64_t>& element_bits);
  static GgufValue array_of_arrays(std::vector<GgufValue> v);

  bool is_array() const { return type == GgufType::ARRAY; }
  // Number of elements of an array; 0 for non-arrays.
  size_t size() const;
  // A scalar integer (any width or signedness) as int64; nullopt for other types or a
  // UINT64 above INT64_MAX.
  std::optional<int64_t> as_int() const;
  // FLOAT32 or FLOAT64 as double; nullopt for other types.
  std::optional<double> as_float() const;
  std::optional<bool> as_bool() const;
  // Element `i` of an array of integers or floats, as as_int / as_float would read it.
  std::optional<int64_t> int_at(size_t i) const;
  std::optional<double> float_at(size_t i) const;
  // The type as written in messages: "u32", "arr[str]", "arr[arr[i32]]".
  std::string type_string() const;

  // Equal type and bytes (offsets ignored).
  bool operator==(const GgufValue& other) const;
};

struct GgufKeyValue {
  std::string key;
  GgufValue value;
};

// ggml tensor types: the id stored in the file, and the layout of its blocks.
struct GgmlTypeInfo {
  uint32_t id;
  const char* name;
  int64_t block_elements;
  int64_t block_bytes;
  std::optional<DType> dtype;  // set when qwenrt can compute with it
};
// Every type llama.cpp defines (gguf-py GGML_QUANT_SIZES), or nullptr for unknown ids.
const GgmlTypeInfo* ggml_type_info(uint32_t id);
// The ggml id of a qwenrt dtype; nullopt for U8, which GGUF cannot hold.
std::optional<uint32_t> ggml_type_of(DType dtype);

struct GgufTensorInfo {
  std::string name;
  uint32_t type = 0;            // ggml type id; ggml_type_info(type) is never null after parsing
  std::vector<uint64_t> dims;   // GGUF order: dims[0] = ne[0], the contiguous dimension
  uint64_t offset = 0;          // from the start of the data section, as stored
  uint64_t file_offset = 0;     // absolute file offset of the first data byte
  uint64_t nbytes = 0;
  uint64_t info_offset = 0;     // file offset of this tensor's info record, for messages
  const uint8_t* data = nullptr;

  // Row-major shape, slowest dimension first: dims reversed. A 2-D weight is
  // [rows, cols] = [ne1, ne0], as nn.Linear stores it.
  std::vector<int64_t> shape() const;
  // A view of the data; throws Error if the type has no qwenrt DType (Q5_0, IQ*, ...).
  TensorView view(const std::string& source) const;
};

// A parsed GGUF file. Tensor data pointers point into the bytes that were parsed.
struct GgufContents {
  std::string source;  // path or label, for messages
  uint32_t version = kGgufVersion;
  uint64_t alignment = kGgufDefaultAlignment;
  uint64_t data_start = 0;  // file offset of the data section
  std::vector<GgufKeyValue> metadata;   // in file order
  std::vector<GgufTensorInfo> tensors;  // in file order

  const GgufValue* find(std::string_view key) const;
  const GgufTensorInfo* find_tensor(std::string_view name) const;

  std::map<std::string, size_t, std::less<>> key_index;     // key -> index into metadata
  std::map<std::string, size_t, std::less<>> tensor_index;  // name -> index into tensors
};

// Parses and validates a whole GGUF file of `size` bytes at `bytes`: magic, version 2 or
// 3, counts that fit in the file and under kGgufMaxKeys / kGgufMaxTensors, every metadata type (nested arrays up to
// kGgufMaxArrayNesting, kGgufMaxNestedArrays in all), unique non-empty keys, general.alignment a UINT32 power of two,
// tensor infos (unique names, at most 4 dims, a known type, ne[0] a multiple of the block
// size, a byte size that fits), data offsets aligned, inside the file and not overlapping.
// Throws Error naming `source`, the key or tensor, and the byte offset at fault. Never
// reads outside [bytes, bytes + size).
GgufContents parse_gguf(const uint8_t* bytes, size_t size, const std::string& source);

// A GGUF file mapped read-only, with its parsed contents. Movable; views stay valid
// across moves because the mapping does not move.
class GgufFile {
 public:
  // Maps and validates `path`; throws Error naming the path on any problem.
  static GgufFile open(const std::string& path);

  const GgufContents& contents() const { return contents_; }
  const GgufValue* find(std::string_view key) const { return contents_.find(key); }
  const GgufTensorInfo* find_tensor(std::string_view name) const { return contents_.find_tensor(name); }
  const std::vector<GgufKeyValue>& metadata() const { return contents_.metadata; }
  const std::vector<GgufTensorInfo>& tensors() const { return contents_.tensors; }
  const std::string& path() const { return file_.path(); }

 private:
  GgufFile(MappedFile file, GgufContents contents) : file_(std::move(file)), contents_(std::move(contents)) {}

  MappedFile file_;
  GgufContents contents_;
};

// True if the file at `path` starts with the GGUF magic (false if unreadable).
bool is_gguf_file(const std::string& path);

}  // namespace qwenrt
