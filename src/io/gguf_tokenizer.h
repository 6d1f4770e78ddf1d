// The tokenizer a GGUF file embeds (tokenizer.* metadata), as a plain struct. The
// tokenizer module builds its Tokenizer from this; nothing here interprets the tokens.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/gguf.h"

namespace qwenrt {

// llama.cpp's token types (gguf-py TokenType), as stored in tokenizer.ggml.token_type.
enum class GgufTokenType : int32_t { NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6 };

struct GgufTokenizer {
  std::string model;                 // tokenizer.ggml.model: "gpt2" is byte-level BPE (Qwen)
  std::string pre;                   // tokenizer.ggml.pre: the pre-tokenizer, "qwen2"; empty if absent
  std::vector<std::string> tokens;   // tokenizer.ggml.tokens; the id is the index
  std::vector<int32_t> token_types;  // tokenizer.ggml.token_type (GgufTokenType values); empty if absent
  std::vector<float> scores;         // tokenizer.ggml.scores; empty if absent
  std::vector<std::string> merges;   // tokenizer.ggml.merges: "left right", highest priority first
  std::optional<int64_t> bos_token_id;
  std::optional<int64_t> eos_token_id;
  std::optional<int64_t> eot_token_id;
  std::optional<int64_t> pad_token_id;      // tokenizer.ggml.padding_token_id
  std::optional<int64_t> unknown_token_id;  // tokenizer.ggml.unknown_token_id
  std::optional<bool> add_bos_token;
  std::optional<bool> add_eos_token;
  std::optional<std::string> chat_template;  // tokenizer.chat_template
};

// Reads the embedded tokenizer. Throws Error naming the source, key and byte offset when
// tokenizer.ggml.model or tokenizer.ggml.tokens is missing, a key has the wrong type,
// token_type or scores do not have one entry per token, or a special token id is not a
// token of the vocabulary.
GgufTokenizer read_gguf_tokenizer(const GgufContents& g);

}  // namespace qwenrt
