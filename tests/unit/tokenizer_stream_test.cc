// StreamDecoder and the UTF-8 / byte-level helpers under it. Expected texts are
// built from the inputs by the UTF-8 rules themselves (Unicode Table 3-7); the
// reference's behaviour on the same inputs is pinned by tokenizer_golden_test
// (qwen3_decode.jsonl holds decode() of lone bytes and broken sequences).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

const std::string kTokenizerDir = QWENRT_SOURCE_DIR "/../shared/data/qwen3-tokenizer";

// A tokenizer whose vocabulary is exactly the 256 single bytes (id = byte), so
// a test can stream any byte sequence, plus one special token.
Tokenizer byte_tokenizer() {
  TokenizerSpec spec;
  spec.source = "byte tokenizer";
  for (int b = 0; b < 256; ++b) {
    spec.vocab.emplace_back(byte_level_encode(std::string(1, static_cast<char>(b))), b);
  }
  AddedToken special;
  special.id = 256;
  special.content = "<|end|>";
  special.special = true;
  special.normalized = false;
  spec.added_tokens.push_back(special);
  return Tokenizer(std::move(spec));
}

std::vector<int32_t> byte_ids(std::string_view bytes) {
  std::vector<int32_t> ids;
  for (char c : bytes) ids.push_back(static_cast<uint8_t>(c));
  return ids;
}

// Pushes `ids` one by one; returns the pieces (flush last).
std::vector<std::string> stream_pieces(const Tokenizer& tok, const std::vector<int32_t>& ids,
                                       bool skip_special = false) {
  StreamDecoder stream(tok, skip_special);
  std::vector<std::string> pieces;
  for (int32_t id : ids) pieces.push_back(stream.push(id));
  pieces.push_back(stream.flush());
  return pieces;
}

TEST(TokenizerUtf8, ByteLevelAlphabetRoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string spelled = byte_level_encode(all);
  EXPECT_TRUE(is_valid_utf8(spelled));
  EXPECT_EQ(byte_level_decode(spelled), all);
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(byte_level_byte(byte_level_char(static_cast<uint8_t>(b))), b);
  }
  EXPECT_FALSE(byte_level_decode("a b").has_value());  // ' ' is not in the alphabet
  EXPECT_FALSE(byte_level_decode("\xff").has_value());
}

