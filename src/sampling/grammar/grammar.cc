#include "sampling/grammar/grammar.h"

#include <cstdio>

#include "base/error.h"

namespace qwenrt::grammar {

RuleId Grammar::add_rule(std::string name) {
  if (rules_.size() >= kMaxRules) {
    throw Error("grammar has more than " + std::to_string(kMaxRules) + " rules");
  }
  rules_.push_back(Rule{std::move(name), -1});
  return static_cast<RuleId>(rules_.size() - 1);
}

void Grammar::define(RuleId rule, ExprId body) { rules_.at(static_cast<size_t>(rule)).body = body; }

ExprId Grammar::add(Expr e) {
  if (exprs_.size() >= kMaxExprs) {
    throw Error("grammar has more than " + std::to_string(kMaxExprs) + " expressions");
  }
  exprs_.push_back(std::move(e));
  return static_cast<ExprId>(exprs_.size() - 1);
}

ExprId Grammar::empty() { return add(Expr{}); }

ExprId Grammar::bytes(const ByteSet& set) {
  Expr e;
  e.kind = Expr::Kind::kBytes;
  e.bytes = set;
  return add(std::move(e));
}

ExprId Grammar::byte(uint8_t b) {
  ByteSet s;
  s.set(b);
  return bytes(s);
}

ExprId Grammar::byte_range(uint8_t lo, uint8_t hi) {
  ByteSet s;
  for (int b = lo; b <= hi; ++b) s.set(static_cast<size_t>(b));
  return bytes(s);
}

ExprId Grammar::literal(std::string_view text) {
  std::vector<ExprId> parts;
  parts.reserve(text.size());
  for (char c : text) parts.push_back(byte(static_cast<uint8_t>(c)));
  return seq(std::move(parts));
}

ExprId Grammar::seq(std::vector<ExprId> parts) {
  if (parts.empty()) return empty();
  if (parts.size() == 1) return parts[0];
  Expr e;
  e.kind = Expr::Kind::kSeq;
  e.children = std::move(parts);
  return add(std::move(e));
}

ExprId Grammar::alt(std::vector<ExprId> options) {
  if (options.size() == 1) return options[0];
  Expr e;
  e.kind = Expr::Kind::kAlt;  // no options: matches nothing
  e.children = std::move(options);
  return add(std::move(e));
}

ExprId Grammar::repeat(ExprId inner, int32_t min, int32_t max) {
  if (min < 0 || (max != kUnbounded && max < min)) {
    throw Error("bad repetition bounds {" + std::to_string(min) + "," + std::to_string(max) + "}");
  }
  if (max == 1 && min == 1) return inner;
  if (max == 0) return empty();
  Expr e;
  e.kind = Expr::Kind::kRepeat;
  e.children = {inner};
  e.min = min;
  e.max = max;
  return add(std::move(e));
}

ExprId Grammar::call(RuleId rule) {
  Expr e;
  e.kind = Expr::Kind::kCall;
  e.rule = rule;
  return add(std::move(e));
}

namespace {

std::string byte_set_string(const ByteSet& s) {
  if (s.count() == 1) {
    for (int b = 0; b < 256; ++b) {
      if (!s.test(static_cast<size_t>(b))) continue;
      if (b >= 0x21 && b < 0x7f && b != '\'' && b != '\\') return std::string("'") + char(b) + "'";
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      return buf;
    }
  }
  std::string out = "[";
  for (int b = 0; b < 256;) {
    if (!s.test(static_cast<size_t>(b))) {
      ++b;
      continue;
    }
    int e = b;
    while (e + 1 < 256 && s.test(static_cast<size_t>(e + 1))) ++e;
    char buf[24];
    if (e == b) std::snprintf(buf, sizeof buf, "\\x%02x", b);
    else std::snprintf(buf, sizeof buf, "\\x%02x-\\x%02x", b, e);
    out += buf;
    b = e + 1;
  }
  return out + "]";
}

}  // namespace

std::string Grammar::to_string() const {
  // Iterative would be safer, but expression depth is bounded by the schema depth limit.
  struct Printer {
    const Grammar& g;
    std::string out;
    void print(ExprId id) {
      const Expr& e = g.expr(id);
      switch (e.kind) {
        case Expr::Kind::kEmpty: out += "()"; break;
        case Expr::Kind::kBytes: out += byte_set_string(e.bytes); break;
        case Expr::Kind::kCall: out += g.rule(e.rule).name; break;
        case Expr::Kind::kSeq:
        case Expr::Kind::kAlt:
          out += "(";
          for (size_t i = 0; i < e.children.size(); ++i) {
            if (i) out += e.kind == Expr::Kind::kSeq ? " " : " | ";
            print(e.children[i]);
          }
          out += ")";
          break;
        case Expr::Kind::kRepeat:
          print(e.children[0]);
          out += "{" + std::to_string(e.min) + "," +
                 (e.max == kUnbounded ? std::string() : std::to_string(e.max)) + "}";
          break;
      }
    }
  };
  Printer p{*this, {}};
  for (size_t r = 0; r < rules_.size(); ++r) {
    p.out += rules_[r].name + (static_cast<RuleId>(r) == root_ ? " (root)" : "") + " ::= ";
    if (rules_[r].body >= 0) p.print(rules_[r].body);
    p.out += "\n";
  }
  return p.out;
}

}  // namespace qwenrt::grammar
