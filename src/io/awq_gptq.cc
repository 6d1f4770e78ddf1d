#include "io/awq_gptq.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/mapped_file.h"
#include "tensor/quant_reference.h"

namespace qwenrt {
namespace {

using nlohmann::json;
using Method = PackedQuantConfig::Method;

// The elements a 32-column block of the converted weight covers: it must sit inside one
// group, which is why group sizes (and act-order group populations) must be multiples.
constexpr int64_t kBlock = 32;

// AutoAWQ's GEMM packing puts output column 8c + j in nibble kAwqNibble[j] of word c
// (its pack order is [0, 2, 4, 6, 1, 3, 5, 7]; this is the inverse).
constexpr int kAwqNibble[8] = {0, 4, 1, 5, 2, 6, 3, 7};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A key of quantization_config: the first of `names` present, as an integer.
std::optional<int64_t> int_key(const json& q, std::initializer_list<const char*> names,
                               const std::string& where) {
  for (const char* name : names) {
    auto it = q.find(name);
    if (it == q.end() || it->is_null()) continue;
    check(it->is_number_integer(), where + "." + name + " must be an integer");
    return it->get<int64_t>();
  }
  return std::nullopt;
}

std::optional<std::string> string_key(const json& q, std::initializer_list<const char*> names,
                                      const std::string& where) {
  for (const char* name : names) {
    auto it = q.find(name);
    if (it == q.end() || it->is_null()) continue;
    check(it->is_string(), where + "." + name + " must be a string");
    return it->get<std::string>();
  }
  return std::nullopt;
}

std::optional<bool> bool_key(const json& q, const char* name, const std::string& where) {
  auto it = q.find(name);
  if (it == q.end() || it->is_null()) return std::nullopt;
  check(it->is_boolean(), where + "." + name + " must be true or false");
  return it->get<bool>();
}

// safetensors data is only byte-aligned: read words with memcpy.
uint32_t word_at(const uint8_t* data, size_t i) {
  uint32_t w;
  std::memcpy(&w, data + 4 * i, 4);
  return w;
}

uint32_t word_at(const TensorView& t, int64_t i) {
  return word_at(static_cast<const uint8_t*>(t.data), static_cast<size_t>(i));
}

// Unpacks the codes of output rows [n0, n1) to codes[(n - n0) * cols + kk], where column
// kk is input column order[kk] (kk itself when order is null). This loop is most of the
// conversion. It takes plain values, which the byte stores cannot alias (read through a
// lambda's references they were reloaded per element), and unsigned indices, so that
// n / 8 and n % 8 are a shift and a mask: without both it ran 50% more instructions.
void unpack_codes(const uint8_t* qweight, bool awq, int bits, size_t rows, size_t cols,
                  const int32_t* order, size_t n0, size_t n1, uint8_t* codes) {
  const size_t per_word = 32 / static_cast<size_t>(bits);
  const uint32_t mask = (1u << bits) - 1;
  for (size_t kk = 0; kk < cols; ++kk) {
    const size_t k = order ? static_cast<size_t>(order[kk]) : kk;
    for (size_t n = n0; n < n1; ++n) {
      uint32_t q;
      if (awq) {
        q = word_at(qweight, k * (rows / 8) + n / 8) >> (4 * kAwqNibble[n % 8]);
      } else {
        q = word_at(qweight, (k / per_word) * rows + n) >> (bits * static_cast<int>(k % per_word));
      }
      codes[(n - n0) * cols + kk] = static_cast<uint8_t>(q & mask);
    }
  }
}

struct Tensors {
  const TensorView* qweight = nullptr;
  const TensorView* qzeros = nullptr;
  const TensorView* scales = nullptr;
  const TensorView* g_idx = nullptr;  // GPTQ; absent means column k is in group k / group_size
};

std::string describe(const Checkpoint& ckpt, const std::string& name) {
  return "tensor " + name + " in " + ckpt.file_of(name);
}

void expect(const Checkpoint& ckpt, const std::string& name, const TensorView& t,
            std::initializer_list<DType> dtypes, const std::vector<int64_t>& shape) {
  check(std::find(dtypes.begin(), dtypes.end(), t.dtype) != dtypes.end(),
        describe(ckpt, name) + " has dtype " + dtype_name(t.dtype) + ", which is not what " +
            "AWQ/GPTQ packing writes (" + dtype_name(*dtypes.begin()) + ")");
  TensorView want;
  want.shape = shape;
  check(t.shape == shape, describe(ckpt, name) + " has shape " + t.shape_string() +
                              " but the layer's size and quantization_config imply " + want.shape_string());
}

// The fp16 bits of a scale; F32/BF16 scales are accepted only when fp16 holds them exactly,
// since the converted block's scale is fp16.
uint16_t scale_bits(const Checkpoint& ckpt, const std::string& name, const TensorView& t, int64_t i) {
  const uint8_t* p = static_cast<const uint8_t*>(t.data);
  uint16_t h;
  float f;
  switch (t.dtype) {
    case DType::F16:
      std::memcpy(&h, p + 2 * i, 2);
      return h;
    case DType::BF16:
      std::memcpy(&h, p + 2 * i, 2);
      f = bf16_to_f32(h);
      break;
    default:
      std::memcpy(&f, p + 4 * i, 4);
      break;
  }
  h = f32_to_f16(f);
  if (f16_to_f32(h) != f && f == f) {
    throw Error(describe(ckpt, name) + ": scale " + std::to_string(f) + " at index " + std::to_string(i) +
                " is not exactly representable in float16");
  }
  return h;
}

}  // namespace

std::optional<PackedQuantConfig> parse_packed_quant_config(const std::string& config_json,
                                                           const std::string& source) {
  json root;
  try {
    root = json::parse(config_json);
  } catch (const json::exception& e) {
    throw Error(source + ": not valid JSON: " + e.what());
  }
  if (!root.is_object()) return std::nullopt;
  auto it = root.find("quantization_config");
  if (it == root.end() || it->is_null()) return std::nullopt;
  const std::string where = source + ": quantization_config";
  const json& q = *it;
  check(q.is_object(), where + " must be an object");
  const auto method = string_key(q, {"quant_method"}, where);
  check(method.has_value(), where + " has no quant_method");
  PackedQuantConfig c;
  c.source = source;
  const std::string m = lower(*method);
  if (m == "awq") {
    c.method = Method::kAwq;
  } else if (m == "gptq") {
    c.method = Method::kGptq;
  } else {
    throw Error(where + ".quant_method \"" + *method + "\" is not supported (supported: awq, gptq)");
  }

  const auto bits = int_key(q, {"bits", "w_bit"}, where);
  check(bits.has_value(), where + " has no bits");
  if (c.method == Method::kAwq) {
    check(*bits == 4, where + ".bits " + std::to_string(*bits) + " is not supported for AWQ (only 4)");
  } else {
    check(*bits == 4 || *bits == 8,
          where + ".bits " + std::to_string(*bits) + " is not supported for GPTQ (only 4 and 8)");
  }
  c.bits = static_cast<int>(*bits);

  const auto group = int_key(q, {"group_size", "q_group_size"}, where);
  check(group.has_value(), where + " has no group_size");
  check(*group == -1 || (*group > 0 && *group % kBlock == 0),
        where + ".group_size " + std::to_string(*group) +
            " is not supported: it must be -1 or a multiple of 32, so that each 32-column block of the "
            "converted weight has one scale");
  c.group_size = *group;

  if (c.method == Method::kAwq) {
    const std::string version = lower(string_key(q, {"version"}, where).value_or("gemm"));
    check(version == "gemm", where + ".version \"" + version + "\" is not supported (only AWQ \"gemm\" packing)");
    check(bool_key(q, "zero_point", where).value_or(true),
          where + ".zero_point false is not supported (Qwen's AWQ checkpoints use zero points)");
  } else {
    c.sym = bool_key(q, "sym", where).value_or(true);
    c.desc_act = bool_key(q, "desc_act", where).value_or(false);
    const std::string format = lower(string_key(q, {"checkpoint_format", "format"}, where).value_or("gptq"));
    check(format == "gptq" || format == "gptq_v2",
          where + ".checkpoint_format \"" + format + "\" is not supported (gptq, gptq_v2)");
    c.zeros_minus_one = format == "gptq";
  }
  return c;
}

std::optional<PackedQuantConfig> read_packed_quant_config(const std::string& model_dir) {
  const std::string path = (std::filesystem::path(model_dir) / "config.json").string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  MappedFile file(path);
  return parse_packed_quant_config(std::string(file.data(), file.data() + file.size()), path);
}

bool has_packed_weight(const Checkpoint& ckpt, const std::string& base) {
  return ckpt.find(base + ".qweight") != nullptr;
}

bool is_packed_part(const std::string& name) {
  for (const char* suffix : kPackedParts) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

std::vector<int64_t> packed_weight_shape(const Checkpoint& ckpt, const PackedQuantConfig& c,
                                         const std::string& base) {
  const TensorView& qweight = ckpt.get(base + ".qweight");
  const TensorView& scales = ckpt.get(base + ".scales");
  check(qweight.shape.size() == 2 && scales.shape.size() == 2,
        describe(ckpt, base + ".qweight") + " and its .scales must be 2-D");
  // AWQ packs 8 output columns per int32 ([in, out/8]); GPTQ packs 32/bits input rows ([in*bits/32, out]).
  const int64_t cols = c.method == Method::kAwq ? qweight.dim(0) : qweight.dim(0) * (32 / c.bits);
  return {scales.dim(1), cols};
}

ConvertedWeight convert_packed_weight(const Checkpoint& ckpt, const PackedQuantConfig& c,
                                      const std::string& base, int64_t rows, int64_t cols,
                                      ThreadPool& pool) {
  const bool awq = c.method == Method::kAwq;
  const char* kind = awq ? "AWQ" : "GPTQ";
  const std::string qweight_name = base + ".qweight";
  const std::string file = ckpt.file_of(qweight_name);
  Tensors t;
  t.qweight = ckpt.find(qweight_name);
  for (auto [slot, suffix] : {std::pair{&t.qzeros, ".qzeros"}, std::pair{&t.scales, ".scales"}}) {
    *slot = ckpt.find(base + suffix);
    check(*slot != nullptr, "tensor " + base + suffix + " is missing from " + file + " (every " + kind +
                                " layer stores qweight, qzeros and scales; " + c.source + " asks for " +
                                kind + ")");
  }
  if (!awq) t.g_idx = ckpt.find(base + ".g_idx");

  check(cols % kBlock == 0, "tensor " + qweight_name + " in " + file + ": input width " +
                                std::to_string(cols) + " is not a multiple of 32");
  const int64_t group_size = c.group_size == -1 ? cols : c.group_size;
  const int64_t groups = (cols + group_size - 1) / group_size;
  const int per_word = 32 / c.bits;
  const uint32_t mask = (1u << c.bits) - 1;
  check(rows % per_word == 0, "tensor " + qweight_name + " in " + file + ": output width " +
                                  std::to_string(rows) + " is not a multiple of " + std::to_string(per_word));
  if (awq) {
    check(cols % group_size == 0, "tensor " + qweight_name + " in " + file + ": input width " +
                                      std::to_string(cols) + " is not a multiple of group_size " +
                                      std::to_string(group_size));
    expect(ckpt, qweight_name, *t.qweight, {DType::I32}, {cols, rows / per_word});
  } else {
    expect(ckpt, qweight_name, *t.qweight, {DType::I32}, {cols / per_word, rows});
  }
  expect(ckpt, base + ".qzeros", *t.qzeros, {DType::I32}, {groups, rows / per_word});
  expect(ckpt, base + ".scales", *t.scales, {DType::F16, DType::BF16, DType::F32}, {groups, rows});
  if (t.g_idx) expect(ckpt, base + ".g_idx", *t.g_idx, {DType::I32}, {cols});

  // The group of each input column, and an order that makes every group contiguous.
  std::vector<int32_t> group_of(static_cast<size_t>(cols));
  bool trivial = true;
  for (int64_t k = 0; k < cols; ++k) {
    int32_t g = static_cast<int32_t>(k / group_size);
    if (t.g_idx) {
      g = static_cast<int32_t>(word_at(*t.g_idx, k));
      if (g < 0 || g >= groups) {
        throw Error(describe(ckpt, base + ".g_idx") + ": entry " + std::to_string(k) + " is " + std::to_string(g) +
                    ", outside the " + std::to_string(groups) + " groups");
      }
    }
    trivial = trivial && g == k / group_size;
    group_of[static_cast<size_t>(k)] = g;
  }
  ConvertedWeight out;
  if (!trivial) {
    std::vector<int64_t> population(static_cast<size_t>(groups), 0);
    for (int32_t g : group_of) ++population[static_cast<size_t>(g)];
    for (int64_t g = 0; g < groups; ++g) {
      check(population[static_cast<size_t>(g)] % kBlock == 0,
            describe(ckpt, base + ".g_idx") + ": group " + std::to_string(g) + " has " +
                std::to_string(population[static_cast<size_t>(g)]) +
                " columns, not a multiple of 32, so it cannot be converted exactly");
    }
    out.input_order.resize(static_cast<size_t>(cols));
    for (int64_t k = 0; k < cols; ++k) out.input_order[static_cast<size_t>(k)] = static_cast<int32_t>(k);
    std::stable_sort(out.input_order.begin(), out.input_order.end(),
                     [&](int32_t a, int32_t b) { return group_of[a] < group_of[b]; });
  }

  auto zero_at = [&](int64_t g, int64_t n) -> int {
    const uint32_t w = word_at(*t.qzeros, g * (rows / per_word) + n / per_word);
    const int shift = awq ? 4 * kAwqNibble[n % 8] : c.bits * static_cast<int>(n % per_word);
    return static_cast<int>((w >> shift) & mask) + (c.zeros_minus_one ? 1 : 0);
  };

  const bool q8 = c.bits == 8;
  out.view.dtype = q8 ? DType::Q8_0 : DType::Q5_0;
  out.view.rows = rows;
  out.view.cols = cols;
  const int64_t row_bytes = dtype_row_bytes(out.view.dtype, cols);
  out.blocks.resize(static_cast<size_t>(rows * row_bytes));
  const std::string scales_name = base + ".scales";

  // Rows (output features) are converted a tile at a time: the tile's codes are first
  // unpacked to [row][column] bytes in the new column order (packed words run along
  // the output features, converted blocks along the input features; the tile keeps both
  // walks inside the cache).
  constexpr int64_t kTileRows = 64;
  auto convert_rows = [&](int64_t begin, int64_t end) {
    std::vector<uint8_t> codes(static_cast<size_t>(std::min(end - begin, kTileRows) * cols));
    for (int64_t n0 = begin; n0 < end; n0 += kTileRows) {
      const int64_t n1 = std::min(end, n0 + kTileRows);
      unpack_codes(static_cast<const uint8_t*>(t.qweight->data), awq, c.bits, static_cast<size_t>(rows),
                   static_cast<size_t>(cols), out.input_order.empty() ? nullptr : out.input_order.data(),
                   static_cast<size_t>(n0), static_cast<size_t>(n1), codes.data());
      for (int64_t n = n0; n < n1; ++n) {
        uint8_t* dst = out.blocks.data() + n * row_bytes;
        const uint8_t* row_codes = codes.data() + (n - n0) * cols;
        for (int64_t b = 0; b < cols / kBlock; ++b) {
          const int64_t first =
              out.input_order.empty() ? b * kBlock : out.input_order[static_cast<size_t>(b * kBlock)];
          const int64_t g = group_of[static_cast<size_t>(first)];
          const int zero = zero_at(g, n);
          const uint16_t d = scale_bits(ckpt, scales_name, *t.scales, g * rows + n);
          const uint8_t* q = row_codes + b * kBlock;
          if (q8) {
            BlockQ8_0 blk;
            blk.d = d;
            for (int j = 0; j < kBlock; ++j) {
              const int v = q[j] - zero;
              if (v < -128 || v > 127) {
                throw Error("tensor " + qweight_name + " in " + file + ": code - zero = " + std::to_string(v) +
                            " at row " + std::to_string(n) + " does not fit int8; only symmetric 8-bit GPTQ "
                            "(zero 128) converts exactly to Q8_0");
              }
              blk.qs[j] = static_cast<int8_t>(v);
            }
            std::memcpy(dst + b * sizeof(BlockQ8_0), &blk, sizeof blk);
          } else {
            // zero is in [0, 16] (a 4-bit field, plus one for GPTQ v1): q - zero + 16 is in [0, 31].
            BlockQ5_0 blk{};
            blk.d = d;
            uint32_t qh = 0;
            for (int j = 0; j < kBlock / 2; ++j) {
              const uint32_t lo = static_cast<uint32_t>(q[j] - zero + 16);
              const uint32_t hi = static_cast<uint32_t>(q[j + kBlock / 2] - zero + 16);
              blk.qs[j] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
              qh |= ((lo >> 4) & 1u) << j;
              qh |= ((hi >> 4) & 1u) << (j + kBlock / 2);
            }
            std::memcpy(blk.qh, &qh, 4);
            std::memcpy(dst + b * sizeof(BlockQ5_0), &blk, sizeof blk);
          }
        }
      }
    }
  };
  // This is the bulk of loading a packed checkpoint, hence the pool. Each output row
  // depends only on its own codes, zeros and scales, so any split of the rows writes the
  // same bytes. An exception cannot leave a pool worker: each range keeps its own, and
  // the lowest range's is rethrown, the error a serial pass would have met first (every
  // range before it converted cleanly). A small grain lets even the tests' tiny tensors
  // split, so they cross range boundaries.
  constexpr int64_t kGrain = 8;
  std::vector<std::exception_ptr> errors(static_cast<size_t>((rows + kGrain - 1) / kGrain));
  pool.parallel_for(
      rows,
      [&](int64_t begin, int64_t end) {
        try {
          convert_rows(begin, end);
        } catch (...) {
          errors[static_cast<size_t>(begin / kGrain)] = std::current_exception();
        }
      },
      kGrain);
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  out.view.data = out.blocks.data();
  out.view.input_order = out.input_order.empty() ? nullptr : out.input_order.data();
  return out;
}

}  // namespace qwenrt
