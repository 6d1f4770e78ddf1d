// Arbitrary JSON Schemas through the grammar compiler, then arbitrary bytes through
// the matcher. Input: schema text, a NUL byte, then the bytes to match. Compilation
// must succeed or throw qwenrt::Error (anything else escapes and crashes); matching
// must agree with the masks: a byte is accepted exactly when the cached mask, and the
// uncached walk, allow it, and an accepted prefix can always be completed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "sampling/grammar/grammar_matcher.h"
#include "sampling/grammar/json_schema.h"

namespace {

using namespace qwenrt::grammar;

std::shared_ptr<const VocabularyIndex> byte_vocab() {
  static const auto vocab = [] {
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    return VocabularyIndex::from_tokens(std::move(tokens));
  }();
  return vocab;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view schema = input.substr(0, split);
  const std::string_view text = split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  JsonSchemaOptions options;
  options.max_repeat = 64;  // keep each input fast; the limits themselves are what is tested
  options.max_subschemas = 2000;
  std::shared_ptr<const CompiledGrammar> grammar;
  try {
    grammar = compile_json_schema(schema, byte_vocab(), options);
  } catch (const qwenrt::Error&) {
    return 0;
  }
  GrammarMatcher m(grammar);
  TokenBitmask cached, walked;
  for (size_t i = 0; i < text.size() && i < 256; ++i) {
    m.fill_mask(cached);
    m.fill_mask_uncached(walked);
    if (cached.ids() != walked.ids()) __builtin_trap();
    if (m.min_bytes_to_end() >= Pda::kInfinite) __builtin_trap();
    const auto byte = static_cast<uint8_t>(text[i]);
    if (m.accept_token(byte) != cached.test(byte)) __builtin_trap();
  }
  return 0;
}
