// The NFC quick check (copying text NFC cannot change) against its slow twin
// (utf8proc over everything), for every code point in the contexts where
// normalization acts: alone, after a base letter, between combining marks of
// other classes, doubled. The slow twin itself is checked against the reference
// for every code point by tools/goldens/make_tokenizer_goldens.py, and through
// tests/goldens/tokenizer/qwen3_unicode.jsonl by tokenizer_golden_test.
#include <gtest/gtest.h>

#include <string>

#include "tokenizer/nfc.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

std::string fast(std::string_view s) {
  std::string out;
  append_nfc(s, out);
  return out;
}

std::string slow(std::string_view s) {
  std::string out;
  append_nfc_slow(s, out);
  return out;
}

TEST(TokenizerNfc, QuickCheckAgreesWithSlowTwinOnEveryCodePoint) {
  int mismatches = 0;
  for (char32_t cp = 1; cp < 0x110000; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    if (cp >= 0x40000 && cp < 0xE0000) cp = 0xE0000;  // unassigned planes
    std::string x;
    append_utf8(cp, x);
    for (const std::string& text : {x, "a" + x, x + "\xCC\x81", "\xCD\x85" + x + "\xCC\xB4", x + x,
                                    "e" + x + "\xCC\x81x", "\xE1\x84\x80" + x}) {
      if (fast(text) != slow(text) && ++mismatches <= 10) {
        ADD_FAILURE() << "U+" << std::hex << uint32_t(cp) << " in "
                      << ::testing::PrintToString(text);
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(TokenizerNfc, LongTextWithScatteredMarks) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += i % 7 == 0 ? "e\xCC\x81" : i % 5 == 0 ? "\xE4\xB8\xAD" : "ab ";
    if (i % 11 == 0) text += "\xE2\x84\xAB";  // U+212B ANGSTROM SIGN -> U+00C5
  }
  EXPECT_EQ(fast(text), slow(text));
  EXPECT_NE(fast(text), text);
}

}  // namespace
}  // namespace qwenrt
