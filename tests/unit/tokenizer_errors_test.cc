// Malformed or unsupported tokenizer files are reported as qwenrt::Error naming
// the file and the JSON path; nothing aborts.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt {
namespace {

using json = nlohmann::json;

// A tiny but complete byte-level BPE tokenizer.json.
json minimal_tokenizer() {
  return json::parse(R"({
    "version": "1.0",
    "added_tokens": [{"id": 3, "content": "<|end|>", "special": true, "normalized": false}],
    "normalizer": {"type": "NFC"},
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "\\s+|\\S+"}, "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "dropout": null, "vocab": {"a": 0, "b": 1, "ab": 2},
              "merges": [["a", "b"]]}
  })");
}

// The Error message from building a tokenizer out of `doc` ("" if none).
std::string error_of(const json& doc) {
  try {
    Tokenizer(parse_tokenizer_json(doc.dump(), "test/tokenizer.json"));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string error_of_text(const std::string& text) {
  try {
    Tokenizer(parse_tokenizer_json(text, "test/tokenizer.json"));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_MENTIONS(message, fragment)                                                  \
  do {                                                                                            \
    const std::string m_ = (message);                                                             \
    EXPECT_NE(m_.find("test/tokenizer.json"), std::string::npos) << m_;                           \
    EXPECT_NE(m_.find(fragment), std::string::npos) << "missing '" << fragment << "' in: " << m_; \
  } while (0)

TEST(TokenizerErrors, MinimalTokenizerWorks) {
  const Tokenizer tok(parse_tokenizer_json(minimal_tokenizer().dump(), "test/tokenizer.json"));
  const std::vector<int32_t> ids = tok.encode("ab<|end|>ba");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 3), 1);
  EXPECT_EQ(tok.decode(ids), "ab<|end|>ba");
  EXPECT_EQ(tok.decode(ids, /*skip_special=*/true), "abba");
  const std::vector<int32_t> plain = tok.encode("ab<|end|>ba", /*parse_special=*/false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 3), 0);
  // '<', '|', ... are not in this vocabulary: dropped, as the reference does
  // without an unk token.
  EXPECT_EQ(tok.decode(plain), "abba");
  EXPECT_EQ(tok.vocab_size(), 4);
}

TEST(TokenizerErrors, InvalidJson) {
  EXPECT_ERROR_MENTIONS(error_of_text("{\"model\": "), "invalid JSON");
  EXPECT_ERROR_MENTIONS(error_of_text(""), "invalid JSON");
  EXPECT_ERROR_MENTIONS(error_of_text("[1, 2]"), "expected a JSON object");
}

TEST(TokenizerErrors, MissingOrWrongModel) {
  json doc = minimal_tokenizer();
  doc.erase("model");
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model: missing");

  doc = minimal_tokenizer();
  doc["model"].erase("vocab");
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/vocab: missing");

  doc = minimal_tokenizer();
  doc["model"]["vocab"] = json::array();
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/vocab");

  doc = minimal_tokenizer();
  doc["model"]["vocab"]["b"] = "one";
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/vocab/b: expected an integer");

  doc = minimal_tokenizer();
  doc["model"]["vocab"]["b"] = -4;
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/vocab/b: token id -4 out of range");

  doc = minimal_tokenizer();
  doc["model"]["vocab"]["b"] = 0;  // the id of "a"
  EXPECT_ERROR_MENTIONS(error_of(doc), "already belongs to another token");

  doc = minimal_tokenizer();
  doc["model"]["type"] = "WordPiece";
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/type");

  doc = minimal_tokenizer();
  doc["model"]["dropout"] = 0.1;
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/dropout");
}

TEST(TokenizerErrors, BadMerges) {
  json doc = minimal_tokenizer();
  doc["model"]["merges"] = json::array({json::array({"a", "zz"})});
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/merges/0: merge names \"zz\"");

  doc = minimal_tokenizer();
  doc["model"]["merges"] = json::array({json::array({"a", "b"}), json::array({"b", "a"})});
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/merges/1: merged token \"ba\"");

  doc = minimal_tokenizer();
  doc["model"]["merges"] = json::array({"ab"});
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/merges/0: expected \"left right\"");

  doc = minimal_tokenizer();
  doc["model"]["merges"] = json::array({json::array({"a"})});
  EXPECT_ERROR_MENTIONS(error_of(doc), "/model/merges/0: expected a pair");

  doc = minimal_tokenizer();
  doc["model"]["merges"] = json::array({"a b"});  // the older spelling is fine
  EXPECT_EQ(error_of(doc), "");
}

