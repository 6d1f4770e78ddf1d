// The matcher on hand-picked strings: what each schema construct accepts and rejects,
// byte by byte (a 256-token vocabulary of single bytes, so no tokenizer is involved).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "sampling/grammar/grammar_matcher.h"
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

class Schema {
 public:
  explicit Schema(const std::string& schema, JsonSchemaOptions options = {})
      : grammar_(compile_json_schema(schema, byte_vocab(), options)) {}
  explicit Schema(std::shared_ptr<const CompiledGrammar> g) : grammar_(std::move(g)) {}

  // The whole text is accepted and forms a complete value.
  bool matches(const std::string& text) const {
    GrammarMatcher m(grammar_);
    return m.accept_bytes(text) && m.can_end();
  }
  // The text is a prefix of some accepted value.
  bool is_prefix(const std::string& text) const {
    GrammarMatcher m(grammar_);
    return m.accept_bytes(text);
  }
  const std::shared_ptr<const CompiledGrammar>& grammar() const { return grammar_; }

 private:
  std::shared_ptr<const CompiledGrammar> grammar_;
};

#define EXPECT_MATCH(s, text) EXPECT_TRUE((s).matches(text)) << "should match: " << (text)
#define EXPECT_NO_MATCH(s, text) EXPECT_FALSE((s).matches(text)) << "should not match: " << (text)

const char* kToolCall = R"({"type":"object","properties":{"name":{"const":"get_weather"},
  "arguments":{"type":"object","properties":{"location":{"type":"string"},
  "unit":{"enum":["celsius","fahrenheit"]}},"required":["location"]}},"required":["name","arguments"]})";

