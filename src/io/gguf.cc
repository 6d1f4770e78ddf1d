#include "io/gguf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace qwenrt {
namespace {

// A name or string value quoted for a message: escaped and cut short, so a hostile file
// can neither flood the log nor smuggle control characters into it.
std::string quote(std::string_view s) {
  constexpr size_t kMax = 120;
  using nlohmann::json;
  std::string text = json(std::string(s.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > kMax ? text + "..." : text;
}

std::string at_byte(uint64_t offset) { return " (byte " + std::to_string(offset) + ")"; }

uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

void store_le(uint64_t v, size_t n, std::vector<uint8_t>* out) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

bool is_known_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::FLOAT64); }

// Reads the file front to back; every read is checked against the end of the input.
class Cursor {
 public:
  Cursor(const uint8_t* bytes, size_t size, const std::string& source) : p_(bytes), size_(size), source_(source) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }
  const uint8_t* here() const { return p_ + pos_; }

  // `what` names the field being read, for the message when the file ends early.
  uint64_t uint(size_t n, const std::string& what) {
    need(n, what);
    const uint64_t v = load_le(p_ + pos_, n);
    pos_ += n;
    return v;
  }
  // Messages are built only on failure: these run once per token of a 150k vocabulary.
  std::string string(const std::string& what) { return string_impl(what, nullptr); }
  // Element `index` of the array `what`, named "what[index]" if it is bad.
  std::string string(const std::string& what, uint64_t index) { return string_impl(what, &index); }
  void need(uint64_t n, const std::string& what) const {
    if (n > remaining()) {
      throw Error(source_ + ": " + what + " at byte " + std::to_string(pos_) + " runs past the end of the " +
                  std::to_string(size_) + "-byte file");
    }
  }
  void skip(uint64_t n) { pos_ += n; }
  // Spends `n` of the whole file's allowance of arrays nested in arrays.
  void count_nested_arrays(uint64_t n, const std::string& where) {
    nested_arrays_ += n;  // cannot wrap: n is at most the file size
    check(nested_arrays_ <= kGgufMaxNestedArrays, where + ": more than " + std::to_string(kGgufMaxNestedArrays) +
                                                     " arrays nested in arrays in the file");
  }

 private:
  std::string string_impl(const std::string& what, const uint64_t* index) {
    const uint64_t start = pos_;
    auto name = [&] { return index ? what + "[" + std::to_string(*index) + "]" : what; };
    if (remaining() < 8) need(8, name() + " length");
    const uint64_t length = load_le(p_ + pos_, 8);
    pos_ += 8;
    if (length > remaining()) {
      throw Error(source_ + ": " + name() + " at byte " + std::to_string(start) + " has length " +
                  std::to_string(length) + ", past the end of the " + std::to_string(size_) + "-byte file");
    }
    std::string s(reinterpret_cast<const char*>(p_ + pos_), static_cast<size_t>(length));
    pos_ += length;
    return s;
  }

  const uint8_t* p_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t nested_arrays_ = 0;
  const std::string& source_;
};

// The fewest bytes one array element of type `t` can take, to refuse counts the rest of
// the file cannot hold before allocating for them.
uint64_t min_element_bytes(GgufType t) {
  if (t == GgufType::STRING) return 8;  // its length
  if (t == GgufType::ARRAY) return 12;  // element type and count
  return gguf_scalar_bytes(t);
}

