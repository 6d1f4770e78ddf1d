// Writing safetensors files laid out exactly as the reference (huggingface/safetensors)
// lays them out, so a file we write is byte-identical to the one Python would write.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace qwenrt {

struct NamedTensor {
  std::string name;
  TensorView tensor;  // a plain safetensors dtype (F32, F16, BF16, I32, I64, U8)
};

// The whole file as bytes. Layout, as the reference's: tensors ordered by dtype
// alignment (largest first) then by name, packed back to back; the JSON header holds
// "__metadata__" first (omitted when `metadata` is empty; keys sorted, where the
// reference uses hash order, so only single-key metadata is byte-identical to it) and then
// the tensors in data order, padded with spaces to a multiple of 8 bytes so the data
// starts aligned. Throws Error on duplicate or reserved names, invalid UTF-8, a dtype
// safetensors cannot hold, or nbytes disagreeing with the shape.
std::vector<uint8_t> serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                           const std::map<std::string, std::string>& metadata = {});

// Writes the same bytes to `path`, streaming tensor data rather than copying it, via a
// temporary file renamed into place so readers never see half a file. Throws Error
// naming the path on any failure.
void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace qwenrt