TEST(TokenizerErrors, BadPreTokenizer) {
  json doc = minimal_tokenizer();
  doc["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
  EXPECT_ERROR_MENTIONS(error_of(doc),
                        "/pre_tokenizer/pretokenizers/0/pattern: invalid pre-tokenizer regex");

  doc = minimal_tokenizer();
  doc["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "MergedWithPrevious";
  EXPECT_ERROR_MENTIONS(error_of(doc), "/pre_tokenizer/pretokenizers/0/behavior");

  doc = minimal_tokenizer();
  doc["pre_tokenizer"]["pretokenizers"][0]["type"] = "Whitespace";
  EXPECT_ERROR_MENTIONS(error_of(doc), "/pre_tokenizer/pretokenizers/0/type");

  doc = minimal_tokenizer();
  doc["pre_tokenizer"] = doc["pre_tokenizer"]["pretokenizers"][0];  // no ByteLevel step
  EXPECT_ERROR_MENTIONS(error_of(doc), "only byte-level BPE");

  doc = minimal_tokenizer();
  doc["pre_tokenizer"]["pretokenizers"][1]["add_prefix_space"] = true;
  EXPECT_ERROR_MENTIONS(error_of(doc), "/pre_tokenizer/pretokenizers/1/add_prefix_space");

  doc = minimal_tokenizer();
  doc["pre_tokenizer"]["pretokenizers"][0]["pattern"] = json{{"String", "a+b"}};
  EXPECT_EQ(error_of(doc), "");  // a literal split string is quoted, not a regex
}

TEST(TokenizerErrors, BadNormalizerDecoderAddedTokens) {
  json doc = minimal_tokenizer();
  doc["normalizer"] = json{{"type", "Lowercase"}};
  EXPECT_ERROR_MENTIONS(error_of(doc), "/normalizer/type");

  doc = minimal_tokenizer();
  doc["decoder"] = json{{"type", "WordPiece"}};
  EXPECT_ERROR_MENTIONS(error_of(doc), "/decoder/type");

  doc = minimal_tokenizer();
  doc["added_tokens"][0].erase("id");
  EXPECT_ERROR_MENTIONS(error_of(doc), "/added_tokens/0/id: missing");

  doc = minimal_tokenizer();
  doc["added_tokens"][0]["content"] = 5;
  EXPECT_ERROR_MENTIONS(error_of(doc), "/added_tokens/0/content: expected a string");

  doc = minimal_tokenizer();
  doc["added_tokens"][0]["special"] = "yes";
  EXPECT_ERROR_MENTIONS(error_of(doc), "/added_tokens/0/special: expected true or false");

  doc = minimal_tokenizer();
  doc["added_tokens"] = json::object();
  EXPECT_ERROR_MENTIONS(error_of(doc), "/added_tokens: expected an array");
}

TEST(TokenizerErrors, FilesAndConfig) {
  try {
    Tokenizer::from_files("/nonexistent/tokenizer.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/tokenizer.json"), std::string::npos);
  }
  EXPECT_THROW(Tokenizer::from_directory("/nonexistent"), Error);

  auto config_error = [](const std::string& text) -> std::string {
    try {
      parse_tokenizer_config(text, "test/tokenizer_config.json");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(config_error("{").find("invalid JSON"), std::string::npos);
  EXPECT_NE(config_error(R"({"eos_token": 5})").find("/eos_token"), std::string::npos);
  EXPECT_NE(config_error(R"({"chat_template": 5})").find("/chat_template"), std::string::npos);
  EXPECT_NE(config_error(R"({"add_bos_token": "no"})").find("/add_bos_token"), std::string::npos);

  const TokenizerConfig config = parse_tokenizer_config(
      R"({"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
          "pad_token": null, "add_bos_token": true,
          "chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}]})",
      "test/tokenizer_config.json");
  EXPECT_EQ(config.bos_token, "<s>");
  EXPECT_EQ(config.eos_token, "</s>");
  EXPECT_FALSE(config.pad_token.has_value());
  EXPECT_TRUE(config.add_bos_token);
  EXPECT_EQ(config.chat_template, "D");
  EXPECT_EQ(config.named_chat_templates.at("tool_use"), "T");
}

TEST(TokenizerErrors, InMemorySpecErrorsNameTheSource) {
  TokenizerSpec spec = parse_tokenizer_json(minimal_tokenizer().dump(), "unused");
  spec.source = "model.gguf";
  spec.merges_origin = "tokenizer.ggml.merges";
  spec.merges.emplace_back("q", "a");
  try {
    Tokenizer tok(std::move(spec));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.gguf: tokenizer.ggml.merges/1"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace qwenrt