GgufValue read_value(Cursor& in, uint32_t raw_type, uint64_t type_offset, int depth, const std::string& what,
                     const std::string& source) {
  const std::string where = source + ": " + what;
  check(is_known_type(raw_type), where + at_byte(type_offset) + " has unknown value type " + std::to_string(raw_type));
  GgufValue v;
  v.type = static_cast<GgufType>(raw_type);
  v.offset = type_offset;
  if (v.type == GgufType::STRING) {
    v.string = in.string(what);
    return v;
  }
  if (v.type != GgufType::ARRAY) {
    v.bits = in.uint(gguf_scalar_bytes(v.type), what);
    return v;
  }
  check(depth < kGgufMaxArrayNesting, where + at_byte(type_offset) + ": arrays nest deeper than " +
                                          std::to_string(kGgufMaxArrayNesting) + " levels");
  const uint64_t element_type_offset = in.pos();
  const uint32_t element_type = static_cast<uint32_t>(in.uint(4, what + " element type"));
  check(is_known_type(element_type), where + at_byte(element_type_offset) + " is an array of unknown value type " +
                                         std::to_string(element_type));
  v.element_type = static_cast<GgufType>(element_type);
  const uint64_t count_offset = in.pos();
  const uint64_t count = in.uint(8, what + " element count");
  check(count <= in.remaining() / min_element_bytes(v.element_type),
        where + at_byte(count_offset) + " claims " + std::to_string(count) + " elements of type " +
            gguf_type_name(v.element_type) + ", more than the remaining " + std::to_string(in.remaining()) +
            " bytes of the file can hold");
  if (v.element_type == GgufType::STRING) {
    v.strings.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) v.strings.push_back(in.string(what, i));
  } else if (v.element_type == GgufType::ARRAY) {
    in.count_nested_arrays(count, where + at_byte(count_offset));
    v.arrays.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) {
      // Elements of an array of arrays carry no type tag of their own; they are arrays.
      const std::string element = what + "[" + std::to_string(i) + "]";
      v.arrays.push_back(read_value(in, element_type, in.pos(), depth + 1, element, source));
    }
  } else {
    const uint64_t n = count * gguf_scalar_bytes(v.element_type);  // fits: checked above
    v.scalars.assign(in.here(), in.here() + n);
    in.skip(n);
  }
  return v;
}

}  // namespace

std::string gguf_type_name(GgufType t) {
  switch (t) {
    case GgufType::UINT8: return "u8";
    case GgufType::INT8: return "i8";
    case GgufType::UINT16: return "u16";
    case GgufType::INT16: return "i16";
    case GgufType::UINT32: return "u32";
    case GgufType::INT32: return "i32";
    case GgufType::FLOAT32: return "f32";
    case GgufType::BOOL: return "bool";
    case GgufType::STRING: return "str";
    case GgufType::ARRAY: return "arr";
    case GgufType::UINT64: return "u64";
    case GgufType::INT64: return "i64";
    case GgufType::FLOAT64: return "f64";
  }
  return "type " + std::to_string(static_cast<uint32_t>(t));
}

size_t gguf_scalar_bytes(GgufType t) {
  switch (t) {
    case GgufType::UINT8: case GgufType::INT8: case GgufType::BOOL: return 1;
    case GgufType::UINT16: case GgufType::INT16: return 2;
    case GgufType::UINT32: case GgufType::INT32: case GgufType::FLOAT32: return 4;
    case GgufType::UINT64: case GgufType::INT64: case GgufType::FLOAT64: return 8;
    default: return 0;
  }
}

// ---- GgufValue ----

