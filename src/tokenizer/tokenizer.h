// The byte-level BPE tokenizer of Qwen2 / Qwen2.5 / Qwen3, giving exactly the
// ids Hugging Face `tokenizers` gives for the same tokenizer.json.
//
// encode(): invalid UTF-8 -> U+FFFD (as Python's decode("utf-8", "replace")),
// added tokens matched in the raw text, NFC, added tokens matched in the
// normalized text, Split regex (PCRE2), bytes -> BPE merges. No special tokens
// are added around the text (Qwen adds none).
//
// decode(): the bytes of every token, joined, then decoded as UTF-8 with U+FFFD
// for ill-formed sequences - what the reference's ByteLevel decoder returns.
//
// All const methods may be called from several threads at once.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer_spec.h"

namespace qwenrt {

class Tokenizer {
 public:
  // Builds from parts (e.g. from a GGUF file). Bad parts throw Error naming
  // spec.source and the part (merge, added token, regex).
  explicit Tokenizer(TokenizerSpec spec, TokenizerConfig config = {});
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  // A checkpoint directory: tokenizer.json, and tokenizer_config.json and
  // chat_template.jinja when present.
  static Tokenizer from_directory(const std::string& directory);
  // A tokenizer.json file, with an optional tokenizer_config.json ("" for
  // none).
  static Tokenizer from_files(const std::string& tokenizer_json,
                              const std::string& tokenizer_config_json = "");

  // Token ids of `text` (any bytes). With `parse_special` false, special added
  // tokens written in the text are encoded as plain text (non-special added
  // tokens such as <think> still match), like the reference's
  // encode_special_tokens = True.
  std::vector<int32_t> encode(std::string_view text, bool parse_special = true) const;

  // Text of `ids`; special tokens left out when `skip_special`. An id naming no
  // token throws Error.
  std::string decode(std::span<const int32_t> ids, bool skip_special = false) const;

  // The raw bytes token `id` stands for (possibly part of a UTF-8 character).
  // Throws Error when `id` names no token.
  std::string_view token_bytes(int32_t id) const;

  // One past the largest token id (ids below it may still be unused).
  int32_t vocab_size() const;
  // True when `id` names a token.
  bool has_token(int32_t id) const;
  // The id of a token given in its tokenizer.json spelling: byte-level for the
  // model vocabulary ("Ġthe"), plain content for added tokens ("<|im_end|>").
  std::optional<int32_t> token_to_id(std::string_view token) const;
  // True for added tokens marked special (<|im_start|>, <|endoftext|>, ...).
  bool is_special(int32_t id) const;
  // True for every added token, special or not (<|im_end|>, <tool_call>, <think>, ...).
  bool is_added(int32_t id) const;

  const TokenizerConfig& config() const;
  // Ids of the config's special tokens, when set and known.
  std::optional<int32_t> bos_id() const;
  std::optional<int32_t> eos_id() const;
  std::optional<int32_t> pad_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Incremental decoding for streaming: push() returns only complete UTF-8 text,
// holding back the bytes of a character whose token has not all arrived yet.
// Bytes that can never form a character come out as U+FFFD as soon as that is
// certain. The concatenation of all push() results and flush() equals
// Tokenizer::decode() of all ids.
class StreamDecoder {
 public:
  // `tokenizer` must outlive the decoder.
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false);

  // Text completed by token `id`; throws Error when `id` names no token.
  std::string push(int32_t id);
  // The rest: held bytes of an unfinished character become U+FFFD.
  std::string flush();
  // Bytes held back, waiting for the rest of a character.
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  bool skip_special_;
  std::string pending_;
};

}  // namespace qwenrt
