#include "io/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.h"

namespace qwenrt {
namespace {

std::string quote(std::string_view s) {
  using nlohmann::json;
  constexpr size_t kMax = 120;
  std::string text = json(std::string(s.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > kMax ? text + "..." : text;
}

void put(uint64_t v, size_t n, std::vector<uint8_t>* out) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_string(const std::string& s, std::vector<uint8_t>* out) {
  put(s.size(), 8, out);
  out->insert(out->end(), s.begin(), s.end());
}

uint64_t pad_to(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

// The value's payload (everything after its type tag). `what` names it for messages.
void put_value(const GgufValue& v, const std::string& what, int depth, std::vector<uint8_t>* out) {
  const std::string where = "GGUF writer: " + what;
  if (v.type == GgufType::STRING) {
    put_string(v.string, out);
    return;
  }
  if (v.type != GgufType::ARRAY) {
    const size_t n = gguf_scalar_bytes(v.type);
    check(n > 0, where + " has unknown value type " + std::to_string(static_cast<uint32_t>(v.type)));
    check(n == 8 || v.bits >> (8 * n) == 0, where + " has bits beyond its " + gguf_type_name(v.type) + " type");
    put(v.bits, n, out);
    return;
  }
  check(depth < kGgufMaxArrayNesting, where + ": arrays nest deeper than " + std::to_string(kGgufMaxArrayNesting));
  put(static_cast<uint32_t>(v.element_type), 4, out);
  if (v.element_type == GgufType::STRING) {
    check(v.scalars.empty() && v.arrays.empty(), where + ": a string array holds non-string elements");
    put(v.strings.size(), 8, out);
    for (const std::string& s : v.strings) put_string(s, out);
  } else if (v.element_type == GgufType::ARRAY) {
    check(v.scalars.empty() && v.strings.empty(), where + ": an array of arrays holds non-array elements");
    put(v.arrays.size(), 8, out);
    for (size_t i = 0; i < v.arrays.size(); ++i) {
      check(v.arrays[i].is_array(), where + "[" + std::to_string(i) + "] is not an array");
      put_value(v.arrays[i], what + "[" + std::to_string(i) + "]", depth + 1, out);
    }
  } else {
    const size_t n = gguf_scalar_bytes(v.element_type);
    check(n > 0, where + " is an array of unknown value type " + std::to_string(static_cast<uint32_t>(v.element_type)));
    check(v.strings.empty() && v.arrays.empty() && v.scalars.size() % n == 0,
          where + ": an array of " + gguf_type_name(v.element_type) + " must hold whole " + std::to_string(n) +
              "-byte elements");
    put(v.scalars.size() / n, 8, out);
    out->insert(out->end(), v.scalars.begin(), v.scalars.end());
  }
}

struct Layout {
  std::vector<uint8_t> head;  // everything before the first tensor's data, padding included
  uint64_t alignment = kGgufDefaultAlignment;
};

Layout make_layout(const std::vector<GgufKeyValue>& metadata, const std::vector<NamedTensor>& tensors) {
  Layout l;
  std::vector<uint8_t>& out = l.head;
  put(kGgufMagic, 4, &out);
  put(kGgufVersion, 4, &out);
  put(tensors.size(), 8, &out);
  put(metadata.size(), 8, &out);

  std::set<std::string_view> keys;
  for (const GgufKeyValue& kv : metadata) {
    check(!kv.key.empty(), "GGUF writer: a metadata key is empty");
    const std::string what = "metadata key " + quote(kv.key);
    check(keys.insert(kv.key).second, "GGUF writer: duplicate " + what);
    if (kv.key == "general.alignment") {
      check(kv.value.type == GgufType::UINT32 && kv.value.bits != 0 && (kv.value.bits & (kv.value.bits - 1)) == 0,
            "GGUF writer: general.alignment must be a u32 power of two");
      l.alignment = kv.value.bits;
    }
    put_string(kv.key, &out);
    put(static_cast<uint32_t>(kv.value.type), 4, &out);
    put_value(kv.value, what, 0, &out);
  }

  std::set<std::string_view> names;
  uint64_t offset = 0;
  for (const NamedTensor& t : tensors) {
    const std::string what = "GGUF writer: tensor " + quote(t.name);
    check(names.insert(t.name).second, what + " appears twice");
    const TensorView& v = t.tensor;
    const std::optional<uint32_t> type = ggml_type_of(v.dtype);
    check(type.has_value(), what + " has dtype " + dtype_name(v.dtype) + ", which GGUF cannot hold");
    check(v.shape.size() <= static_cast<size_t>(kGgufMaxDims),
          what + " has " + std::to_string(v.shape.size()) + " dimensions; GGUF allows at most 4");
    // A zero dimension makes the tensor empty whatever the others are, as the reader
    // (and ggml) accept; only a product of nonzero dimensions can overflow.
    bool has_zero = false;
    for (int64_t d : v.shape) {
      check(d >= 0, what + " has a negative dimension in " + v.shape_string());
      has_zero = has_zero || d == 0;
    }
    uint64_t numel = has_zero ? 0 : 1;
    for (int64_t d : v.shape) {
      if (numel == 0) break;
      check(numel <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / static_cast<uint64_t>(d),
            what + " shape " + v.shape_string() + " overflows");
      numel *= static_cast<uint64_t>(d);
    }
    const int64_t block = dtype_block_elements(v.dtype);
    const int64_t ne0 = v.shape.empty() ? 1 : v.shape.back();
    check(ne0 % block == 0, what + ": " + dtype_name(v.dtype) + " rows of " + std::to_string(ne0) +
                                " elements are not whole " + std::to_string(block) + "-element blocks");
    const uint64_t blocks = numel / static_cast<uint64_t>(block);
    const uint64_t block_bytes = static_cast<uint64_t>(dtype_block_bytes(v.dtype));
    check(blocks <= std::numeric_limits<uint64_t>::max() / block_bytes, what + " shape " + v.shape_string() + " overflows");
    check(blocks * block_bytes == v.nbytes, what + " is " + std::to_string(v.nbytes) + " bytes but " +
                                                dtype_name(v.dtype) + " " + v.shape_string() + " needs " +
                                                std::to_string(blocks * block_bytes));
    check(v.data != nullptr || v.nbytes == 0, what + " has no data");
    put_string(t.name, &out);
    put(v.shape.size(), 4, &out);
    for (size_t i = v.shape.size(); i-- > 0;) put(static_cast<uint64_t>(v.shape[i]), 8, &out);
    put(*type, 4, &out);
    put(offset, 8, &out);
    offset += pad_to(v.nbytes, l.alignment);
  }
  out.resize(pad_to(out.size(), l.alignment), 0);
  return l;
}

}  // namespace

std::vector<uint8_t> serialize_gguf(const std::vector<GgufKeyValue>& metadata, const std::vector<NamedTensor>& tensors) {
  Layout l = make_layout(metadata, tensors);
  std::vector<uint8_t> out = std::move(l.head);
  for (const NamedTensor& t : tensors) {
    const auto* p = static_cast<const uint8_t*>(t.tensor.data);
    if (t.tensor.nbytes) out.insert(out.end(), p, p + t.tensor.nbytes);
    out.resize(pad_to(out.size(), l.alignment), 0);
  }
  return out;
}

void write_gguf(const std::string& path, const std::vector<GgufKeyValue>& metadata,
                const std::vector<NamedTensor>& tensors) {
  const Layout l = make_layout(metadata, tensors);
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error("cannot create " + tmp + ": " + std::strerror(errno));
  const std::vector<uint8_t> zeros(l.alignment, 0);
  bool ok = std::fwrite(l.head.data(), 1, l.head.size(), f) == l.head.size();
  for (const NamedTensor& t : tensors) {
    if (!ok) break;
    if (t.tensor.nbytes) ok = std::fwrite(t.tensor.data, 1, t.tensor.nbytes, f) == t.tensor.nbytes;
    const size_t pad = static_cast<size_t>(pad_to(t.tensor.nbytes, l.alignment) - t.tensor.nbytes);
    if (ok && pad) ok = std::fwrite(zeros.data(), 1, pad, f) == pad;
  }
  const int write_errno = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw Error("cannot write " + tmp + ": " + std::strerror(write_errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::remove(tmp.c_str());
    throw Error("cannot rename " + tmp + " to " + path + ": " + std::strerror(rename_errno));
  }
}

}  // namespace qwenrt
