#include "tokenizer/nfc.h"

#include <utf8proc.h>

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

// Code points at or above this are always given to the full normalizer (they
// are rare; the quick check's table stays small).
constexpr char32_t kQuickCheckLimit = 0x30000;

// "Inert" code points: combining class 0, already their own NFC, never the
// second part of a composition (and known alike to utf8proc and the reference).
// Text can be cut right before an inert code point and each part normalized on
// its own: nothing reorders across it and nothing before it composes with it.
// So runs of inert text are copied as they are, and utf8proc only sees the
// stretches around other code points - most text is already NFC.
class InertTable {
 public:
  InertTable() : bits_(kQuickCheckLimit / 64, ~uint64_t{0}) {
    std::vector<bool> second(kQuickCheckLimit, false);
    for (char32_t cp = 0x80; cp < kQuickCheckLimit; ++cp) {
      if (!inert_alone(cp, second)) clear(cp);
    }
    for (char32_t cp = 0x80; cp < kQuickCheckLimit; ++cp) {
      if (second[cp]) clear(cp);
    }
  }

  bool inert(char32_t cp) const {
    return cp < kQuickCheckLimit && ((bits_[cp >> 6] >> (cp & 63)) & 1);
  }

 private:
  // Combining class 0 and its own NFC; marks in `second` the code points that
  // follow the first one in its decomposition (they may compose with what
  // precedes them).
  static bool inert_alone(char32_t cp, std::vector<bool>& second) {
    const auto c = static_cast<utf8proc_int32_t>(cp);
    if (in_ranges(reference_nfc_opaque(), cp)) return false;  // the slow path handles these
    utf8proc_int32_t buf[16];
    int boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(c, buf, 16, UTF8PROC_DECOMPOSE, &boundclass);
    if (n <= 0 || n > 16) return false;
    for (utf8proc_ssize_t k = 1; k < n; ++k) {
      if (buf[k] >= 0 && static_cast<char32_t>(buf[k]) < kQuickCheckLimit) second[buf[k]] = true;
    }
    if (utf8proc_get_property(c)->combining_class != 0) return false;
    if (n == 1) return buf[0] == c;  // else a singleton: U+2126 OHM SIGN -> U+03A9
    // Precomposed letters (é) compose back to themselves; excluded compositions
    // (U+0958) do not.
    const utf8proc_ssize_t m = utf8proc_normalize_utf32(
        buf, n, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
    return m == 1 && buf[0] == c;
  }

  void clear(char32_t cp) { bits_[cp >> 6] &= ~(uint64_t{1} << (cp & 63)); }
  std::vector<uint64_t> bits_;
};

const InertTable& inert_table() {
  static const InertTable table;  // built once, read-only afterwards
  return table;
}

// utf8proc_map's options for NFC, used for each step below.
constexpr auto kNfcOptions = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);

uint8_t combining_class(utf8proc_int32_t cp) {
  return static_cast<uint8_t>(utf8proc_get_property(cp)->combining_class);
}

// Composes the decomposed code points in `buf` and appends them as UTF-8.
// Canonical ordering is done here with a stable sort of every run of
// non-starters: utf8proc_map's own ordering is a gnome sort, quadratic on a
// long run of marks (a hostile input took minutes); the result is the same.
void compose_into(std::vector<utf8proc_int32_t>& buf, std::string& out) {
  if (buf.empty()) return;
  for (size_t i = 0; i < buf.size();) {
    if (combining_class(buf[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < buf.size() && combining_class(buf[j]) != 0) ++j;
    if (j - i > 1) {
      std::stable_sort(buf.begin() + i, buf.begin() + j,
                       [](utf8proc_int32_t a, utf8proc_int32_t b) {
                         return combining_class(a) < combining_class(b);
                       });
    }
    i = j;
  }
  const utf8proc_ssize_t n =
      utf8proc_normalize_utf32(buf.data(), static_cast<utf8proc_ssize_t>(buf.size()), kNfcOptions);
  if (n < 0) throw Error(std::string("NFC normalization failed: ") + utf8proc_errmsg(n));
  for (utf8proc_ssize_t k = 0; k < n; ++k) append_utf8(static_cast<char32_t>(buf[k]), out);
  buf.clear();
}

}  // namespace

// The reference's NFC of a stretch: code points it does not know pass through
// and split the stretch; the runs between them are decomposed, ordered and
// composed with utf8proc's data.
void append_nfc_slow(std::string_view text, std::string& out) {
  const auto opaque = reference_nfc_opaque();
  std::vector<utf8proc_int32_t> buf;
  buf.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t at = pos;
    const char32_t cp = next_code_point(text, pos);
    if (in_ranges(opaque, cp)) {
      compose_into(buf, out);
      out.append(text.substr(at, pos - at));
      continue;
    }
    utf8proc_int32_t decomposed[16];
    int boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp),
                                                       decomposed, 16, kNfcOptions, &boundclass);
    if (n < 0 || n > 16) throw Error("NFC normalization failed at byte " + std::to_string(at));
    buf.insert(buf.end(), decomposed, decomposed + n);
  }
  compose_into(buf, out);
}

void append_nfc(std::string_view text, std::string& out) {
  const InertTable& table = inert_table();
  size_t copied = 0;  // text[0, copied) is in `out`
  size_t cut = 0;     // the last place the text may be cut (before an inert code point)
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<uint8_t>(text[pos]) < 0x80) {  // ASCII is inert
      cut = pos++;
      continue;
    }
    const size_t at = pos;
    if (table.inert(next_code_point(text, pos))) {
      cut = at;
      continue;
    }
    // Normalize from the last cut to the next inert code point.
    size_t end = pos;
    while (end < text.size()) {
      size_t next = end;
      if (table.inert(next_code_point(text, next))) break;
      end = next;
    }
    out.append(text.substr(copied, cut - copied));
    append_nfc_slow(text.substr(cut, end - cut), out);
    copied = cut = pos = end;
  }
  out.append(text.substr(copied));
}

}  // namespace qwenrt
