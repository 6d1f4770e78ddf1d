#include "sampling/grammar/json_tokens.h"

#include <cstdio>

namespace qwenrt::grammar {

JsonTokens::JsonTokens(Grammar& g, const JsonSchemaOptions& options) : g_(g), options_(options) {}

ExprId JsonTokens::ws() {
  if (options_.whitespace == JsonSchemaOptions::Whitespace::kCompact) return g_.empty();
  if (ws_rule_ < 0) {
    ws_rule_ = g_.add_rule("ws");
    ByteSet space;
    for (char c : std::string_view(" \t\n\r")) space.set(static_cast<uint8_t>(c));
    g_.define(ws_rule_, g_.repeat(g_.bytes(space), 0, options_.max_whitespace));
  }
  return g_.call(ws_rule_);
}

ExprId JsonTokens::open_object() { return g_.seq({g_.byte('{'), ws()}); }
ExprId JsonTokens::close_object() { return g_.seq({ws(), g_.byte('}')}); }
ExprId JsonTokens::open_array() { return g_.seq({g_.byte('['), ws()}); }
ExprId JsonTokens::close_array() { return g_.seq({ws(), g_.byte(']')}); }

ExprId JsonTokens::colon() {
  if (options_.whitespace == JsonSchemaOptions::Whitespace::kCompact) {
    return g_.seq({g_.byte(':'), g_.optional(g_.byte(' '))});
  }
  return g_.seq({ws(), g_.byte(':'), ws()});
}

ExprId JsonTokens::comma() {
  if (options_.whitespace == JsonSchemaOptions::Whitespace::kCompact) {
    return g_.seq({g_.byte(','), g_.optional(g_.byte(' '))});
  }
  return g_.seq({ws(), g_.byte(','), ws()});
}

CodepointSet JsonTokens::raw_string_codepoints() {
  CodepointSet s = CodepointSet::range(0x20, kMaxCodepoint);
  return s.minus(CodepointSet::range('"', '"')).minus(CodepointSet::range('\\', '\\'));
}

ExprId JsonTokens::hex() {
  ByteSet h;
  for (char c : std::string_view("0123456789abcdefABCDEF")) h.set(static_cast<uint8_t>(c));
  return g_.bytes(h);
}

ExprId JsonTokens::string_char() {
  if (string_char_ >= 0) return string_char_;
  ByteSet simple;
  for (char c : std::string_view("\"\\/bfnrt")) simple.set(static_cast<uint8_t>(c));
  ByteSet not_d;
  for (char c : std::string_view("0123456789abcefABCEF")) not_d.set(static_cast<uint8_t>(c));
  // \uXXXX except the surrogates D800-DFFF.
  const ExprId unicode = g_.seq({g_.byte('u'),
                                 g_.alt({g_.seq({g_.bytes(not_d), hex(), hex(), hex()}),
                                         g_.seq({g_.alt({g_.byte('d'), g_.byte('D')}), g_.byte_range('0', '7'), hex(), hex()})})});
  const ExprId escape = g_.seq({g_.byte('\\'), g_.alt({g_.bytes(simple), unicode})});
  string_char_ = g_.alt({utf8_expr(g_, raw_string_codepoints()), escape});
  return string_char_;
}

ExprId JsonTokens::raw_chars(const CodepointSet& set) { return utf8_expr(g_, set.intersect(raw_string_codepoints())); }

ExprId JsonTokens::chars(const CodepointSet& set) {
  std::vector<ExprId> options{raw_chars(set)};
  // Characters JSON must escape, each in one spelling.
  for (uint32_t c = 0; c < 0x20; ++c) {
    if (!set.contains(c)) continue;
    const char* short_form = c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                             : c == '\t' ? "\\t" : nullptr;
    if (short_form) {
      options.push_back(g_.literal(short_form));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      options.push_back(g_.literal(buf));
    }
  }
  if (set.contains('"')) options.push_back(g_.literal("\\\""));
  if (set.contains('\\')) options.push_back(g_.literal("\\\\"));
  return g_.alt(std::move(options));
}

ExprId JsonTokens::quoted(ExprId content) { return g_.seq({g_.byte('"'), content, g_.byte('"')}); }

ExprId JsonTokens::string() {
  if (string_rule_ < 0) {
    string_rule_ = g_.add_rule("string");
    g_.define(string_rule_, quoted(g_.star(string_char())));
  }
  return g_.call(string_rule_);
}

ExprId JsonTokens::integer() {
  const ExprId magnitude =
      g_.alt({g_.byte('0'), g_.seq({g_.byte_range('1', '9'), g_.repeat(g_.byte_range('0', '9'), 0, kMaxIntegerDigits - 1)})});
  return g_.seq({g_.optional(g_.byte('-')), magnitude});
}

ExprId JsonTokens::number() {
  const ExprId fraction = g_.seq({g_.byte('.'), g_.repeat(g_.byte_range('0', '9'), 1, kMaxFractionDigits)});
  ByteSet e, sign;
  e.set('e'), e.set('E'), sign.set('+'), sign.set('-');
  const ExprId exponent =
      g_.seq({g_.bytes(e), g_.optional(g_.bytes(sign)), g_.repeat(g_.byte_range('0', '9'), 1, kMaxExponentDigits)});
  return g_.seq({integer(), g_.optional(fraction), g_.optional(exponent)});
}

ExprId JsonTokens::boolean() { return g_.alt({g_.literal("true"), g_.literal("false")}); }
ExprId JsonTokens::null() { return g_.literal("null"); }

ExprId JsonTokens::any_value() {
  if (value_rule_ < 0) {
    value_rule_ = g_.add_rule("value");
    object_rule_ = g_.add_rule("object");
    array_rule_ = g_.add_rule("array");
    g_.define(value_rule_, g_.alt({g_.call(object_rule_), g_.call(array_rule_), string(), number(), boolean(), null()}));
    const ExprId member = g_.seq({string(), colon(), g_.call(value_rule_)});
    g_.define(object_rule_, g_.seq({open_object(), g_.optional(g_.seq({member, g_.star(g_.seq({comma(), member}))})),
                                    close_object()}));
    const ExprId element = g_.call(value_rule_);
    g_.define(array_rule_, g_.seq({open_array(), g_.optional(g_.seq({element, g_.star(g_.seq({comma(), element}))})),
                                   close_array()}));
  }
  return g_.call(value_rule_);
}

ExprId JsonTokens::any_object() {
  any_value();
  return g_.call(object_rule_);
}

ExprId JsonTokens::any_array() {
  any_value();
  return g_.call(array_rule_);
}

ExprId JsonTokens::literal_json(const nlohmann::ordered_json& value) { return g_.literal(value.dump()); }

}  // namespace qwenrt::grammar
