// Fuzzes Tokenizer::encode with the real Qwen3 tokenizer on arbitrary bytes.
// Checks: no exception or crash; every id names a token; decode() gives valid
// UTF-8; the text survives the round trip up to normalization
// (NFC(decode(encode(x))) == NFC(lossy UTF-8 of x)); streaming the ids one by
// one gives decode()'s text. Both with and without special-token parsing.
//
// The tokenizer directory: $QWENRT_TOKENIZER_DIR, else
// shared/data/qwen3-tokenizer found from the working directory (the repository
// root, as scripts/run-fuzzers.sh runs) or from the executable's directory.
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tokenizer/nfc.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

std::string find_tokenizer_dir() {
  if (const char* env = std::getenv("QWENRT_TOKENIZER_DIR")) return env;
  namespace fs = std::filesystem;
  std::vector<fs::path> roots = {fs::current_path()};
  char exe[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) roots.push_back(fs::path(std::string(exe, n)).parent_path().parent_path());
  for (const fs::path& root : roots) {
    const fs::path dir = root / ".." / "shared" / "data" / "qwen3-tokenizer";
    if (fs::exists(dir / "tokenizer.json")) return dir.string();
  }
  std::fprintf(stderr, "fuzz_tokenizer_encode: set QWENRT_TOKENIZER_DIR\n");
  std::abort();
}

const qwenrt::Tokenizer& tokenizer() {
  static const qwenrt::Tokenizer* tok =
      new qwenrt::Tokenizer(qwenrt::Tokenizer::from_directory(find_tokenizer_dir()));
  return *tok;
}

std::string nfc(std::string_view text) {
  std::string out;
  qwenrt::append_nfc(text, out);
  return out;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_tokenizer_encode: %s\n", what);
    std::abort();
  }
}

void round_trip(const qwenrt::Tokenizer& tok, std::string_view input, bool parse_special) {
  const std::vector<int32_t> ids = tok.encode(input, parse_special);
  for (int32_t id : ids) check(tok.has_token(id), "encode gave an id naming no token");
  const std::string text = tok.decode(ids);
  check(qwenrt::is_valid_utf8(text), "decode gave invalid UTF-8");
  // NFC of concatenated NFC pieces is NFC of the whole, wherever added tokens
  // cut.
  check(nfc(text) == nfc(qwenrt::utf8_lossy(input)), "round trip changed the text");

  qwenrt::StreamDecoder stream(tok);
  std::string streamed;
  for (int32_t id : ids) {
    const std::string piece = stream.push(id);
    check(qwenrt::is_valid_utf8(piece), "stream gave invalid UTF-8");
    streamed += piece;
  }
  streamed += stream.flush();
  check(streamed == text, "stream differs from decode");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const qwenrt::Tokenizer& tok = tokenizer();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip(tok, input, /*parse_special=*/true);
  round_trip(tok, input, /*parse_special=*/false);
  return 0;
}
