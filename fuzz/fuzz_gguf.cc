// Arbitrary bytes as a GGUF file: the parser, and everything that reads a parsed file
// (config, tokenizer, name mapping, reference dequantization), must never crash or read
// outside the input (ASan), only throw qwenrt::Error. Whatever the parser accepts must
// survive a round trip through the writer unchanged, so reader and writer agree.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "io/gguf.h"
#include "io/gguf_config.h"
#include "io/gguf_names.h"
#include "io/gguf_tokenizer.h"
#include "io/gguf_writer.h"
#include "tensor/quant_reference.h"

namespace {

using namespace qwenrt;

// Reads through the parsed file the way a loader would.
void use(const GgufContents& g) {
  try {
    model_config_from_gguf(g);
  } catch (const Error&) {
  }
  try {
    generation_config_from_gguf(g);
  } catch (const Error&) {
  }
  try {
    read_gguf_tokenizer(g);
  } catch (const Error&) {
  }
  std::vector<float> row;
  for (const GgufTensorInfo& t : g.tensors) {
    if (std::optional<std::string> hf = gguf_to_hf_name(t.name)) {
      if (hf_to_gguf_name(*hf) != t.name) __builtin_trap();  // the mapping is one-to-one
    }
    const GgmlTypeInfo* info = ggml_type_info(t.type);
    if (!info || !info->dtype || t.nbytes == 0 || *info->dtype == DType::I32 || *info->dtype == DType::I64) continue;
    // Dequantize the first row (bounded, to keep each input fast); ASan checks the reads.
    const int64_t cols = std::min<int64_t>(static_cast<int64_t>(t.dims.empty() ? 1 : t.dims[0]), 4096);
    const int64_t n = cols / info->block_elements * info->block_elements;
    row.resize(static_cast<size_t>(n));
    dequantize_row_reference(*info->dtype, t.data, n, row.data());
  }
}

bool same_tensor(const GgufTensorInfo& a, const GgufTensorInfo& b) {
  return a.name == b.name && a.type == b.type && a.dims == b.dims && a.nbytes == b.nbytes &&
         (a.nbytes == 0 || std::memcmp(a.data, b.data, a.nbytes) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  GgufContents parsed;
  try {
    parsed = parse_gguf(data, size, "fuzz input");
  } catch (const Error&) {
    return 0;
  }
  use(parsed);

  // Round trip, when every tensor has a qwenrt dtype and the padding stays small.
  if (parsed.alignment > 4096) return 0;
  std::vector<NamedTensor> tensors;
  for (const GgufTensorInfo& t : parsed.tensors) {
    const GgmlTypeInfo* info = ggml_type_info(t.type);
    if (!info || !info->dtype) return 0;
    tensors.push_back({t.name, t.view(parsed.source)});
  }
  const std::vector<uint8_t> rewritten = serialize_gguf(parsed.metadata, tensors);
  const GgufContents again = parse_gguf(rewritten.data(), rewritten.size(), "rewritten fuzz input");
  if (again.metadata.size() != parsed.metadata.size() || again.tensors.size() != parsed.tensors.size() ||
      again.alignment != parsed.alignment) {
    __builtin_trap();
  }
  for (size_t i = 0; i < parsed.metadata.size(); ++i) {
    if (again.metadata[i].key != parsed.metadata[i].key || !(again.metadata[i].value == parsed.metadata[i].value)) {
      __builtin_trap();
    }
  }
  for (size_t i = 0; i < parsed.tensors.size(); ++i) {
    if (!same_tensor(again.tensors[i], parsed.tensors[i])) __builtin_trap();
  }
  return 0;
}