TEST(GrammarMatcher, ToolCallSchema) {
  Schema s(kToolCall);
  EXPECT_MATCH(s, R"({"name":"get_weather","arguments":{"location":"Paris"}})");
  EXPECT_MATCH(s, R"({"name": "get_weather", "arguments": {"location": "Paris", "unit": "celsius"}})");
  EXPECT_MATCH(s, R"({"name":"get_weather","arguments":{"location":"","unit":"fahrenheit"}})");
  EXPECT_NO_MATCH(s, R"({"name":"get_weather2","arguments":{"location":"Paris"}})");
  EXPECT_NO_MATCH(s, R"({"name":"get_weather","arguments":{"unit":"celsius"}})");
  EXPECT_NO_MATCH(s, R"({"name":"get_weather","arguments":{"location":"Paris","unit":"kelvin"}})");
  EXPECT_NO_MATCH(s, R"({"name":"get_weather","arguments":{"location":"Paris","x":1}})");
  EXPECT_NO_MATCH(s, R"({"arguments":{"location":"Paris"},"name":"get_weather"})");  // schema order
  EXPECT_NO_MATCH(s, R"({"name":  "get_weather","arguments":{"location":"Paris"}})");  // two spaces
  EXPECT_NO_MATCH(s, R"({ "name":"get_weather","arguments":{"location":"Paris"}})");
  EXPECT_NO_MATCH(s, R"({"name":"get_weather","arguments":{"location":"Paris"}} )");
  EXPECT_TRUE(s.is_prefix(R"({"name":"get_weather","arguments":{"loc)"));
  EXPECT_FALSE(s.is_prefix(R"({"name":"get_weather","arguments":{"loc" )"));
}

TEST(GrammarMatcher, CompleteAndMustEnd) {
  Schema s(R"({"type":"integer"})");
  GrammarMatcher m(s.grammar());
  EXPECT_FALSE(m.can_end());
  ASSERT_TRUE(m.accept_bytes("12"));
  EXPECT_TRUE(m.can_end());
  EXPECT_FALSE(m.must_end());  // more digits may follow
  EXPECT_FALSE(m.accept_bytes("x"));
  EXPECT_TRUE(m.can_end());  // a rejected byte changes nothing
  Schema obj(R"({"type":"object","properties":{"a":{"type":"null"}},"required":["a"]})");
  GrammarMatcher o(obj.grammar());
  ASSERT_TRUE(o.accept_bytes(R"({"a":null})"));
  EXPECT_TRUE(o.must_end());
  EXPECT_EQ(o.min_bytes_to_end(), 0);
  o.reset();
  EXPECT_EQ(o.min_bytes_to_end(), static_cast<int32_t>(std::string(R"({"a":null})").size()));
}

TEST(GrammarMatcher, StringsAreValidUtf8WithEscapes) {
  Schema s(R"({"type":"string"})");
  EXPECT_MATCH(s, R"("")");
  EXPECT_MATCH(s, "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  EXPECT_MATCH(s, R"("a\"b\\c\/d\b\f\n\r\t")");
  EXPECT_MATCH(s, R"("\u00e9\u20AC")");
  EXPECT_NO_MATCH(s, R"("\ud800")");        // surrogate escapes are not generated
  EXPECT_NO_MATCH(s, R"("\x")");
  EXPECT_NO_MATCH(s, "\"a\nb\"");           // raw control character
  EXPECT_NO_MATCH(s, "\"\xC3\x28\"");       // broken UTF-8
  EXPECT_NO_MATCH(s, "\"\x80\"");           // lone continuation byte
  EXPECT_NO_MATCH(s, "\"\xED\xA0\x80\"");   // UTF-8 encoded surrogate
  EXPECT_NO_MATCH(s, "\"\xC0\xAF\"");       // overlong
  EXPECT_NO_MATCH(s, "\"\xF4\x90\x80\x80\"");  // above U+10FFFF
  EXPECT_NO_MATCH(s, R"("abc)");
}

TEST(GrammarMatcher, StringLengthsCountCodePoints) {
  Schema s(R"({"type":"string","minLength":2,"maxLength":3})");
  EXPECT_NO_MATCH(s, R"("a")");
  EXPECT_MATCH(s, R"("ab")");
  EXPECT_MATCH(s, "\"\xC3\xA9\xC3\xA9\xC3\xA9\"");
  EXPECT_MATCH(s, R"("\n\t")");
  EXPECT_NO_MATCH(s, R"("abcd")");
  EXPECT_NO_MATCH(s, "\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\"");
}

TEST(GrammarMatcher, IntegersAndNumbers) {
  Schema i(R"({"type":"integer"})");
  for (const char* ok : {"0", "-5", "12", "-1234567890123456"}) EXPECT_MATCH(i, ok);
  for (const char* bad : {"01", "1.5", "+1", "1e3", "12345678901234567", "-", ""}) EXPECT_NO_MATCH(i, bad);
  Schema n(R"({"type":"number"})");
  for (const char* ok : {"0", "-0.5", "1.5e10", "2E-3", "3e+12", "10"}) EXPECT_MATCH(n, ok);
  for (const char* bad : {"1.", ".5", "1e", "+1", "00", "1e123", "NaN", "Infinity"}) EXPECT_NO_MATCH(n, bad);
}

TEST(GrammarMatcher, IntegerRangesAreExact) {
  Schema s(R"({"type":"integer","minimum":-37,"maximum":305})");
  for (int v = -500; v <= 700; ++v) {
    EXPECT_EQ(s.matches(std::to_string(v)), v >= -37 && v <= 305) << v;
  }
  Schema exclusive(R"({"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":10})");
  for (int v = -5; v <= 15; ++v) EXPECT_EQ(exclusive.matches(std::to_string(v)), v > 0 && v < 10) << v;
  Schema draft4(R"({"type":"integer","minimum":5,"exclusiveMinimum":true})");
  EXPECT_NO_MATCH(draft4, "5");
  EXPECT_MATCH(draft4, "6");
  Schema big(R"({"type":"integer","minimum":1000000})");
  EXPECT_MATCH(big, "1000000");
  EXPECT_MATCH(big, "9999999999999999");
  EXPECT_NO_MATCH(big, "999999");
  EXPECT_NO_MATCH(big, "0999999");
}

TEST(GrammarMatcher, BoundedNumbersStayInBounds) {
  Schema s(R"({"type":"number","minimum":-2.5,"exclusiveMaximum":3})");
  int accepted = 0;
  for (int whole = -6; whole <= 6; ++whole) {
    for (const std::string frac : {"", ".0", ".5", ".999"}) {
      std::string text = (whole < 0 ? "-" : "") + std::to_string(std::abs(whole)) + frac;
      const double v = std::stod(text);
      if (s.matches(text)) {
        ++accepted;
        EXPECT_TRUE(v >= -2.5 && v < 3) << text;
      }
    }
  }
  EXPECT_GT(accepted, 10);
  EXPECT_MATCH(s, "2.999");
  EXPECT_MATCH(s, "-2");
  EXPECT_NO_MATCH(s, "3");
  EXPECT_NO_MATCH(s, "-3");
}

TEST(GrammarMatcher, EnumAndConstOfAnyJson) {
  Schema s(R"({"enum":[1,"a",null,{"x":[1,2]},true,2.5]})");
  for (const char* ok : {"1", R"("a")", "null", R"({"x":[1,2]})", "true", "2.5"}) EXPECT_MATCH(s, ok);
  for (const char* bad : {"2", R"("b")", "false", R"({"x":[1]})", R"({"x": [1,2]})"}) EXPECT_NO_MATCH(s, bad);
  Schema c(R"({"const":{"a":[true,{"b":null}]}})");
  EXPECT_MATCH(c, R"({"a":[true,{"b":null}]})");
  Schema typed(R"({"type":"string","enum":["a",1,"bb"],"maxLength":1})");
  EXPECT_MATCH(typed, R"("a")");
  EXPECT_NO_MATCH(typed, "1");
  EXPECT_NO_MATCH(typed, R"("bb")");
}

TEST(GrammarMatcher, Arrays) {
  Schema pair(R"({"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":2})");
  EXPECT_MATCH(pair, "[1,2]");
  EXPECT_MATCH(pair, "[1, 2]");
  EXPECT_NO_MATCH(pair, "[1]");
  EXPECT_NO_MATCH(pair, "[1,2,3]");
  EXPECT_NO_MATCH(pair, "[]");
  Schema any(R"({"type":"array"})");
  EXPECT_MATCH(any, "[]");
  EXPECT_MATCH(any, R"([1,"a",[],{"b":[null]}])");
  Schema tuple(R"({"type":"array","prefixItems":[{"type":"string"},{"type":"boolean"}],"items":{"type":"null"}})");
  EXPECT_MATCH(tuple, R"(["a",true,null,null])");
  EXPECT_MATCH(tuple, R"(["a"])");
  EXPECT_MATCH(tuple, "[]");
  EXPECT_NO_MATCH(tuple, R"(["a",null])");
  Schema closed(R"({"type":"array","prefixItems":[{"type":"string"}],"items":false,"minItems":1})");
  EXPECT_MATCH(closed, R"(["a"])");
  EXPECT_NO_MATCH(closed, R"(["a","b"])");
  Schema open_tuple(R"({"type":"array","prefixItems":[{"type":"integer"}],"minItems":2})");
  EXPECT_MATCH(open_tuple, R"([1,{"any":"thing"}])");
  EXPECT_NO_MATCH(open_tuple, "[1]");
  Schema draft7(R"({"type":"array","items":[{"type":"integer"}],"additionalItems":{"type":"string"}})");
  EXPECT_MATCH(draft7, R"([1,"x","y"])");
  EXPECT_NO_MATCH(draft7, R"([1,2])");
}

TEST(GrammarMatcher, ObjectsOptionalRequiredAndExtra) {
  Schema s(R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}},
              "required":["b"]})");
  EXPECT_MATCH(s, R"({"b":1})");
  EXPECT_MATCH(s, R"({"a":1,"b":2})");
  EXPECT_MATCH(s, R"({"a":1,"b":2,"c":3})");
  EXPECT_MATCH(s, R"({"b":2,"c":3})");
  EXPECT_NO_MATCH(s, R"({"a":1})");
  EXPECT_NO_MATCH(s, R"({"a":1,"c":3})");
  EXPECT_NO_MATCH(s, "{}");
  Schema none(R"({"type":"object","additionalProperties":false})");
  EXPECT_MATCH(none, "{}");
  EXPECT_NO_MATCH(none, R"({"a":1})");
  Schema extra(R"({"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":{"type":"string"}})");
  EXPECT_MATCH(extra, R"({"id":1,"name":"x"})");
  EXPECT_MATCH(extra, R"({"name":"x","i":"y"})");
  EXPECT_MATCH(extra, R"({"idx":"y"})");
  EXPECT_NO_MATCH(extra, R"({"name":"x","id":"y"})");  // a declared key is never an extra key
  EXPECT_NO_MATCH(extra, R"({"id":1,"name":2})");
  Schema undeclared(R"({"type":"object","required":["x"],"additionalProperties":false,"properties":{"x":{"type":"null"}}})");
  EXPECT_MATCH(undeclared, R"({"x":null})");
  Schema required_only(R"({"type":"object","required":["k"]})");
  EXPECT_MATCH(required_only, R"({"k":[1,{"z":"q"}]})");
  EXPECT_NO_MATCH(required_only, "{}");
  Schema any(R"({"type":"object"})");
  EXPECT_MATCH(any, R"({"a":1,"a":{"b":[]}})");
  Schema forbidden(R"({"type":"object","properties":{"a":false,"b":{"type":"null"},"c":{"enum":[]}}})");
  EXPECT_MATCH(forbidden, R"({"b":null})");
  EXPECT_NO_MATCH(forbidden, R"({"a":null})");
}

