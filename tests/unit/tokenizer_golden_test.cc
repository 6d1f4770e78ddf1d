// The Qwen3 tokenizer against Hugging Face `tokenizers`: every id, decode
// result and fact here was written by tools/goldens/make_tokenizer_goldens.py
// from the reference, into tests/goldens/tokenizer/.
#include <gtest/gtest.h>

#include "base64_test_util.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tokenizer/regex_splitter.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_files.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

using json = nlohmann::json;

const std::string kTokenizerDir = QWENRT_SOURCE_DIR "/../shared/data/qwen3-tokenizer";
const std::string kGoldenDir = QWENRT_SOURCE_DIR "/tests/goldens/tokenizer/";


struct GoldenFile {
  json header;
  std::vector<json> cases;
};

GoldenFile load_golden(const std::string& name) {
  std::ifstream in(kGoldenDir + name);
  if (!in) throw std::runtime_error("missing golden file " + kGoldenDir + name);
  GoldenFile file;
  std::string line;
  std::getline(in, line);
  file.header = json::parse(line);
  if (file.header.at("format") != 1) throw std::runtime_error(name + ": unknown format");
  while (std::getline(in, line)) {
    if (!line.empty()) file.cases.push_back(json::parse(line));
  }
  return file;
}

const Tokenizer& qwen3() {
  static const Tokenizer tokenizer = Tokenizer::from_directory(kTokenizerDir);
  return tokenizer;
}

std::vector<int32_t> ids_of(const json& c) { return c.at("ids").get<std::vector<int32_t>>(); }

// Runs `tokenizer` over every case of `file`; returns how many differ from the
// reference's ids (printing the first few).
int count_id_mismatches(const Tokenizer& tokenizer, const GoldenFile& file) {
  int mismatches = 0;
  for (const json& c : file.cases) {
    const std::string text = base64_decode(c.at("text").get<std::string>());
    const std::vector<int32_t> got = tokenizer.encode(text, c.at("parse_special").get<bool>());
    if (got != ids_of(c) && ++mismatches <= 5) {
      ADD_FAILURE() << c.at("name") << ": ids differ from the reference\n  got      "
                    << ::testing::PrintToString(got) << "\n  expected "
                    << ::testing::PrintToString(ids_of(c));
    }
  }
  return mismatches;
}

TEST(TokenizerGolden, EncodeMatchesReference) {
  const GoldenFile file = load_golden("qwen3_encode.jsonl");
  ASSERT_GE(file.cases.size(), 300u);
  EXPECT_EQ(count_id_mismatches(qwen3(), file), 0);
}

TEST(TokenizerGolden, UnicodeEdgesMatchReference) {
  const GoldenFile file = load_golden("qwen3_unicode.jsonl");
  ASSERT_GE(file.cases.size(), 100u);
  EXPECT_EQ(count_id_mismatches(qwen3(), file), 0);
}

TEST(TokenizerGolden, DecodeMatchesReference) {
  for (const char* name : {"qwen3_encode.jsonl", "qwen3_decode.jsonl", "qwen3_unicode.jsonl"}) {
    for (const json& c : load_golden(name).cases) {
      const std::vector<int32_t> ids = ids_of(c);
      EXPECT_EQ(qwen3().decode(ids, false), base64_decode(c.at("decoded").get<std::string>()))
          << name << " " << c.at("name");
      EXPECT_EQ(qwen3().decode(ids, true), base64_decode(c.at("decoded_skip").get<std::string>()))
          << name << " " << c.at("name");
    }
  }
}

TEST(TokenizerGolden, DecodeOfEncodeIsNfcOfText) {
  for (const char* name : {"qwen3_encode.jsonl", "qwen3_unicode.jsonl"}) {
    for (const json& c : load_golden(name).cases) {
      const std::string text = base64_decode(c.at("text").get<std::string>());
      const std::vector<int32_t> ids = qwen3().encode(text, c.at("parse_special").get<bool>());
      EXPECT_EQ(qwen3().decode(ids), base64_decode(c.at("nfc").get<std::string>()))
          << name << " " << c.at("name");
    }
  }
}

// The Split regex alone (PCRE2 with the translated pattern) against the
// reference's pre_tokenize_str: same pieces, even where ids would not differ.
TEST(TokenizerGolden, PreTokenizerPiecesMatchReference) {
  const TokenizerSpec spec = load_tokenizer_json(kTokenizerDir + "/tokenizer.json");
  ASSERT_EQ(spec.pre_tokenizer.size(), 1u);
  const RegexSplitter splitter(spec.pre_tokenizer[0].regex, "tokenizer.json");
  RegexScratch scratch;
  const GoldenFile file = load_golden("qwen3_pretokenize.jsonl");
  ASSERT_GE(file.cases.size(), 300u);
  for (const json& c : file.cases) {
    const std::string text = base64_decode(c.at("text").get<std::string>());
    std::vector<std::string_view> pieces;
    splitter.split(text, scratch, pieces);
    std::vector<std::string> got(pieces.begin(), pieces.end());
    std::vector<std::string> expected;
    for (const json& p : c.at("pieces")) expected.push_back(base64_decode(p.get<std::string>()));
    EXPECT_EQ(got, expected) << c.at("name");
  }
}

// Streams `ids` one at a time; every piece must be valid UTF-8, and together
// they must be decode()'s text.
void expect_stream_equals_decode(const std::vector<int32_t>& ids, bool skip_special,
                                 const std::string& expected, const std::string& name) {
  StreamDecoder stream(qwen3(), skip_special);
  std::string text;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string piece = stream.push(ids[i]);
    ASSERT_TRUE(is_valid_utf8(piece)) << name << " after id " << i;
    text += piece;
    ASSERT_EQ(text, expected.substr(0, text.size())) << name << " after id " << i;
  }
  text += stream.flush();
  EXPECT_EQ(text, expected) << name;
  EXPECT_EQ(stream.pending_bytes(), 0u) << name;
}

