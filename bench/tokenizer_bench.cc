// Tokenizer throughput on one core: encode (and decode) of ~1 MB of mixed
// multilingual text and code, reported as bytes/s.
//
//   build-*/bench/tokenizer_bench --benchmark_filter=Tokenizer
//
// The text is the golden corpus (tests/goldens/tokenizer/qwen3_encode.jsonl:
// English, CJK, Arabic, Hindi, Thai, Cyrillic, code in ten languages, emoji,
// whitespace runs) repeated to 1 MB, so the BPE word cache is warm as in a
// server; the "RandomWords" case draws fresh words so that most miss the cache.
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

constexpr size_t kCorpusBytes = 1 << 20;

const Tokenizer& qwen3() {
  static const Tokenizer tokenizer =
      Tokenizer::from_directory(QWENRT_SOURCE_DIR "/../shared/data/qwen3-tokenizer");
  return tokenizer;
}

std::string base64_decode(std::string_view in) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (v < 0) continue;
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// The golden texts (valid UTF-8 ones), joined by newlines, repeated to 1 MB.
const std::string& mixed_corpus() {
  static const std::string corpus = [] {
    std::ifstream in(QWENRT_SOURCE_DIR "/tests/goldens/tokenizer/qwen3_encode.jsonl");
    std::string line, texts;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const auto c = nlohmann::json::parse(line);
      const std::string text = base64_decode(c.at("text").get<std::string>());
      if (is_valid_utf8(text)) texts += text + "\n";
    }
    if (texts.empty()) throw std::runtime_error("no golden texts for the corpus");
    std::string out;
    while (out.size() < kCorpusBytes) out += texts;
    out.resize(kCorpusBytes);
    return utf8_lossy(out);  // the cut may split a character
  }();
  return corpus;
}

// 1 MB of words drawn at random from several scripts: mostly words never seen.
const std::string& random_words_corpus() {
  static const std::string corpus = [] {
    const std::vector<std::vector<char32_t>> scripts = {
        {U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h', U'i', U'k', U'l',
         U'm', U'n', U'o', U'p', U'r', U's', U't', U'u', U'w', U'y'},
        {U'的', U'一', U'是', U'不', U'了', U'人', U'我', U'在', U'有', U'他', U'这', U'中'},
        {U'а', U'б', U'в', U'г', U'д', U'е', U'ж', U'и', U'к', U'л', U'м', U'н', U'о', U'п'},
        {U'ا', U'ب', U'ت', U'ث', U'ج', U'ح', U'د', U'ر', U'س', U'ع', U'ل', U'م', U'ن'},
        {U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7', U'8', U'9'},
    };
    std::mt19937 rng(1234);
    std::string out;
    while (out.size() < kCorpusBytes) {
      const auto& script = scripts[rng() % scripts.size()];
      const int length = 2 + int(rng() % 9);
      for (int i = 0; i < length; ++i) append_utf8(script[rng() % script.size()], out);
      out += rng() % 8 == 0 ? "\n" : rng() % 6 == 0 ? ", " : " ";
    }
    return out;
  }();
  return corpus;
}

void encode_bench(benchmark::State& state, const std::string& text) {
  const Tokenizer& tok = qwen3();
  size_t tokens = 0;
  for (auto _ : state) {
    std::vector<int32_t> ids = tok.encode(text);
    tokens = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["tokens"] = double(tokens);
  state.counters["bytes_per_token"] = double(text.size()) / double(tokens);
}

void BM_TokenizerEncodeMixedText(benchmark::State& state) { encode_bench(state, mixed_corpus()); }
BENCHMARK(BM_TokenizerEncodeMixedText)->Unit(benchmark::kMillisecond);

void BM_TokenizerEncodeRandomWords(benchmark::State& state) {
  encode_bench(state, random_words_corpus());
}
BENCHMARK(BM_TokenizerEncodeRandomWords)->Unit(benchmark::kMillisecond);

void BM_TokenizerDecodeMixedText(benchmark::State& state) {
  const Tokenizer& tok = qwen3();
  const std::vector<int32_t> ids = tok.encode(mixed_corpus());
  for (auto _ : state) {
    std::string text = tok.decode(ids);
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(mixed_corpus().size()));
}
BENCHMARK(BM_TokenizerDecodeMixedText)->Unit(benchmark::kMillisecond);

void BM_TokenizerStreamDecodeMixedText(benchmark::State& state) {
  const Tokenizer& tok = qwen3();
  const std::vector<int32_t> ids = tok.encode(mixed_corpus());
  for (auto _ : state) {
    StreamDecoder stream(tok);
    size_t bytes = 0;
    for (int32_t id : ids) bytes += stream.push(id).size();
    bytes += stream.flush().size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(mixed_corpus().size()));
}
BENCHMARK(BM_TokenizerStreamDecodeMixedText)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace qwenrt

BENCHMARK_MAIN();
