// The weights of a model: a Hugging Face directory (model.safetensors, or the shards that
// model.safetensors.index.json names) or a single GGUF file, each file mapped once;
// tensors looked up by Hugging Face name either way.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/gguf.h"
#include "io/safetensors.h"
#include "tensor/tensor.h"

namespace qwenrt {

class Checkpoint {
 public:
  // Opens `dir` as transformers does: model.safetensors if present, else
  // model.safetensors.index.json and every shard its weight_map names. Checks every
  // shard exists and holds each tensor the index assigns to it. Tensors a shard holds
  // but the index does not name are kept too (transformers loads whole shards), unless
  // two shards both hold one. Throws Error naming the directory, file and tensor.
  //
  // `dir` may instead be a GGUF file (recognised by its magic): its tensors are exposed
  // under their Hugging Face names (io/gguf_names.h; names without a mapping keep their
  // GGUF name unless that clashes with a mapped one), with the file's dtypes, quantized
  // ones included, and row-major shapes (GGUF [ne0, ne1] becomes [rows, cols] = [ne1, ne0]).
  // A tensor of a ggml type qwenrt cannot compute with throws Error naming it.
  static Checkpoint open(const std::string& dir);

  // The tensor called `name` (a Hugging Face weight name), or nullptr.
  const TensorView* find(std::string_view name) const;
  // The tensor called `name`; throws Error naming the tensor and the directory if absent.
  const TensorView& get(std::string_view name) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;
  // Path of the file holding tensor `name`, for error messages; throws Error if absent.
  const std::string& file_of(std::string_view name) const;
  // Offset of tensor `name`'s first data byte within file_of(name); throws Error if absent.
  uint64_t file_offset_of(std::string_view name) const;
  // The directory, or the GGUF file's path, as given to open().
  const std::string& dir() const { return dir_; }
  size_t num_files() const { return files_.size() + (gguf_ ? 1 : 0); }
  // The GGUF file (metadata, embedded tokenizer) when opened from one; else nullptr.
  const GgufFile* gguf() const { return gguf_.get(); }

 private:
  struct Entry {
    TensorView view;
    size_t file = 0;  // index into files_; unused for GGUF
    uint64_t gguf_offset = 0;  // file offset of the data, for GGUF
  };
  const Entry& entry(std::string_view name) const;
  static Checkpoint open_gguf(const std::string& path);

  std::string dir_;
  std::vector<SafetensorsFile> files_;
  std::unique_ptr<GgufFile> gguf_;  // heap-held so Checkpoint stays cheaply movable
  std::map<std::string, Entry, std::less<>> tensors_;
};

}  // namespace qwenrt
