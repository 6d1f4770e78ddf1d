// Reading safetensors files: an 8-byte little-endian header length, a JSON header,
// then the raw little-endian tensor data. Every length and offset in the header is
// checked before any view into the data is made, because checkpoints come from strangers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mapped_file.h"
#include "tensor/tensor.h"

namespace qwenrt {

// Headers larger than this are refused before parsing, as the reference implementation
// does (huggingface/safetensors MAX_HEADER_SIZE).
inline constexpr uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// The validated contents of one safetensors file held in memory. The views point into
// the bytes that were parsed; whoever owns those bytes must outlive this.
struct SafetensorsContents {
  std::map<std::string, TensorView, std::less<>> tensors;
  std::map<std::string, std::string> metadata;  // the optional "__metadata__" object
  uint64_t data_start = 0;                      // file offset of the data region: 8 + header length
};

// Parses and validates a whole safetensors file of `size` bytes at `bytes`. The rules
// are the reference's: known dtype, non-negative shape whose byte size fits in int64,
// data_offsets [begin, end] equal to that size, and the tensors tiling the data region
// exactly (no overlap, no gap, no trailing bytes). Throws Error naming `source` and the
// tensor, key or byte offset at fault. Never reads outside [bytes, bytes + size).
SafetensorsContents parse_safetensors(const uint8_t* bytes, size_t size, const std::string& source);

// A safetensors file mapped read-only into memory, with views of its tensors.
// Movable; views stay valid across moves because the mapping does not move.
class SafetensorsFile {
 public:
  // Maps and validates `path`; throws Error naming the path on any problem.
  static SafetensorsFile open(const std::string& path);

  // The tensor called `name`, or nullptr.
  const TensorView* find(std::string_view name) const;
  // The tensor called `name`; throws Error naming the tensor and the file if absent.
  const TensorView& get(std::string_view name) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;
  const std::map<std::string, TensorView, std::less<>>& tensors() const { return contents_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return contents_.metadata; }
  // Offset in the file of the first byte of `view`'s data (for error messages).
  uint64_t file_offset(const TensorView& view) const;
  const std::string& path() const { return file_.path(); }

 private:
  SafetensorsFile(MappedFile file, SafetensorsContents contents)
      : file_(std::move(file)), contents_(std::move(contents)) {}

  MappedFile file_;
  SafetensorsContents contents_;
};

}  // namespace qwenrt