TEST(GrammarMatcher, ManyOptionalPropertiesUseTailRules) {
  std::string schema = R"({"type":"object","properties":{)";
  for (int i = 0; i < 20; ++i) schema += (i ? "," : "") + std::string("\"p") + std::to_string(i) + "\":{\"type\":\"integer\"}";
  schema += "}}";
  Schema s(schema);
  EXPECT_MATCH(s, "{}");
  EXPECT_MATCH(s, R"({"p3":1,"p17":2})");
  EXPECT_MATCH(s, R"({"p19":1})");
  EXPECT_NO_MATCH(s, R"({"p17":1,"p3":2})");
}

TEST(GrammarMatcher, AnyOfOneOfAllOf) {
  Schema any(R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1},{"type":"array","items":{"type":"null"}}]})");
  EXPECT_MATCH(any, "5");
  EXPECT_MATCH(any, R"("x")");
  EXPECT_MATCH(any, "[null]");
  EXPECT_NO_MATCH(any, R"("xy")");
  EXPECT_NO_MATCH(any, "true");
  Schema types(R"({"type":["string","null"]})");
  EXPECT_MATCH(types, "null");
  EXPECT_MATCH(types, R"("s")");
  Schema all(R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},
                         {"properties":{"b":{"type":"boolean"}},"required":["b"]}]})");
  EXPECT_MATCH(all, R"({"a":1,"b":true})");
  EXPECT_NO_MATCH(all, R"({"a":1})");
  Schema siblings(R"({"type":"object","properties":{"k":{"type":"integer"}},"anyOf":[{"required":["k"]},{"properties":{"k":{"minimum":5}}}]})");
  EXPECT_MATCH(siblings, R"({"k":1})");
  EXPECT_MATCH(siblings, "{}");
  Schema ranges(R"({"allOf":[{"type":"integer","minimum":0},{"maximum":3}]})");
  EXPECT_MATCH(ranges, "3");
  EXPECT_NO_MATCH(ranges, "4");
  EXPECT_NO_MATCH(ranges, "-1");
}

