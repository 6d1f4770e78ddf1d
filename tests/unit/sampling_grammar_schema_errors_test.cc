// Bad and hostile schemas fail with qwenrt::Error naming the JSON path, quickly and
// without deep recursion: deep nesting, huge enums, recursion without a base case,
// left recursion, unsupported keywords, broken JSON, repetition blow-ups.
#include <gtest/gtest.h>

#include <string>

#include "base/error.h"
#include "sampling/grammar/grammar_cache.h"
#include "sampling/grammar/json_schema.h"

namespace qwenrt::grammar {
namespace {

std::shared_ptr<const VocabularyIndex> byte_vocab() {
  static const auto vocab = [] {
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    return VocabularyIndex::from_tokens(std::move(tokens));
  }();
  return vocab;
}

// The compile error for `schema` (empty if it compiles).
std::string error_of(const std::string& schema, const JsonSchemaOptions& options = {}) {
  try {
    compile_json_schema(schema, byte_vocab(), options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR(schema, ...)                                                   \
  do {                                                                              \
    const std::string message = error_of(schema);                                   \
    EXPECT_FALSE(message.empty()) << "compiled: " << std::string(schema).substr(0, 200); \
    for (const char* part : {__VA_ARGS__}) {                                        \
      EXPECT_NE(message.find(part), std::string::npos) << message << "\n  lacks: " << part; \
    }                                                                               \
  } while (0)

TEST(GrammarSchemaErrors, InvalidJson) {
  EXPECT_ERROR("{\"type\": ", "invalid JSON");
  EXPECT_ERROR("", "invalid JSON");
  EXPECT_ERROR("{\"type\":\"string\"} trailing", "invalid JSON");
  EXPECT_ERROR("{\"enum\":[\"\xC3\x28\"]}", "invalid JSON");  // broken UTF-8
  EXPECT_ERROR("42", "must be an object or a boolean");
}

TEST(GrammarSchemaErrors, UnsupportedKeywordsNameThePath) {
  EXPECT_ERROR(R"({"properties":{"a":{"not":{"type":"string"}}}})", "#/properties/a", "\"not\"");
  EXPECT_ERROR(R"({"type":"array","uniqueItems":true})", "uniqueItems");
  EXPECT_ERROR(R"({"type":"object","patternProperties":{"^x":{}}})", "patternProperties");
  EXPECT_ERROR(R"({"type":"integer","multipleOf":3})", "multipleOf");
  EXPECT_ERROR(R"({"if":{"type":"string"},"then":{"minLength":1}})", "\"if\"");
  EXPECT_ERROR(R"({"type":"string","format":"hostname"})", "#/format", "hostname");
  EXPECT_ERROR(R"({"type":"string","pattern":"(a)\\1"})", "#/pattern", "backreferences");
  EXPECT_ERROR(R"({"type":"string","pattern":"(?=a)b"})", "lookaround");
  EXPECT_ERROR(R"({"type":"string","pattern":"\\bword"})", "word boundaries");
  EXPECT_ERROR(R"({"type":"string","pattern":"a^b"})", "anchors");
  EXPECT_ERROR(R"({"type":"string","pattern":"[a-"})", "missing ']'");
  EXPECT_ERROR(R"({"type":"string","pattern":"a**"})", "nothing to repeat");
  EXPECT_ERROR(R"({"type":"string","pattern":"^[a-z]+$","maxLength":3})", "pattern together with");
  EXPECT_ERROR(R"({"type":"whatever"})", "#/type", "unknown type");
  EXPECT_ERROR(R"({"$ref":"https://example.com/schema.json"})", "only JSON pointers");
  EXPECT_ERROR(R"({"anyOf":[{"type":"string"}],"oneOf":[{"type":"string"}]})", "anyOf together with oneOf");
  EXPECT_ERROR(R"({"allOf":[{"type":"string","pattern":"a"},{"pattern":"b"}]})", "allOf", "pattern");
}

TEST(GrammarSchemaErrors, UnsatisfiableSchemas) {
  EXPECT_ERROR("false", "false allows no value");
  EXPECT_ERROR(R"({"enum":[]})", "no enum");
  EXPECT_ERROR(R"({"type":"integer","minimum":5,"maximum":4})", "no integer");
  EXPECT_ERROR(R"({"type":"integer","minimum":0.5,"maximum":0.9})", "no integer");
  EXPECT_ERROR(R"({"type":"string","minLength":3,"maxLength":2})", "minLength");
  EXPECT_ERROR(R"({"type":"array","minItems":3,"maxItems":1})", "minItems");
  EXPECT_ERROR(R"({"type":"string","enum":[1,2]})", "no enum");
  EXPECT_ERROR(R"({"allOf":[{"type":"string"},{"type":"integer"}]})", "allOf requires types");
  EXPECT_ERROR(R"({"type":"object","required":["a"],"additionalProperties":false})", "required property \"a\"");
  EXPECT_ERROR(R"({"anyOf":[false,{"type":"string","maxLength":-1}]})", "maxLength must be a non-negative integer");
  EXPECT_ERROR(R"({"anyOf":[false,{"enum":[]}]})", "no anyOf branch");
}

TEST(GrammarSchemaErrors, DanglingAndBadRefs) {
  EXPECT_ERROR(R"({"properties":{"a":{"$ref":"#/$defs/missing"}}})", "#/properties/a", "points to nothing");
  EXPECT_ERROR(R"({"$ref":"#/properties/0"})", "points to nothing");
  EXPECT_ERROR(R"({"$ref":5})", "$ref must be a string");
  EXPECT_ERROR(R"({"$ref":"#anchor"})", "not supported");
}

TEST(GrammarSchemaErrors, RecursionWithoutBaseCase) {
  EXPECT_ERROR(R"({"$defs":{"a":{"type":"object","properties":{"x":{"$ref":"#/$defs/a"}},"required":["x"]}},"$ref":"#/$defs/a"})",
               "admits no finite value");
  EXPECT_ERROR(R"({"type":"array","items":{"$ref":"#"},"minItems":1})", "admits no finite value");
}

TEST(GrammarSchemaErrors, LeftRecursion) {
  EXPECT_ERROR(R"({"$ref":"#"})", "rule #", "no finite value");  // only ever calls itself
  EXPECT_ERROR(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"anyOf":[{"$ref":"#/$defs/a"},{"type":"null"}]}},"$ref":"#/$defs/a"})",
               "left-recursive", "#/$defs/a");
}

TEST(GrammarSchemaErrors, RecursionWithBaseCaseCompiles) {
  EXPECT_EQ(error_of(R"({"type":"array","items":{"$ref":"#"}})"), "");
  EXPECT_EQ(error_of(R"({"anyOf":[{"type":"null"},{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}]})"), "");
}

TEST(GrammarSchemaErrors, DeepNestingFailsWithoutRecursing) {
  // 100k levels of schema nesting: rejected before anything recursive touches it.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"type":"object","properties":{"a":)";
  deep += "{}";
  for (int i = 0; i < 100000; ++i) deep += "}}";
  EXPECT_ERROR(deep, "nested deeper than");
  // Deep JSON inside an annotation is just as hostile to recursive copies.
  std::string annotation = R"({"type":"string","default":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_ERROR(annotation, "nested deeper than");
  // Within the JSON limit but beyond the subschema limit.
  std::string moderate;
  for (int i = 0; i < 100; ++i) moderate += R"({"items":)";
  moderate += "{}";
  for (int i = 0; i < 100; ++i) moderate += "}";
  EXPECT_ERROR(moderate, "#/items/items", "nested deeper than 64");
}

TEST(GrammarSchemaErrors, HugeEnumsAndLiterals) {
  std::string big = R"({"enum":[)";
  for (int i = 0; i < 100000; ++i) big += (i ? ",\"value-" : "\"value-") + std::to_string(i) + "\"";
  big += "]}";
  EXPECT_ERROR(big, "enum / const values exceed");
  std::string long_const = R"({"const":")" + std::string(1 << 20, 'x') + "\"}";
  EXPECT_ERROR(long_const, "enum / const values exceed");
}

TEST(GrammarSchemaErrors, RepetitionBlowups) {
  EXPECT_ERROR(R"({"type":"array","minItems":1000000000})", "more than 1024");
  EXPECT_ERROR(R"({"type":"string","minLength":5000})", "minLength above the limit");
  EXPECT_ERROR(R"({"type":"string","pattern":"^(a{1000}){1000}$"})", "automaton states");
  EXPECT_ERROR(R"({"type":"string","pattern":"^((((a{100}){100}){100}){100})$"})", "automaton states");
  // Large upper bounds are lowered to the limit (a subset), not rejected.
  EXPECT_EQ(error_of(R"({"type":"array","maxItems":1000000000})"), "");
  EXPECT_EQ(error_of(R"({"type":"string","maxLength":1000000000})"), "");
}

TEST(GrammarSchemaErrors, CombinatorialBlowupIsBounded) {
  // allOf of anyOf distributes: 2^20 branches if unchecked.
  std::string s = R"({"allOf":[)";
  for (int i = 0; i < 20; ++i) {
    s += (i ? "," : "") + std::string(R"({"anyOf":[{"type":"object","properties":{"p)") + std::to_string(i) +
         R"(":{"type":"integer"}}},{"type":"object","properties":{"q)" + std::to_string(i) + R"(":{"type":"string"}}}]})";
  }
  s += "]}";
  EXPECT_ERROR(s, "allOf");
  // anyOf nested in anyOf, wide: within limits it compiles, beyond it errors.
  std::string wide = R"({"anyOf":[)";
  for (int i = 0; i < 30000; ++i) wide += (i ? "," : "") + std::string(R"({"const":)") + std::to_string(i) + "}";
  wide += "]}";
  EXPECT_ERROR(wide, "too complex");
}

TEST(GrammarSchemaErrors, LongRefChainsDoNotRecurse) {
  std::string s = R"({"$defs":{)";
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    s += "\"d" + std::to_string(i) + "\":" +
         (i + 1 < n ? R"({"type":"array","items":{"$ref":"#/$defs/d)" + std::to_string(i + 1) + "\"}}" : R"({"type":"null"})") +
         (i + 1 < n ? "," : "");
  }
  s += R"(},"$ref":"#/$defs/d0"})";
  EXPECT_EQ(error_of(s), "");
}

TEST(GrammarSchemaErrors, OversizedSchemaText) {
  JsonSchemaOptions options;
  options.max_schema_bytes = 100;
  try {
    json_schema_grammar(std::string(200, ' ') + "{}", options);
    FAIL() << "accepted an oversized schema";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than the limit"), std::string::npos);
  }
}

TEST(GrammarCache, SharesCompiledGrammarsAndReportsErrors) {
  GrammarCache cache(byte_vocab(), 2);
  const auto a = cache.json_schema(R"({"type":"string"})");
  EXPECT_EQ(cache.json_schema("{ \"type\" : \"string\" }"), a);  // formatting does not matter
  cache.json_schema(R"({"type":"integer"})");
  cache.json_schema(R"({"type":"number"})");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.json_schema(R"({"type":"string"})"), a);  // evicted, compiled again
  EXPECT_THROW(cache.json_schema(R"({"$ref":"#"})"), Error);
  EXPECT_THROW(cache.json_schema(std::string(1000, '[') + std::string(1000, ']')), Error);
  EXPECT_EQ(cache.any_json_object(), cache.any_json_object());
}

}  // namespace
}  // namespace qwenrt::grammar
