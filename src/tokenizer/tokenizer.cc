#include "tokenizer/tokenizer.h"

#include <unordered_map>
#include <utility>

#include "base/error.h"
#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/nfc.h"
#include "tokenizer/regex_splitter.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

enum class TokenKind : uint8_t { kNone, kModel, kAdded, kSpecial };

// The bytes a token spelling stands for, as the reference's ByteLevel decoder
// reads it: byte-level characters map back to their bytes; a spelling with any
// other character (e.g. an added token with a space) stands for its own UTF-8.
std::string spelling_bytes(const std::string& spelling) {
  if (auto bytes = byte_level_decode(spelling)) return std::move(*bytes);
  return spelling;
}

// Scratch for one encode() call.
struct EncodeState {
  std::vector<Segment> raw_segments;
  std::vector<Segment> normalized_segments;
  std::string normalized;
  std::vector<std::string_view> pieces;
  std::vector<std::string_view> next_pieces;
  RegexScratch regex;
  BpeScratch bpe;
};

}  // namespace

struct Tokenizer::Impl {
  TokenizerConfig config;
  std::vector<std::string> bytes;                      // by id
  std::vector<TokenKind> kinds;                        // by id
  std::unordered_map<std::string, int32_t> model_ids;  // byte-level spelling -> id
  std::unordered_map<std::string, int32_t> added_ids;  // content -> id
  std::unique_ptr<BpeModel> bpe;
  AddedTokenMatcher raw_matcher;         // added tokens matched before normalization
  AddedTokenMatcher normalized_matcher;  // added tokens matched after it
  std::vector<RegexSplitter> splitters;
  bool nfc = false;

  void set_token(int32_t id, std::string token_bytes, TokenKind kind) {
    if (static_cast<size_t>(id) >= bytes.size()) {
      bytes.resize(id + 1);
      kinds.resize(id + 1, TokenKind::kNone);
    }
    bytes[id] = std::move(token_bytes);
    kinds[id] = kind;
  }

  void encode_words(std::string_view text, EncodeState& st, std::vector<int32_t>& ids) const;
  void encode_text(std::string_view text, bool parse_special, EncodeState& st,
                   std::vector<int32_t>& ids) const;
};

Tokenizer::Tokenizer(TokenizerSpec spec, TokenizerConfig config) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.config = std::move(config);
  m.nfc = spec.nfc;
  const std::string& src = spec.source;

  m.model_ids.reserve(spec.vocab.size());
  for (const auto& [spelling, id] : spec.vocab) {
    const std::string at = src + ": " + spec.vocab_origin + "/" + spelling;
    if (id < 0 || id > kMaxTokenId)
      throw Error(at + ": token id " + std::to_string(id) + " out of range");
    if (!m.model_ids.emplace(spelling, id).second) throw Error(at + ": token listed twice");
    if (static_cast<size_t>(id) < m.kinds.size() && m.kinds[id] != TokenKind::kNone) {
      throw Error(at + ": id " + std::to_string(id) + " already belongs to another token");
    }
    m.set_token(id, spelling_bytes(spelling), TokenKind::kModel);
  }

  for (size_t i = 0; i < spec.added_tokens.size(); ++i) {
    const AddedToken& token = spec.added_tokens[i];
    const std::string at = src + ": " + spec.added_tokens_origin + "/" + std::to_string(i);
    if (token.id < 0 || token.id > kMaxTokenId) {
      throw Error(at + ": token id " + std::to_string(token.id) + " out of range");
    }
    if (token.content.empty()) continue;  // the reference ignores these
    if (!is_valid_utf8(token.content)) throw Error(at + ": content is not valid UTF-8");
    // An added token takes over its id even if the model has a token there too,
    // as the reference's id_to_token looks at added tokens first.
    m.added_ids[token.content] = token.id;
    m.set_token(token.id, spelling_bytes(token.content),
                token.special ? TokenKind::kSpecial : TokenKind::kAdded);
    if (!token.normalized) {
      m.raw_matcher.add(token.content, token);
    } else if (m.nfc) {
      std::string pattern;
      append_nfc(token.content, pattern);
      m.normalized_matcher.add(pattern, token);
    } else {
      m.normalized_matcher.add(token.content, token);
    }
  }

  m.bpe = std::make_unique<BpeModel>(m.model_ids, spec.merges, spec.ignore_merges,
                                     src + ": " + spec.merges_origin);
  for (const SplitPattern& pattern : spec.pre_tokenizer) {
    m.splitters.emplace_back(pattern.regex, src + ": " + pattern.origin);
  }
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

