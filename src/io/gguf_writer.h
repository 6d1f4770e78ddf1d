// Writing GGUF v3 files laid out exactly as gguf-py's GGUFWriter lays them out, so a file
// we write is byte-identical to the one llama.cpp's Python tooling would write from the
// same metadata and tensors, and llama.cpp (and our reader) read it back unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/gguf.h"
#include "io/safetensors_writer.h"  // NamedTensor

namespace qwenrt {

// The whole file as bytes. Layout: magic, version 3, tensor count, key/value count; the
// metadata in the order given; the tensor infos in the order given (dims = the TensorView
// shape reversed, so [rows, cols] becomes ne = [cols, rows]; data offsets packed back to
// back, each tensor's size rounded up to the alignment); zero padding to the alignment;
// then each tensor's bytes followed by zero padding to the alignment. The alignment is
// general.alignment when `metadata` has it (a u32 power of two), else 32. Throws Error on
// an empty or duplicate key, a malformed value, a duplicate tensor name, a dtype GGUF
// cannot hold (U8), more than 4 dimensions, a row that is not whole blocks, or nbytes
// disagreeing with the shape.
std::vector<uint8_t> serialize_gguf(const std::vector<GgufKeyValue>& metadata, const std::vector<NamedTensor>& tensors);

// Writes the same bytes to `path`, streaming tensor data rather than copying it, via a
// temporary file renamed into place. Throws Error naming the path on any failure.
void write_gguf(const std::string& path, const std::vector<GgufKeyValue>& metadata,
                const std::vector<NamedTensor>& tensors);

}  // namespace qwenrt
