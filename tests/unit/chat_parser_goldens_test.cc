// Checks the Python-compatible pieces of the output parsers against values
// Python itself produced (tools/goldens/make_parser_goldens.py writes the
// fixture): json.dumps(json.loads(x), ensure_ascii=False), ast.literal_eval,
// and the Qwen3-Coder parameter conversion table.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "chat/python_json.h"
#include "chat/python_literal.h"
#include "chat/qwen3_coder_values.h"

namespace qwenrt {
namespace {

Json load_goldens() {
  const std::string path = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/chat/parser_values.json";
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "missing " << path << ": run tools/goldens/make_parser_goldens.py";
  std::stringstream text;
  text << file.rdbuf();
  std::optional<Json> goldens = parse_json(text.str());
  EXPECT_TRUE(goldens.has_value()) << path << " is not JSON";
  return goldens.value_or(Json::object());
}

const Json& goldens() {
  static const Json loaded = load_goldens();
  return loaded;
}

TEST(PythonJsonGoldens, DumpsMatchesPython) {
  const Json& cases = goldens()["json_dumps"];
  ASSERT_GT(cases.size(), 400u);
  for (const Json& c : cases) {
    const std::string input = c["input"].get<std::string>();
    const std::optional<Json> parsed = parse_json(input);
    ASSERT_TRUE(parsed.has_value()) << input;
    EXPECT_EQ(python_json_dumps(*parsed), c["expected"].get<std::string>()) << "input: " << input;
  }
}

TEST(PythonJsonGoldens, DumpsIsStableOnItsOwnOutput) {
  // json.dumps output read back and written again is unchanged.
  for (const Json& c : goldens()["json_dumps"]) {
    const std::string expected = c["expected"].get<std::string>();
    if (expected.find("Infinity") != std::string::npos) continue;  // not JSON (Python-only spelling)
    const std::optional<Json> parsed = parse_json(expected);
    ASSERT_TRUE(parsed.has_value()) << expected;
    EXPECT_EQ(python_json_dumps(*parsed), expected);
  }
}

TEST(PythonJsonGoldens, LiteralEvalMatchesPython) {
  const Json& cases = goldens()["literal_eval"];
  ASSERT_GT(cases.size(), 40u);
  for (const Json& c : cases) {
    const std::string input = c["input"].get<std::string>();
    const std::optional<Json> value = python_literal_eval(input);
    if (c["expected"].is_null()) {
      EXPECT_FALSE(value.has_value()) << "literal_eval should reject: " << input << " got "
                                      << python_json_dumps(value.value_or(Json()));
    } else {
      ASSERT_TRUE(value.has_value()) << "literal_eval should accept: " << input;
      EXPECT_EQ(python_json_dumps(*value), c["expected"].get<std::string>()) << "input: " << input;
    }
  }
}

TEST(PythonJsonGoldens, Qwen3CoderValueConversionMatchesTable) {
  const Json& cases = goldens()["qwen3_coder_values"];
  ASSERT_GT(cases.size(), 500u);
  for (const Json& c : cases) {
    const std::string raw = c["raw"].get<std::string>();
    Json properties = Json::object();
    const Json* schema_properties = nullptr;
    if (!c["schema"].is_null()) {
      properties["p"] = c["schema"];
      schema_properties = &properties;
    }
    const Json value = convert_qwen3_coder_value(raw, "p", schema_properties);
    EXPECT_EQ(python_json_dumps(value), c["expected"].get<std::string>())
        << "schema " << python_json_dumps(c["schema"]) << " raw '" << raw << "'";
  }
}

TEST(PythonJson, RejectsWhatJsonLoadsRejectsAndNeverThrows) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\":}", "\"unterminated", "tru", "01", "{\"a\" 1}", "\"\xff\"",
                          "[1] [2]", "{\"a\": \"x\ny\"}"}) {
    EXPECT_FALSE(parse_json(bad).has_value()) << bad;
  }
}

TEST(PythonJson, NestingLimitRejectsInsteadOfRecursingForever) {
  const std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_FALSE(parse_json(deep).has_value());
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  ASSERT_TRUE(parse_json(ok).has_value());
  EXPECT_EQ(python_json_dumps(*parse_json(ok)), ok);
}

TEST(PythonJson, ExactIntegerDigitsOfLargeDoubles) {
  // Each power of two is exact in a double; its digits come from 64-bit and
  // long-multiplication arithmetic independently of the code under test.
  std::string digits = "1";
  for (int exponent = 0; exponent <= 1023; ++exponent) {
    EXPECT_EQ(exact_integer_digits(std::ldexp(1.0, exponent)), digits) << "2^" << exponent;
    int carry = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
      const int d = (*it - '0') * 2 + carry;
      *it = static_cast<char>('0' + d % 10);
      carry = d / 10;
    }
    if (carry) digits.insert(digits.begin(), static_cast<char>('0' + carry));
  }
}

}  // namespace
}  // namespace qwenrt