void Tokenizer::Impl::encode_words(std::string_view text, EncodeState& st,
                                   std::vector<int32_t>& ids) const {
  st.pieces.clear();
  if (splitters.empty()) {
    st.pieces.push_back(text);
  } else {
    splitters[0].split(text, st.regex, st.pieces);
    for (size_t k = 1; k < splitters.size(); ++k) {
      st.next_pieces.clear();
      for (std::string_view piece : st.pieces) splitters[k].split(piece, st.regex, st.next_pieces);
      std::swap(st.pieces, st.next_pieces);
    }
  }
  for (std::string_view word : st.pieces) bpe->encode_word(word, st.bpe, ids);
}

void Tokenizer::Impl::encode_text(std::string_view text, bool parse_special, EncodeState& st,
                                  std::vector<int32_t>& ids) const {
  std::string_view normalized = text;
  if (nfc) {
    st.normalized.clear();
    append_nfc(text, st.normalized);
    normalized = st.normalized;
  }
  if (normalized_matcher.empty()) {
    encode_words(normalized, st, ids);
    return;
  }
  st.normalized_segments.clear();
  normalized_matcher.split(normalized, parse_special, st.normalized_segments);
  for (const Segment& s : st.normalized_segments) {
    if (s.id >= 0) {
      ids.push_back(s.id);
    } else {
      encode_words(normalized.substr(s.begin, s.end - s.begin), st, ids);
    }
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool parse_special) const {
  const Impl& m = *impl_;
  std::string repaired;
  if (!is_valid_utf8(text)) {
    repaired = utf8_lossy(text);
    text = repaired;
  }
  EncodeState st;
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 1);
  if (m.raw_matcher.empty()) {
    m.encode_text(text, parse_special, st, ids);
    return ids;
  }
  m.raw_matcher.split(text, parse_special, st.raw_segments);
  for (const Segment& s : st.raw_segments) {
    if (s.id >= 0) {
      ids.push_back(s.id);
    } else {
      m.encode_text(text.substr(s.begin, s.end - s.begin), parse_special, st, ids);
    }
  }
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  std::string joined;
  for (int32_t id : ids) {
    const std::string_view b = token_bytes(id);
    if (skip_special && impl_->kinds[id] == TokenKind::kSpecial) continue;
    joined.append(b);
  }
  if (is_valid_utf8(joined)) return joined;
  return utf8_lossy(joined);
}

bool Tokenizer::has_token(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < impl_->kinds.size() &&
         impl_->kinds[id] != TokenKind::kNone;
}

std::string_view Tokenizer::token_bytes(int32_t id) const {
  if (!has_token(id)) {
    throw Error("token id " + std::to_string(id) + " names no token (vocabulary size " +
                std::to_string(vocab_size()) + ")");
  }
  return impl_->bytes[id];
}

int32_t Tokenizer::vocab_size() const { return static_cast<int32_t>(impl_->kinds.size()); }

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  const std::string key(token);
  if (auto it = impl_->added_ids.find(key); it != impl_->added_ids.end()) return it->second;
  if (auto it = impl_->model_ids.find(key); it != impl_->model_ids.end()) return it->second;
  return std::nullopt;
}

bool Tokenizer::is_special(int32_t id) const {
  return has_token(id) && impl_->kinds[id] == TokenKind::kSpecial;
}

bool Tokenizer::is_added(int32_t id) const {
  return has_token(id) && (impl_->kinds[id] == TokenKind::kSpecial || impl_->kinds[id] == TokenKind::kAdded);
}

const TokenizerConfig& Tokenizer::config() const { return impl_->config; }

std::optional<int32_t> Tokenizer::bos_id() const {
  return impl_->config.bos_token ? token_to_id(*impl_->config.bos_token) : std::nullopt;
}

std::optional<int32_t> Tokenizer::eos_id() const {
  return impl_->config.eos_token ? token_to_id(*impl_->config.eos_token) : std::nullopt;
}

std::optional<int32_t> Tokenizer::pad_id() const {
  return impl_->config.pad_token ? token_to_id(*impl_->config.pad_token) : std::nullopt;
}

}  // namespace qwenrt