namespace {

GgufValue scalar(GgufType t, uint64_t bits) {
  GgufValue v;
  v.type = t;
  v.bits = bits;
  return v;
}

template <typename T>
uint64_t bits_of(T x) {
  static_assert(sizeof(T) <= 8);
  uint64_t b = 0;
  std::memcpy(&b, &x, sizeof(T));  // little-endian host: the file's byte order
  return b;
}

std::optional<int64_t> int_from_bits(GgufType t, uint64_t b) {
  switch (t) {
    case GgufType::UINT8: return static_cast<int64_t>(static_cast<uint8_t>(b));
    case GgufType::INT8: return static_cast<int64_t>(static_cast<int8_t>(b));
    case GgufType::UINT16: return static_cast<int64_t>(static_cast<uint16_t>(b));
    case GgufType::INT16: return static_cast<int64_t>(static_cast<int16_t>(b));
    case GgufType::UINT32: return static_cast<int64_t>(static_cast<uint32_t>(b));
    case GgufType::INT32: return static_cast<int64_t>(static_cast<int32_t>(b));
    case GgufType::INT64: return static_cast<int64_t>(b);
    case GgufType::UINT64:
      if (b > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(b);
    default: return std::nullopt;
  }
}

std::optional<double> float_from_bits(GgufType t, uint64_t b) {
  if (t == GgufType::FLOAT32) {
    float f;
    const uint32_t b32 = static_cast<uint32_t>(b);
    std::memcpy(&f, &b32, 4);
    return static_cast<double>(f);
  }
  if (t == GgufType::FLOAT64) {
    double d;
    std::memcpy(&d, &b, 8);
    return d;
  }
  return std::nullopt;
}

}  // namespace

GgufValue GgufValue::u8(uint8_t v) { return scalar(GgufType::UINT8, v); }
GgufValue GgufValue::i8(int8_t v) { return scalar(GgufType::INT8, bits_of(v)); }
GgufValue GgufValue::u16(uint16_t v) { return scalar(GgufType::UINT16, v); }
GgufValue GgufValue::i16(int16_t v) { return scalar(GgufType::INT16, bits_of(v)); }
GgufValue GgufValue::u32(uint32_t v) { return scalar(GgufType::UINT32, v); }
GgufValue GgufValue::i32(int32_t v) { return scalar(GgufType::INT32, bits_of(v)); }
GgufValue GgufValue::u64(uint64_t v) { return scalar(GgufType::UINT64, v); }
GgufValue GgufValue::i64(int64_t v) { return scalar(GgufType::INT64, bits_of(v)); }
GgufValue GgufValue::f32(float v) { return scalar(GgufType::FLOAT32, bits_of(v)); }
GgufValue GgufValue::f64(double v) { return scalar(GgufType::FLOAT64, bits_of(v)); }
GgufValue GgufValue::boolean(bool v) { return scalar(GgufType::BOOL, v ? 1 : 0); }

GgufValue GgufValue::str(std::string v) {
  GgufValue out;
  out.type = GgufType::STRING;
  out.string = std::move(v);
  return out;
}

GgufValue GgufValue::string_array(std::vector<std::string> v) {
  GgufValue out;
  out.type = GgufType::ARRAY;
  out.element_type = GgufType::STRING;
  out.strings = std::move(v);
  return out;
}

GgufValue GgufValue::scalar_array(GgufType element_type, const std::vector<uint64_t>& element_bits) {
  const size_t n = gguf_scalar_bytes(element_type);
  check(n > 0, "GgufValue::scalar_array: " + gguf_type_name(element_type) + " is not a scalar type");
  GgufValue out;
  out.type = GgufType::ARRAY;
  out.element_type = element_type;
  out.scalars.reserve(element_bits.size() * n);
  for (uint64_t b : element_bits) store_le(b, n, &out.scalars);
  return out;
}

GgufValue GgufValue::i32_array(const std::vector<int32_t>& v) {
  std::vector<uint64_t> bits;
  for (int32_t x : v) bits.push_back(bits_of(x));
  return scalar_array(GgufType::INT32, bits);
}

GgufValue GgufValue::f32_array(const std::vector<float>& v) {
  std::vector<uint64_t> bits;
  for (float x : v) bits.push_back(bits_of(x));
  return scalar_array(GgufType::FLOAT32, bits);
}

GgufValue GgufValue::array_of_arrays(std::vector<GgufValue> v) {
  for (const GgufValue& e : v) check(e.is_array(), "GgufValue::array_of_arrays: an element is not an array");
  GgufValue out;
  out.type = GgufType::ARRAY;
  out.element_type = GgufType::ARRAY;
  out.arrays = std::move(v);
  return out;
}

size_t GgufValue::size() const {
  if (!is_array()) return 0;
  if (element_type == GgufType::STRING) return strings.size();
  if (element_type == GgufType::ARRAY) return arrays.size();
  const size_t n = gguf_scalar_bytes(element_type);
  return n ? scalars.size() / n : 0;
}

std::optional<int64_t> GgufValue::as_int() const { return int_from_bits(type, bits); }
std::optional<double> GgufValue::as_float() const { return float_from_bits(type, bits); }

std::optional<bool> GgufValue::as_bool() const {
  if (type != GgufType::BOOL) return std::nullopt;
  return bits != 0;
}

std::optional<int64_t> GgufValue::int_at(size_t i) const {
  const size_t n = gguf_scalar_bytes(element_type);
  if (!is_array() || n == 0 || i >= size()) return std::nullopt;
  return int_from_bits(element_type, load_le(scalars.data() + i * n, n));
}

std::optional<double> GgufValue::float_at(size_t i) const {
  const size_t n = gguf_scalar_bytes(element_type);
  if (!is_array() || n == 0 || i >= size()) return std::nullopt;
  return float_from_bits(element_type, load_le(scalars.data() + i * n, n));
}

std::string GgufValue::type_string() const {
  if (!is_array()) return gguf_type_name(type);
  if (element_type == GgufType::ARRAY) {
    return "arr[" + (arrays.empty() ? std::string("arr") : arrays.front().type_string()) + "]";
  }
  return "arr[" + gguf_type_name(element_type) + "]";
}

bool GgufValue::operator==(const GgufValue& o) const {
  if (type != o.type) return false;
  if (type == GgufType::STRING) return string == o.string;
  if (!is_array()) return bits == o.bits;
  return element_type == o.element_type && scalars == o.scalars && strings == o.strings && arrays == o.arrays;
}

// ---- ggml tensor types ----

namespace {

// Block sizes as gguf-py's GGML_QUANT_SIZES (tests compare this table with it).
constexpr GgmlTypeInfo kGgmlTypes[] = {
    {0, "F32", 1, 4, DType::F32},        {1, "F16", 1, 2, DType::F16},
    {2, "Q4_0", 32, 18, DType::Q4_0},    {3, "Q4_1", 32, 20, DType::Q4_1},
    {6, "Q5_0", 32, 22, DType::Q5_0},   {7, "Q5_1", 32, 24, DType::Q5_1},
    {8, "Q8_0", 32, 34, DType::Q8_0},    {9, "Q8_1", 32, 40, std::nullopt},
    {10, "Q2_K", 256, 84, std::nullopt}, {11, "Q3_K", 256, 110, std::nullopt},
    {12, "Q4_K", 256, 144, DType::Q4_K}, {13, "Q5_K", 256, 176, DType::Q5_K},
    {14, "Q6_K", 256, 210, DType::Q6_K}, {15, "Q8_K", 256, 292, std::nullopt},
    {16, "IQ2_XXS", 256, 66, std::nullopt}, {17, "IQ2_XS", 256, 74, std::nullopt},
    {18, "IQ3_XXS", 256, 98, std::nullopt}, {19, "IQ1_S", 256, 50, std::nullopt},
    {20, "IQ4_NL", 32, 18, std::nullopt},   {21, "IQ3_S", 256, 110, std::nullopt},
    {22, "IQ2_S", 256, 82, std::nullopt},   {23, "IQ4_XS", 256, 136, std::nullopt},
    {24, "I8", 1, 1, std::nullopt},      {25, "I16", 1, 2, std::nullopt},
    {26, "I32", 1, 4, DType::I32},       {27, "I64", 1, 8, DType::I64},
    {28, "F64", 1, 8, std::nullopt},     {29, "IQ1_M", 256, 56, std::nullopt},
    {30, "BF16", 1, 2, DType::BF16},     {34, "TQ1_0", 256, 54, std::nullopt},
    {35, "TQ2_0", 256, 66, std::nullopt}, {39, "MXFP4", 32, 17, std::nullopt},
    {40, "NVFP4", 64, 36, std::nullopt}, {41, "Q1_0", 128, 18, std::nullopt},
};

}  // namespace

const GgmlTypeInfo* ggml_type_info(uint32_t id) {
  for (const GgmlTypeInfo& t : kGgmlTypes) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

std::optional<uint32_t> ggml_type_of(DType dtype) {
  for (const GgmlTypeInfo& t : kGgmlTypes) {
    if (t.dtype == dtype) return t.id;
  }
  return std::nullopt;
}

std::vector<int64_t> GgufTensorInfo::shape() const {
  std::vector<int64_t> s;
  for (size_t i = dims.size(); i-- > 0;) s.push_back(static_cast<int64_t>(dims[i]));
  return s;
}

TensorView GgufTensorInfo::view(const std::string& source) const {
  const GgmlTypeInfo* info = ggml_type_info(type);
  check(info && info->dtype.has_value(),
        source + ": tensor " + quote(name) + at_byte(info_offset) + " has ggml type " +
            (info ? std::string(info->name) : "id " + std::to_string(type)) +
            ", which qwenrt cannot compute with (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, "
            "I32, I64)");
  return TensorView{*info->dtype, shape(), data, static_cast<size_t>(nbytes)};
}

// ---- contents ----

const GgufValue* GgufContents::find(std::string_view key) const {
  auto it = key_index.find(key);
  return it == key_index.end() ? nullptr : &metadata[it->second].value;
}

const GgufTensorInfo* GgufContents::find_tensor(std::string_view name) const {
  auto it = tensor_index.find(name);
  return it == tensor_index.end() ? nullptr : &tensors[it->second];
}

// ---- parsing ----

namespace {

void read_header(Cursor& in, GgufContents* out, uint64_t* n_tensors, uint64_t* n_kv) {
  const std::string& source = out->source;
  check(in.remaining() >= 4, source + ": file is " + std::to_string(in.remaining()) +
                                 " bytes, too short for the GGUF magic");
  const uint8_t* m = in.here();
  if (load_le(m, 4) != kGgufMagic) {
    throw Error(source + ": not a GGUF file: bytes 0-3 are " +
                quote(std::string(reinterpret_cast<const char*>(m), 4)) + ", expected \"GGUF\"");
  }
  in.skip(4);
  out->version = static_cast<uint32_t>(in.uint(4, "GGUF version"));
  check((out->version & 0xFFFF) != 0, source + ": GGUF version " + std::to_string(out->version) +
                                          " (bytes 4-7) looks byte-swapped; big-endian GGUF files are not supported");
  check(out->version != 1, source + ": GGUF version 1 (bytes 4-7) is obsolete and not supported");
  check(out->version == 2 || out->version == 3, source + ": GGUF version " + std::to_string(out->version) +
                                                    " (bytes 4-7) is not supported (supported: 2, 3)");
  *n_tensors = in.uint(8, "tensor count");
  *n_kv = in.uint(8, "metadata key/value count");
  // The smallest key/value is an empty key's length, a type and a 1-byte value; the
  // smallest tensor info an empty name, a dimension count, a type and an offset.
  check(*n_kv <= in.remaining() / 13, source + ": metadata key/value count " + std::to_string(*n_kv) +
                                          " (bytes 16-23) is more than the " + std::to_string(in.remaining()) +
                                          "-byte rest of the file can hold");
  check(*n_tensors <= in.remaining() / 24, source + ": tensor count " + std::to_string(*n_tensors) +
                                               " (bytes 8-15) is more than the " + std::to_string(in.remaining()) +
                                               "-byte rest of the file can hold");
  check(*n_kv <= kGgufMaxKeys, source + ": metadata key/value count " + std::to_string(*n_kv) +
                                   " (bytes 16-23) is more than the " + std::to_string(kGgufMaxKeys) + " qwenrt accepts");
  check(*n_tensors <= kGgufMaxTensors, source + ": tensor count " + std::to_string(*n_tensors) +
                                           " (bytes 8-15) is more than the " + std::to_string(kGgufMaxTensors) +
                                           " qwenrt accepts");
}

void read_metadata(Cursor& in, uint64_t n_kv, GgufContents* out) {
  const std::string& source = out->source;
  out->metadata.reserve(static_cast<size_t>(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    const uint64_t start = in.pos();
    std::string key = in.string("metadata key #" + std::to_string(i));
    check(!key.empty(), source + ": metadata key #" + std::to_string(i) + at_byte(start) + " is empty");
    const std::string what = "metadata key " + quote(key);
    check(!out->key_index.count(key), source + ": " + what + at_byte(start) + " appears twice");
    const uint64_t type_offset = in.pos();
    const uint32_t type = static_cast<uint32_t>(in.uint(4, what + " value type"));
    GgufValue value = read_value(in, type, type_offset, 0, what, source);
    out->key_index.emplace(key, out->metadata.size());
    out->metadata.push_back({std::move(key), std::move(value)});
  }
  if (const GgufValue* a = out->find("general.alignment")) {
    const std::string where = source + ": metadata key \"general.alignment\"" + at_byte(a->offset);
    check(a->type == GgufType::UINT32, where + " must be of type u32, got " + a->type_string());
    check(a->bits != 0 && (a->bits & (a->bits - 1)) == 0,
          where + " is " + std::to_string(a->bits) + ", not a power of two");
    out->alignment = a->bits;
  }
}

GgufTensorInfo read_tensor_info(Cursor& in, uint64_t index, const GgufContents& out) {
  const std::string& source = out.source;
  GgufTensorInfo t;
  t.info_offset = in.pos();
  t.name = in.string("tensor #" + std::to_string(index) + " name");
  const std::string where = source + ": tensor " + quote(t.name) + at_byte(t.info_offset);
  check(!out.tensor_index.count(t.name), where + " appears twice");
  const uint32_t n_dims = static_cast<uint32_t>(in.uint(4, "tensor " + quote(t.name) + " dimension count"));
  check(n_dims <= kGgufMaxDims, where + " has " + std::to_string(n_dims) + " dimensions; at most " +
                                    std::to_string(kGgufMaxDims) + " are allowed");
  // Element count with overflow checked at every step, as ggml does.
  uint64_t numel = 1;
  bool overflow = false;
  for (uint32_t d = 0; d < n_dims; ++d) {
    const uint64_t ne = in.uint(8, "tensor " + quote(t.name) + " dimension");
    check(ne <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
          where + ": dimension " + std::to_string(d) + " is " + std::to_string(ne) + ", above 2^63 - 1");
    t.dims.push_back(ne);
    if (ne != 0 && numel > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / ne) overflow = true;
    if (!overflow) numel *= ne;
  }
  const uint64_t type_offset = in.pos();
  t.type = static_cast<uint32_t>(in.uint(4, "tensor " + quote(t.name) + " type"));
  const GgmlTypeInfo* info = ggml_type_info(t.type);
  check(info != nullptr, where + " has unknown ggml type id " + std::to_string(t.type) + at_byte(type_offset));
  bool has_zero = false;
  for (uint64_t ne : t.dims) has_zero = has_zero || ne == 0;
  check(!overflow || has_zero, where + " has more elements than fit in 64 bits");
  if (has_zero) numel = 0;
  const uint64_t ne0 = t.dims.empty() ? 1 : t.dims[0];
  check(ne0 % static_cast<uint64_t>(info->block_elements) == 0,
        where + ": " + info->name + " rows of " + std::to_string(ne0) + " elements are not a whole number of " +
            std::to_string(info->block_elements) + "-element blocks");
  const uint64_t blocks = numel / static_cast<uint64_t>(info->block_elements);
  check(blocks <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / static_cast<uint64_t>(info->block_bytes),
        where + " is more bytes than fit in 64 bits");
  t.nbytes = blocks * static_cast<uint64_t>(info->block_bytes);
  t.offset = in.uint(8, "tensor " + quote(t.name) + " data offset");
  return t;
}

// Places every tensor in the data section: aligned, inside the file, not overlapping.
void place_tensors(const uint8_t* bytes, uint64_t size, GgufContents* out) {
  const std::string& source = out->source;
  const uint64_t data_size = size - out->data_start;
  std::vector<GgufTensorInfo*> order;
  for (GgufTensorInfo& t : out->tensors) {
    const std::string where = source + ": tensor " + quote(t.name) + at_byte(t.info_offset);
    check(t.offset % out->alignment == 0, where + ": data offset " + std::to_string(t.offset) +
                                              " is not a multiple of the alignment " +
                                              std::to_string(out->alignment));
    check(t.offset <= data_size && t.nbytes <= data_size - t.offset,
          where + ": its " + std::to_string(t.nbytes) + " bytes at data offset " + std::to_string(t.offset) +
              " (file byte " + std::to_string(out->data_start + t.offset) + ") run past the end of the " +
              std::to_string(size) + "-byte file");
    t.file_offset = out->data_start + t.offset;
    t.data = bytes + t.file_offset;
    if (t.nbytes) order.push_back(&t);
  }
  std::sort(order.begin(), order.end(),
            [](const GgufTensorInfo* a, const GgufTensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 1; i < order.size(); ++i) {
    const GgufTensorInfo& prev = *order[i - 1];
    const GgufTensorInfo& t = *order[i];
    check(t.offset >= prev.offset + prev.nbytes,
          source + ": tensor " + quote(t.name) + " at file bytes [" + std::to_string(t.file_offset) + ", " +
              std::to_string(t.file_offset + t.nbytes) + ") overlaps tensor " + quote(prev.name) + " at [" +
              std::to_string(prev.file_offset) + ", " + std::to_string(prev.file_offset + prev.nbytes) + ")");
  }
}

}  // namespace

GgufContents parse_gguf(const uint8_t* bytes, size_t size, const std::string& source) {
  GgufContents out;
  out.source = source;
  Cursor in(bytes, size, out.source);
  uint64_t n_tensors = 0, n_kv = 0;
  read_header(in, &out, &n_tensors, &n_kv);
  read_metadata(in, n_kv, &out);
  out.tensors.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensorInfo t = read_tensor_info(in, i, out);
    out.tensor_index.emplace(t.name, out.tensors.size());
    out.tensors.push_back(std::move(t));
  }
  // The data section starts at the next multiple of the alignment (alignment <= 2^32, so
  // this cannot overflow for a file that fits in memory).
  const uint64_t end_of_infos = in.pos();
  out.data_start = (end_of_infos + out.alignment - 1) / out.alignment * out.alignment;
  if (!out.tensors.empty()) {
    check(out.data_start <= size, source + ": the data section would start at byte " +
                                      std::to_string(out.data_start) + ", past the end of the " +
                                      std::to_string(size) + "-byte file");
    place_tensors(bytes, size, &out);
  }
  return out;
}

GgufFile GgufFile::open(const std::string& path) {
  MappedFile file(path);
  GgufContents contents = parse_gguf(file.data(), file.size(), path);
  return GgufFile(std::move(file), std::move(contents));
}

bool is_gguf_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint8_t magic[4] = {};
  if (!in.read(reinterpret_cast<char*>(magic), 4)) return false;
  return load_le(magic, 4) == kGgufMagic;
}

}  // namespace qwenrt
