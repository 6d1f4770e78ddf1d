#include "io/safetensors_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "base/error.h"

namespace qwenrt {
namespace {

using nlohmann::json;

// Rank of a dtype in the reference's Dtype enum, which is declared in increasing
// alignment order; the reference sorts tensors by this rank, descending, then by name.
int reference_dtype_rank(DType t) {
  switch (t) {
    case DType::U8: return 1;
    case DType::F16: return 7;
    case DType::BF16: return 8;
    case DType::I32: return 9;
    case DType::F32: return 11;
    case DType::I64: return 13;
    default: return -1;  // quantized types have no safetensors dtype
  }
}

// A JSON string literal as serde_json writes it (UTF-8 kept, control characters escaped).
std::string json_string(const std::string& s, const std::string& what) {
  try {
    return json(s).dump();  // strict: throws on invalid UTF-8
  } catch (const json::type_error&) {
    throw Error("safetensors writer: " + what + " is not valid UTF-8");
  }
}

struct Header {
  std::vector<const NamedTensor*> order;  // tensors in data order
  std::string text;                       // JSON padded to a multiple of 8 bytes
};

Header make_header(const std::vector<NamedTensor>& tensors, const std::map<std::string, std::string>& metadata) {
  Header h;
  std::set<std::string_view> seen;
  for (const NamedTensor& t : tensors) {
    const std::string what = "tensor " + json(t.name).dump(-1, ' ', false, json::error_handler_t::replace);
    check(t.name != "__metadata__", "safetensors writer: the name \"__metadata__\" is reserved");
    check(seen.insert(t.name).second, "safetensors writer: duplicate " + what);
    const TensorView& v = t.tensor;
    check(reference_dtype_rank(v.dtype) >= 0,
          "safetensors writer: " + what + " has dtype " + dtype_name(v.dtype) + ", which safetensors cannot hold");
    int64_t numel = 1;
    for (int64_t d : v.shape) {
      check(d >= 0, "safetensors writer: " + what + " has negative shape " + v.shape_string());
      check(d == 0 || numel <= std::numeric_limits<int64_t>::max() / d,
            "safetensors writer: " + what + " shape " + v.shape_string() + " overflows");
      numel *= d;
    }
    const int64_t element_bytes = dtype_block_bytes(v.dtype);
    check(numel <= std::numeric_limits<int64_t>::max() / element_bytes,
          "safetensors writer: " + what + " shape " + v.shape_string() + " overflows");
    const uint64_t needed = static_cast<uint64_t>(numel * element_bytes);
    check(needed == v.nbytes, "safetensors writer: " + what + " is " + std::to_string(v.nbytes) + " bytes but " +
                                  dtype_name(v.dtype) + " " + v.shape_string() + " needs " + std::to_string(needed));
    check(v.data != nullptr || v.nbytes == 0, "safetensors writer: " + what + " has no data");
    h.order.push_back(&t);
  }
  std::sort(h.order.begin(), h.order.end(), [](const NamedTensor* a, const NamedTensor* b) {
    int ra = reference_dtype_rank(a->tensor.dtype), rb = reference_dtype_rank(b->tensor.dtype);
    return ra != rb ? ra > rb : a->name < b->name;  // std::string compares bytes unsigned, as Rust does
  });

  std::string& s = h.text;
  s = "{";
  if (!metadata.empty()) {
    s += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      if (!first) s += ',';
      first = false;
      s += json_string(key, "metadata key") + ':' + json_string(value, "metadata value for " + key);
    }
    s += '}';
  }
  uint64_t offset = 0;
  for (const NamedTensor* t : h.order) {
    if (s.size() > 1) s += ',';
    s += json_string(t->name, "a tensor name") + ":{\"dtype\":\"" + dtype_name(t->tensor.dtype) + "\",\"shape\":[";
    for (size_t i = 0; i < t->tensor.shape.size(); ++i) s += (i ? "," : "") + std::to_string(t->tensor.shape[i]);
    s += "],\"data_offsets\":[" + std::to_string(offset) + ',' + std::to_string(offset + t->tensor.nbytes) + "]}";
    offset += t->tensor.nbytes;
  }
  s += '}';
  s.append((8 - s.size() % 8) % 8, ' ');  // data then starts 8-byte aligned
  return h;
}

void append_length(std::vector<uint8_t>* out, uint64_t n) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<uint8_t>(n >> (8 * i)));
}

}  // namespace

std::vector<uint8_t> serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                           const std::map<std::string, std::string>& metadata) {
  const Header h = make_header(tensors, metadata);
  std::vector<uint8_t> out;
  append_length(&out, h.text.size());
  out.insert(out.end(), h.text.begin(), h.text.end());
  for (const NamedTensor* t : h.order) {
    const auto* p = static_cast<const uint8_t*>(t->tensor.data);
    if (t->tensor.nbytes) out.insert(out.end(), p, p + t->tensor.nbytes);
  }
  return out;
}

void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  const Header h = make_header(tensors, metadata);
  std::vector<uint8_t> prefix;
  append_length(&prefix, h.text.size());
  prefix.insert(prefix.end(), h.text.begin(), h.text.end());

  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error("cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), f) == prefix.size();
  for (const NamedTensor* t : h.order) {
    if (!ok) break;
    if (t->tensor.nbytes) ok = std::fwrite(t->tensor.data, 1, t->tensor.nbytes, f) == t->tensor.nbytes;
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