TEST(GrammarMatcher, RefsAndRecursion) {
  Schema tree(R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
      "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}},"$ref":"#/$defs/node"})");
  EXPECT_MATCH(tree, R"({"v":1})");
  EXPECT_MATCH(tree, R"({"v":1,"kids":[{"v":2,"kids":[]},{"v":3,"kids":[{"v":4}]}]})");
  EXPECT_NO_MATCH(tree, R"({"v":1,"kids":[{"kids":[]}]})");
  Schema definitions(R"({"definitions":{"a~b/c":{"type":"boolean"}},"properties":{"x":{"$ref":"#/definitions/a~0b~1c"}},"required":["x"]})");
  EXPECT_MATCH(definitions, R"({"x":false})");
  Schema nested(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/c"},"c":{"type":"null"}},"$ref":"#/$defs/a"})");
  EXPECT_MATCH(nested, "null");
  Schema sibling(R"({"$defs":{"n":{"type":"integer"}},"$ref":"#/$defs/n","maximum":2})");
  EXPECT_MATCH(sibling, "2");
  EXPECT_NO_MATCH(sibling, "3");
}

TEST(GrammarMatcher, Patterns) {
  Schema s(R"({"type":"string","pattern":"^[a-z]{2,3}-\\d+$"})");
  EXPECT_MATCH(s, R"("ab-1")");
  EXPECT_MATCH(s, R"("abc-123")");
  EXPECT_NO_MATCH(s, R"("a-1")");
  EXPECT_NO_MATCH(s, R"("abcd-1")");
  EXPECT_NO_MATCH(s, R"("ab-")");
  Schema unanchored(R"({"type":"string","pattern":"ab+c"})");
  EXPECT_MATCH(unanchored, R"("xxabbbcyy")");
  EXPECT_NO_MATCH(unanchored, R"("xxacyy")");
  Schema quote(R"({"type":"string","pattern":"^[\"\\\\]+$"})");
  EXPECT_MATCH(quote, R"("\"\\\"")");
  Schema negated(R"({"type":"string","pattern":"^[^a-c]$"})");
  EXPECT_MATCH(negated, R"("d")");
  EXPECT_MATCH(negated, "\"\xC3\xA9\"");
  EXPECT_NO_MATCH(negated, R"("b")");
  Schema alternation(R"({"type":"string","pattern":"^(cat|dog)s?$|^bird$"})");
  EXPECT_MATCH(alternation, R"("dogs")");
  EXPECT_MATCH(alternation, R"("bird")");
  EXPECT_NO_MATCH(alternation, R"("birds")");
}

TEST(GrammarMatcher, RegexSyntax) {
  auto pattern = [](const std::string& p) {
    return Schema(nlohmann::json{{"type", "string"}, {"pattern", p}}.dump());
  };
  Schema escapes = pattern(R"(^\x41\u00e9\t\.\*\/$)");
  EXPECT_MATCH(escapes, "\"A\xC3\xA9\\t.*/\"");
  Schema classes = pattern(R"(^[\w.-]+@[^\s@]+$)");
  EXPECT_MATCH(classes, R"("a.b-c_9@x")");
  EXPECT_NO_MATCH(classes, R"("a b@x")");
  Schema counts = pattern("^a{2,}b{0,1}c{3}$");
  EXPECT_MATCH(counts, R"("aaaaccc")");
  EXPECT_MATCH(counts, R"("aabccc")");
  EXPECT_NO_MATCH(counts, R"("abccc")");
  Schema lazy = pattern("^(?:ab)+?(?<tail>c*?)$");
  EXPECT_MATCH(lazy, R"("ababcc")");
  Schema dot = pattern("^.$");
  EXPECT_MATCH(dot, "\"\xE2\x82\xAC\"");
  EXPECT_NO_MATCH(dot, R"("\n")");
  Schema shorthand = pattern(R"(^\D\S\W$)");
  EXPECT_MATCH(shorthand, R"("a-!")");
  EXPECT_NO_MATCH(shorthand, R"("1-!")");
  EXPECT_NO_MATCH(shorthand, "\"a\xC3\xA9!\"");  // non-ASCII is left out of \S
  Schema literal_brace = pattern("^a{b}$");
  EXPECT_MATCH(literal_brace, R"("a{b}")");
}

TEST(GrammarMatcher, RandomIntegerRangesAreExact) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 40; ++trial) {
    const int lo = static_cast<int>(rng() % 4000) - 2000;
    const int hi = lo + static_cast<int>(rng() % 3000);
    Schema s(R"({"type":"integer","minimum":)" + std::to_string(lo) + R"(,"maximum":)" + std::to_string(hi) + "}");
    for (int v = lo - 150; v <= hi + 150; v += 1 + static_cast<int>(rng() % 7)) {
      ASSERT_EQ(s.matches(std::to_string(v)), v >= lo && v <= hi) << v << " in [" << lo << ", " << hi << "]";
    }
    ASSERT_TRUE(s.matches(std::to_string(lo)));
    ASSERT_TRUE(s.matches(std::to_string(hi)));
  }
}

TEST(GrammarMatcher, Formats) {
  Schema date(R"({"type":"string","format":"date"})");
  EXPECT_MATCH(date, R"("2024-02-28")");
  EXPECT_MATCH(date, R"("1999-12-31")");
  EXPECT_NO_MATCH(date, R"("2024-02-30")");
  EXPECT_NO_MATCH(date, R"("2024-04-31")");
  EXPECT_NO_MATCH(date, R"("2024-13-01")");
  Schema dt(R"({"type":"string","format":"date-time"})");
  EXPECT_MATCH(dt, R"("2024-05-06T07:08:09Z")");
  EXPECT_MATCH(dt, R"("2024-05-06T23:59:59.123+05:30")");
  EXPECT_NO_MATCH(dt, R"("2024-05-06 07:08:09Z")");
  Schema uuid(R"({"type":"string","format":"uuid"})");
  EXPECT_MATCH(uuid, R"("123e4567-e89b-12d3-a456-426614174000")");
  EXPECT_NO_MATCH(uuid, R"("123e4567e89b12d3a456426614174000")");
  Schema email(R"({"type":"string","format":"email"})");
  EXPECT_MATCH(email, R"("first.last+tag@example.co.uk")");
  EXPECT_NO_MATCH(email, R"("no-at-sign.example.com")");
  EXPECT_NO_MATCH(email, R"("a@localhost")");
  Schema uri(R"({"type":"string","format":"uri"})");
  EXPECT_MATCH(uri, R"("https://example.com:8080/a/b?x=1&y=%20#top")");
  EXPECT_MATCH(uri, R"("mailto:someone@example.com")");
  EXPECT_NO_MATCH(uri, R"("no scheme")");
  Schema ip(R"({"type":"string","format":"ipv4"})");
  EXPECT_MATCH(ip, R"("192.168.0.255")");
  EXPECT_NO_MATCH(ip, R"("256.1.1.1")");
}

TEST(GrammarMatcher, EmptySchemaAndTrueMeanAnyValue) {
  for (const char* schema : {"{}", "true", R"({"description":"anything"})"}) {
    Schema s(schema);
    for (const char* ok : {"1", "null", R"("s")", R"({"a":[1,{"b":false}]})", "[]", "-2.5e3"}) EXPECT_MATCH(s, ok);
    EXPECT_NO_MATCH(s, "");
    EXPECT_NO_MATCH(s, "nul");
  }
}

TEST(GrammarMatcher, AnyJsonObjectMode) {
  Schema s(compile_any_json_object(byte_vocab()));
  EXPECT_MATCH(s, "{}");
  EXPECT_MATCH(s, R"({"a": {"b": [1, "c", null]}, "d": true})");
  EXPECT_NO_MATCH(s, "[]");
  EXPECT_NO_MATCH(s, R"("str")");
}

TEST(GrammarMatcher, FlexibleWhitespaceIsBounded) {
  JsonSchemaOptions options;
  options.whitespace = JsonSchemaOptions::Whitespace::kFlexible;
  options.max_whitespace = 6;
  Schema s(R"({"type":"object","properties":{"a":{"type":"array","items":{"type":"integer"}}},"required":["a"]})", options);
  EXPECT_MATCH(s, "{\n  \"a\" : [\n    1,\n    2\n  ]\n}");
  EXPECT_MATCH(s, R"({"a":[1,2]})");
  EXPECT_NO_MATCH(s, "{\n        \"a\":[]}");  // nine characters of whitespace in one place
  Schema compact(R"({"type":"array"})");
  EXPECT_NO_MATCH(compact, "[ 1]");
  EXPECT_MATCH(compact, "[1, 2]");
}

}  // namespace
}  // namespace qwenrt::grammar