TEST(TokenizerUtf8, ValidityFollowsTable3_7) {
  std::string all;
  for (char32_t cp :
       {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    append_utf8(cp, all);
  }
  EXPECT_TRUE(is_valid_utf8(all));
  for (const char* bad :
       {"\x80", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF0\x80\x80\x80",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xE4\xBD"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << ::testing::PrintToString(std::string(bad));
  }
}

TEST(TokenizerStream, HoldsAPartialCharacterUntilItCompletes) {
  const Tokenizer tok = byte_tokenizer();
  const std::string ni = "\xE4\xBD\xA0";  // U+4F60, three bytes
  const auto pieces = stream_pieces(tok, byte_ids("a" + ni + "b"));
  EXPECT_EQ(pieces, (std::vector<std::string>{"a", "", "", ni, "b", ""}));
}

TEST(TokenizerStream, FourByteCharacterAcrossFourTokens) {
  const Tokenizer tok = byte_tokenizer();
  const std::string smile = "\xF0\x9F\x98\x80";  // U+1F600
  const auto pieces = stream_pieces(tok, byte_ids(smile + smile));
  EXPECT_EQ(pieces, (std::vector<std::string>{"", "", "", smile, "", "", "", smile, ""}));
}

TEST(TokenizerStream, InvalidBytesBecomeReplacementAsSoonAsCertain) {
  const Tokenizer tok = byte_tokenizer();
  const std::string fffd(kReplacementCharacter);
  // 0xFF can never start a character: out at once.
  EXPECT_EQ(stream_pieces(tok, byte_ids("\xFF"
                                        "a")),
            (std::vector<std::string>{fffd, "a", ""}));
  // E4 BD then 'a': the sequence breaks at 'a'; one U+FFFD for the maximal
  // subpart.
  EXPECT_EQ(stream_pieces(tok, byte_ids("\xE4\xBD"
                                        "a")),
            (std::vector<std::string>{"", "", fffd + "a", ""}));
  // A surrogate lead (ED A0): ED is a maximal subpart of its own, then A0, 80.
  EXPECT_EQ(stream_pieces(tok, byte_ids("\xED\xA0\x80")),
            (std::vector<std::string>{"", fffd + fffd, fffd, ""}));
}

TEST(TokenizerStream, FlushEmitsUnfinishedCharacterAsReplacement) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder stream(tok);
  EXPECT_EQ(stream.push(0xF0), "");
  EXPECT_EQ(stream.push(0x9F), "");
  EXPECT_EQ(stream.pending_bytes(), 2u);
  EXPECT_EQ(stream.flush(), std::string(kReplacementCharacter));
  EXPECT_EQ(stream.pending_bytes(), 0u);
  EXPECT_EQ(stream.flush(), "");
}

TEST(TokenizerStream, SkipSpecialJoinsBytesAroundTheSpecialToken) {
  const Tokenizer tok = byte_tokenizer();
  const std::vector<int32_t> ids = {0xE4, 256, 0xBD, 0xA0};
  // Skipped, the special token is not there at all, as in decode(skip_special).
  std::string joined;
  for (const auto& p : stream_pieces(tok, ids, true)) joined += p;
  EXPECT_EQ(joined, tok.decode(ids, true));
  EXPECT_EQ(joined, "\xE4\xBD\xA0");
  // Kept, it breaks the character.
  joined.clear();
  for (const auto& p : stream_pieces(tok, ids, false)) joined += p;
  EXPECT_EQ(joined, tok.decode(ids, false));
}

// Every byte sequence of length <= 3 over bytes that matter to UTF-8: pushing
// byte by byte must give decode()'s text, with valid UTF-8 at every step.
TEST(TokenizerStream, ExhaustiveShortSequencesMatchDecode) {
  const Tokenizer tok = byte_tokenizer();
  const std::vector<uint8_t> alphabet = {0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2,
                                         0xDF, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  std::vector<int32_t> ids(3);
  for (uint8_t a : alphabet) {
    for (uint8_t b : alphabet) {
      for (uint8_t c : alphabet) {
        ids = {a, b, c};
        std::string joined;
        for (const auto& piece : stream_pieces(tok, ids)) {
          ASSERT_TRUE(is_valid_utf8(piece));
          joined += piece;
        }
        ASSERT_EQ(joined, tok.decode(ids)) << int(a) << " " << int(b) << " " << int(c);
      }
    }
  }
}

TEST(TokenizerStream, UnknownIdThrows) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder stream(tok);
  EXPECT_THROW(stream.push(-1), Error);
  EXPECT_THROW(stream.push(257), Error);
  EXPECT_THROW(tok.decode(std::vector<int32_t>{1, 100000}), Error);
  EXPECT_THROW(tok.token_bytes(257), Error);
  EXPECT_FALSE(tok.has_token(257));
  EXPECT_TRUE(tok.has_token(256));
}

TEST(TokenizerStream, Qwen3TokenBytesAreRawBytes) {
  const Tokenizer tok = Tokenizer::from_directory(kTokenizerDir);
  // Every token's bytes, re-spelled in the byte-level alphabet, give back its
  // tokenizer.json spelling (checked over the whole model vocabulary).
  int checked = 0;
  for (int32_t id = 0; id < tok.vocab_size(); ++id) {
    if (!tok.has_token(id) || tok.is_special(id)) continue;
    const std::string spelling = byte_level_encode(tok.token_bytes(id));
    const auto back = tok.token_to_id(spelling);
    if (back.has_value()) {
      ASSERT_EQ(*back, id) << spelling;
      ++checked;
    }
  }
  EXPECT_GE(checked, 151643);
}

}  // namespace
}  // namespace qwenrt