TEST(TokenizerGolden, StreamDecoderSplitAtEveryIdMatchesDecode) {
  for (const char* name : {"qwen3_encode.jsonl", "qwen3_decode.jsonl"}) {
    for (const json& c : load_golden(name).cases) {
      const std::string case_name = std::string(name) + " " + c.at("name").get<std::string>();
      expect_stream_equals_decode(ids_of(c), false,
                                  base64_decode(c.at("decoded").get<std::string>()), case_name);
      expect_stream_equals_decode(
          ids_of(c), true, base64_decode(c.at("decoded_skip").get<std::string>()), case_name);
    }
  }
}

TEST(TokenizerGolden, VocabularyAndConfigMatchReference) {
  const json& facts = load_golden("qwen3_encode.jsonl").header;
  const Tokenizer& tok = qwen3();
  EXPECT_EQ(tok.vocab_size(), facts.at("vocab_size").get<int32_t>());
  for (const json& added : facts.at("added_tokens")) {
    const int32_t id = added.at("id");
    EXPECT_EQ(tok.token_to_id(added.at("content").get<std::string>()), id);
    EXPECT_EQ(tok.is_special(id), added.at("special").get<bool>()) << id;
    EXPECT_EQ(tok.token_bytes(id), added.at("content").get<std::string>());
  }
  for (const auto& [spelling, id] : facts.at("token_to_id").items()) {
    EXPECT_EQ(tok.token_to_id(spelling), id.get<int32_t>()) << spelling;
  }
  EXPECT_FALSE(tok.token_to_id("no such token at all").has_value());
  const json& config = facts.at("config");
  EXPECT_EQ(tok.config().eos_token, config.at("eos_token").get<std::string>());
  EXPECT_EQ(tok.config().pad_token, config.at("pad_token").get<std::string>());
  EXPECT_FALSE(config.at("bos_token").is_string());
  EXPECT_FALSE(tok.config().bos_token.has_value());
  EXPECT_EQ(tok.config().chat_template,
            base64_decode(config.at("chat_template").get<std::string>()));
  EXPECT_EQ(tok.eos_id(), tok.token_to_id(config.at("eos_token").get<std::string>()));
  EXPECT_EQ(tok.pad_id(), tok.token_to_id(config.at("pad_token").get<std::string>()));
  EXPECT_FALSE(tok.bos_id().has_value());
}

// encode() from several threads at once (they share the word cache) gives the
// reference's ids in every thread.
TEST(TokenizerGolden, ConcurrentEncodeMatchesReference) {
  const GoldenFile file = load_golden("qwen3_encode.jsonl");
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = t; i < file.cases.size() + t; ++i) {  // each thread its own order
          const json& c = file.cases[i % file.cases.size()];
          const std::string text = base64_decode(c.at("text").get<std::string>());
          if (qwen3().encode(text, c.at("parse_special").get<bool>()) != ids_of(c)) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// Added tokens with every flag (lstrip, rstrip, single_word, normalized,
// special), added on top of the Qwen3 tokenizer as the reference added them.
TEST(TokenizerGolden, AddedTokenFlagsMatchReference) {
  const GoldenFile file = load_golden("qwen3_added_flags.jsonl");
  TokenizerSpec spec = load_tokenizer_json(kTokenizerDir + "/tokenizer.json");
  for (const json& extra : file.header.at("extra_added_tokens")) {
    AddedToken token;
    token.id = extra.at("id");
    token.content = base64_decode(extra.at("content").get<std::string>());
    token.special = extra.at("special");
    token.lstrip = extra.at("lstrip");
    token.rstrip = extra.at("rstrip");
    token.single_word = extra.at("single_word");
    token.normalized = extra.at("normalized");
    spec.added_tokens.push_back(token);
  }
  const Tokenizer tokenizer(std::move(spec));
  EXPECT_EQ(count_id_mismatches(tokenizer, file), 0);
  for (const json& c : file.cases) {
    EXPECT_EQ(tokenizer.decode(ids_of(c)), base64_decode(c.at("decoded").get<std::string>()))
        << c.at("name");
    EXPECT_EQ(tokenizer.decode(ids_of(c), true),
              base64_decode(c.at("decoded_skip").get<std::string>()))
        << c.at("name");
  }
}

// The constructor from parts, as a GGUF loader would call it: vocabulary as an
// id-ordered list, the Qwen2 regex constant, added tokens.
TEST(TokenizerGolden, InMemoryPartsGiveTheSameIds) {
  const TokenizerSpec file_spec = load_tokenizer_json(kTokenizerDir + "/tokenizer.json");
  ASSERT_EQ(file_spec.pre_tokenizer.size(), 1u);
  EXPECT_EQ(file_spec.pre_tokenizer[0].regex, kQwen2SplitPattern);

  TokenizerSpec spec;
  spec.source = "in-memory test";
  std::vector<std::pair<std::string, int32_t>> by_id = file_spec.vocab;
  std::sort(by_id.begin(), by_id.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  spec.vocab = by_id;
  spec.merges = file_spec.merges;
  spec.added_tokens = file_spec.added_tokens;
  spec.pre_tokenizer.push_back({std::string(kQwen2SplitPattern), "qwen2 pre-tokenizer"});
  spec.nfc = true;
  const Tokenizer tokenizer(std::move(spec));
  EXPECT_EQ(count_id_mismatches(tokenizer, load_golden("qwen3_encode.jsonl")), 0);
}

}  // namespace
}  // namespace qwenrt
