// Arbitrary bytes as a safetensors file: the parser must never crash or read outside the
// input (ASan), only throw qwenrt::Error. Whatever it accepts must survive a round trip
// through the writer unchanged, so reader and writer agree on the format.
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qwenrt::SafetensorsContents parsed;
  try {
    parsed = qwenrt::parse_safetensors(data, size, "fuzz input");
  } catch (const qwenrt::Error&) {
    return 0;
  }
  std::vector<qwenrt::NamedTensor> tensors;
  for (const auto& [name, view] : parsed.tensors) {
    if (view.nbytes) {
      // Touch both ends so ASan sees any view reaching outside the input.
      volatile uint8_t first = static_cast<const uint8_t*>(view.data)[0];
      volatile uint8_t last = static_cast<const uint8_t*>(view.data)[view.nbytes - 1];
      (void)first;
      (void)last;
    }
    tensors.push_back({name, view});
  }
  const std::vector<uint8_t> rewritten = qwenrt::serialize_safetensors(tensors, parsed.metadata);
  const qwenrt::SafetensorsContents again =
      qwenrt::parse_safetensors(rewritten.data(), rewritten.size(), "rewritten fuzz input");
  if (again.metadata != parsed.metadata || again.tensors.size() != parsed.tensors.size()) __builtin_trap();
  for (const auto& [name, view] : parsed.tensors) {
    auto it = again.tensors.find(name);
    if (it == again.tensors.end() || it->second.dtype != view.dtype || it->second.shape != view.shape ||
        it->second.nbytes != view.nbytes ||
        (view.nbytes && std::memcmp(it->second.data, view.data, view.nbytes) != 0)) {
      __builtin_trap();
    }
  }
  return 0;
}
