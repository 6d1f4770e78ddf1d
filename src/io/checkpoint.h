// The weights of a Hugging Face model directory: model.safetensors, or the shards that
// model.safetensors.index.json names, each mapped once; tensors looked up by HF name.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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
  const std::string& dir() const { return dir_; }
  size_t num_files() const { return files_.size(); }

 private:
  struct Entry {
    TensorView view;
    size_t file = 0;  // index into files_
  };
  const Entry& entry(std::string_view name) const;

  std::string dir_;
  std::vector<SafetensorsFile> files_;
  std::map<std::string, Entry, std::less<>> tensors_;
};

}  // namespace qwenrt
