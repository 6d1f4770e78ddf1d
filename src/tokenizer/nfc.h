// The NFC normalizer, computing what the reference's NFC computes.
//
// utf8proc does the work. The reference's normalization data is older (Unicode
// 9), so code points it does not know yet act there as plain starters: no
// combining class, no decomposition, never composed. Because Unicode keeps
// normalization stable for assigned characters, cutting the text at those code
// points, leaving them untouched and normalizing each run between them with
// utf8proc gives the reference's answer exactly (checked against it for every
// code point by tools/goldens/make_tokenizer_goldens.py).
#pragma once
#include <string>
#include <string_view>

namespace qwenrt {

// Appends the NFC form of `text`, which must be valid UTF-8, to `out`. Runs of
// code points that NFC cannot change are copied without calling utf8proc.
void append_nfc(std::string_view text, std::string& out);

// The same without that quick check: utf8proc over the whole text (cut only at
// code points the reference does not know). The slow twin, for tests.
void append_nfc_slow(std::string_view text, std::string& out);

}  // namespace qwenrt
