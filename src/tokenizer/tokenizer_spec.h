// The parts a byte-level BPE tokenizer is built from, independent of the file
// they came from: tokenizer.json (tokenizer_json.h) or a GGUF file's metadata.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qwenrt {

// Largest token id accepted: far above any real vocabulary, low enough that a
// hostile file cannot make us allocate gigabytes.
inline constexpr int32_t kMaxTokenId = (int32_t{1} << 24) - 1;

// A token matched in the text before the model sees it (Hugging Face's
// AddedToken), e.g. <|im_start|> or <think>.
struct AddedToken {
  int32_t id = -1;
  std::string content;       // the text it matches (plain UTF-8, not byte-level)
  bool special = false;      // skipped by decode(skip_special); plain text when !parse_special
  bool lstrip = false;       // also takes the whitespace on its left
  bool rstrip = false;       // also takes the whitespace on its right
  bool single_word = false;  // only matches when not inside a word
  bool normalized = true;    // matched in the normalized text (else in the raw text)
};

// One Split pre-tokenizer step (behaviour "Isolated": matches and gaps both
// kept).
struct SplitPattern {
  std::string regex;   // Oniguruma syntax, as written in tokenizer.json
  std::string origin;  // where it came from, for error messages
};

// The Qwen2 / Qwen2.5 / Qwen3 pre-tokenizer regex (what their tokenizer.json
// holds), for loaders whose files only name the pre-tokenizer (GGUF "qwen2").
inline constexpr std::string_view kQwen2SplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// GPT-2's regex, which the ByteLevel pre-tokenizer applies when use_regex is
// true.
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct TokenizerSpec {
  // Where the parts came from ("path/tokenizer.json"), and the names of the
  // parts in it; errors read "<source>: <origin>/<index>: what is wrong".
  std::string source = "<memory>";
  std::string vocab_origin = "/model/vocab";
  std::string merges_origin = "/model/merges";
  std::string added_tokens_origin = "/added_tokens";

  // Model vocabulary: byte-level spelling ("Ġthe") and id.
  std::vector<std::pair<std::string, int32_t>> vocab;
  // Merges in rank order (first = applied first), as pairs of byte-level
  // spellings.
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<AddedToken> added_tokens;
  // Split steps, applied in order; then every piece is a BPE word.
  std::vector<SplitPattern> pre_tokenizer;
  bool nfc = false;            // NFC normalizer
  bool ignore_merges = false;  // a word that is itself a token is not merged
};

// What tokenizer_config.json adds: special token names and the chat template.
struct TokenizerConfig {
  std::optional<std::string> bos_token;
  std::optional<std::string> eos_token;
  std::optional<std::string> pad_token;
  std::optional<std::string> unk_token;
  bool add_bos_token = false;
  bool add_eos_token = false;
  std::string chat_template;  // the default template; empty when there is none
  std::map<std::string, std::string> named_chat_templates;  // e.g. "tool_use"
};

}  // namespace qwenrt
