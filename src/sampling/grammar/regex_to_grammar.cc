#include "sampling/grammar/regex_to_grammar.h"

#include <string>
#include <vector>

#include "base/error.h"

namespace qwenrt::grammar {

namespace {

constexpr int kMaxGroupDepth = 128;
constexpr int32_t kMaxCount = 100000;

struct Node {
  enum Kind { kChars, kSeq, kAlt, kRepeat, kStart, kEnd } kind = kSeq;
  CodepointSet set;          // kChars
  std::vector<Node> kids;    // kSeq, kAlt, kRepeat (one)
  int32_t min = 0, max = 0;  // kRepeat
};

CodepointSet ascii() { return CodepointSet::range(0, 0x7F); }
CodepointSet digits() { return CodepointSet::range('0', '9'); }
CodepointSet word() {
  CodepointSet s = digits();
  s.add('A', 'Z');
  s.add('a', 'z');
  s.add('_');
  return s;
}
CodepointSet space() {
  CodepointSet s;
  s.add('\t', '\r');  // \t \n \v \f \r
  s.add(' ');
  return s;
}
// Python's re also counts \x1c-\x1f as whitespace: keep them out of \S.
CodepointSet non_space() { return ascii().minus(space()).minus(CodepointSet::range(0x1C, 0x1F)); }
CodepointSet line_terminators() {
  CodepointSet s;
  s.add('\n');
  s.add('\r');
  s.add(0x2028, 0x2029);
  return s;
}

class RegexParser {
 public:
  explicit RegexParser(std::string_view p) : p_(p) {}

  Node parse() {
    Node n = alternation(0);
    if (pos_ < p_.size()) fail("unbalanced ')'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("pattern \"" + std::string(p_.substr(0, 200)) + "\": " + what + " at offset " + std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= p_.size(); }
  char peek() const { return at_end() ? '\0' : p_[pos_]; }
  bool eat(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }
  uint32_t next_codepoint_raw() {
    std::string s(p_.substr(pos_, 4));
    size_t i = 0;
    const uint32_t c = next_codepoint(s, i);
    pos_ += i;
    return c;
  }

  Node alternation(int depth) {
    if (depth > kMaxGroupDepth) fail("groups nested deeper than " + std::to_string(kMaxGroupDepth));
    Node alt;
    alt.kind = Node::kAlt;
    alt.kids.push_back(sequence(depth));
    while (eat('|')) alt.kids.push_back(sequence(depth));
    return alt.kids.size() == 1 ? std::move(alt.kids[0]) : alt;
  }

  Node sequence(int depth) {
    Node seq;
    seq.kind = Node::kSeq;
    while (!at_end() && peek() != '|' && peek() != ')') seq.kids.push_back(quantified(depth));
    return seq;
  }

  bool read_int(int32_t& out) {
    const size_t start = pos_;
    int64_t v = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      v = std::min<int64_t>(v * 10 + (p_[pos_++] - '0'), kMaxCount + 1);
    }
    out = static_cast<int32_t>(v);
    return pos_ > start;
  }

  // {n}, {n,}, {n,m} at pos_ (just after '{'); false (pos_ restored) if not one.
  bool braces(int32_t& min, int32_t& max) {
    const size_t start = pos_;
    if (read_int(min)) {
      max = min;
      if (eat(',')) {
        if (!read_int(max)) max = kUnbounded;
      }
      if (eat('}')) {
        if (min > kMaxCount || max > kMaxCount) fail("repetition count above " + std::to_string(kMaxCount));
        if (max != kUnbounded && max < min) fail("repetition {n,m} with m < n");
        return true;
      }
    }
    pos_ = start;
    return false;
  }

  Node quantified(int depth) {
    Node atom_node = atom(depth);
    int32_t min = 0, max = 0;
    const size_t before = pos_;
    if (eat('*')) min = 0, max = kUnbounded;
    else if (eat('+')) min = 1, max = kUnbounded;
    else if (eat('?')) min = 0, max = 1;
    else if (peek() == '{' && (++pos_, braces(min, max))) {
    } else {
      pos_ = before;
      return atom_node;
    }
    if (atom_node.kind == Node::kStart || atom_node.kind == Node::kEnd) fail("quantified anchor");
    eat('?');  // lazy: same language
    if (peek() == '*' || peek() == '+' || peek() == '?') fail("nothing to repeat");
    if (peek() == '{') {
      int32_t a = 0, b = 0;
      const size_t at = pos_++;
      const bool another = braces(a, b);
      pos_ = at;
      if (another) fail("nothing to repeat");
    }
    Node r;
    r.kind = Node::kRepeat;
    r.min = min;
    r.max = max;
    r.kids.push_back(std::move(atom_node));
    return r;
  }

  static Node chars(CodepointSet set) {
    Node n;
    n.kind = Node::kChars;
    n.set = std::move(set);
    return n;
  }

  Node atom(int depth) {
    const char c = peek();
    if (c == '(') {
      ++pos_;
      if (eat('?')) {
        if (eat(':')) {
        } else if (peek() == '<' && pos_ + 1 < p_.size() && p_[pos_ + 1] != '=' && p_[pos_ + 1] != '!') {
          const size_t close = p_.find('>', pos_);
          if (close == std::string_view::npos) fail("unterminated group name");
          pos_ = close + 1;
        } else {
          fail("lookaround and inline flags are not supported");
        }
      }
      Node inner = alternation(depth + 1);
      if (!eat(')')) fail("missing ')'");
      return inner;
    }
    if (c == ')') fail("unbalanced ')'");
    if (c == '*' || c == '+' || c == '?') fail("nothing to repeat");
    ++pos_;
    switch (c) {
      case '^': { Node n; n.kind = Node::kStart; return n; }
      case '$': { Node n; n.kind = Node::kEnd; return n; }
      case '.': return chars(CodepointSet::all().minus(line_terminators()));
      case '[': return chars(char_class());
      case '\\': return chars(escape(false).set);
      default:
        --pos_;
        const uint32_t cp = next_codepoint_raw();
        return chars(CodepointSet::range(cp, cp));
    }
  }

  struct Escape {
    CodepointSet set;
    bool shorthand = false;  // \d \w \s and their negations
    bool single = false;     // one code point (may start a range in a class)
    uint32_t c = 0;
  };

  uint32_t hex_digits(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      const char h = peek();
      int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
      if (d < 0) fail("bad hex escape");
      ++pos_;
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return v;
  }

  Escape one(uint32_t c) {
    Escape e;
    e.set = CodepointSet::range(c, c);
    e.single = true;
    e.c = c;
    return e;
  }

  Escape shorthand(CodepointSet set) {
    Escape e;
    e.set = std::move(set);
    e.shorthand = true;
    return e;
  }

  // After a backslash.
  Escape escape(bool in_class) {
    if (at_end()) fail("pattern ends with '\\'");
    const char c = p_[pos_++];
    switch (c) {
      case 'd': return shorthand(digits());
      case 'D': return shorthand(ascii().minus(digits()));
      case 'w': return shorthand(word());
      case 'W': return shorthand(ascii().minus(word()));
      case 's': return shorthand(space());
      case 'S': return shorthand(non_space());
      case 'n': return one('\n');
      case 'r': return one('\r');
      case 't': return one('\t');
      case 'f': return one('\f');
      case 'v': return one('\v');
      case '0':
        if (peek() >= '0' && peek() <= '9') fail("octal escapes are not supported");
        return one(0);
      case 'x': return one(hex_digits(2));
      case 'u':
        if (eat('{')) {
          uint32_t v = 0;
          int n = 0;
          while (!eat('}')) {
            v = v * 16 + hex_digits(1);
            if (++n > 6 || v > kMaxCodepoint) fail("bad \\u{...} escape");
          }
          return one(v);
        }
        return one(hex_digits(4));
      case 'b':
        if (in_class) return one('\b');
        fail("word boundaries (\\b) are not supported");
      case 'B': fail("word boundaries (\\B) are not supported");
      case 'p':
      case 'P': fail("Unicode property escapes are not supported");
      case 'c': fail("control escapes (\\c) are not supported");
      case 'k': fail("named backreferences are not supported");
      default:
        if (c >= '1' && c <= '9') fail("backreferences are not supported");
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) fail(std::string("unknown escape \\") + c);
        --pos_;
        return one(next_codepoint_raw());
    }
  }

  // After '['.
  CodepointSet char_class() {
    const bool negated = eat('^');
    CodepointSet set;
    bool has_shorthand = false;
    while (true) {
      if (at_end()) fail("missing ']'");
      if (eat(']')) break;
      Escape first = eat('\\') ? escape(true) : one(next_codepoint_raw());
      has_shorthand |= first.shorthand;
      if (first.single && peek() == '-' && pos_ + 1 < p_.size() && p_[pos_ + 1] != ']') {
        ++pos_;
        Escape last = eat('\\') ? escape(true) : one(next_codepoint_raw());
        if (!last.single) fail("bad class range");
        if (last.c < first.c) fail("class range out of order");
        set.add(first.c, last.c);
      } else {
        set.add(first.set);
      }
    }
    if (!negated) return set;
    CodepointSet out = set.complement();
    return has_shorthand ? out.intersect(ascii()) : out;
  }

  std::string_view p_;
  size_t pos_ = 0;
};

class Emitter {
 public:
  Emitter(Grammar& g, JsonTokens& json) : g_(g), json_(json) {}

  ExprId emit(const Node& n) {
    switch (n.kind) {
      case Node::kChars: return json_.chars(n.set);
      case Node::kSeq: {
        std::vector<ExprId> parts;
        for (const Node& k : n.kids) parts.push_back(emit(k));
        return g_.seq(std::move(parts));
      }
      case Node::kAlt: {
        std::vector<ExprId> parts;
        for (const Node& k : n.kids) parts.push_back(emit(k));
        return g_.alt(std::move(parts));
      }
      case Node::kRepeat: return g_.repeat(emit(n.kids[0]), n.min, n.max);
      case Node::kStart:
      case Node::kEnd: throw Error("pattern: anchors (^, $) are only supported at the start and end of the pattern");
    }
    return g_.empty();
  }

  // One top-level alternative: strips its anchors; the unanchored sides accept any text.
  ExprId top_level(const Node& branch) {
    std::vector<const Node*> items;
    if (branch.kind == Node::kSeq) {
      for (const Node& k : branch.kids) items.push_back(&k);
    } else {
      items.push_back(&branch);
    }
    bool anchored_start = false, anchored_end = false;
    if (!items.empty() && items.front()->kind == Node::kStart) anchored_start = true, items.erase(items.begin());
    if (!items.empty() && items.back()->kind == Node::kEnd) anchored_end = true, items.pop_back();
    std::vector<ExprId> parts;
    const ExprId any = g_.star(json_.string_char());
    if (!anchored_start) parts.push_back(any);
    for (const Node* k : items) parts.push_back(emit(*k));
    if (!anchored_end) parts.push_back(any);
    return g_.seq(std::move(parts));
  }

 private:
  Grammar& g_;
  JsonTokens& json_;
};

}  // namespace

ExprId regex_to_grammar(Grammar& g, JsonTokens& json, std::string_view pattern) {
  const Node root = RegexParser(pattern).parse();
  Emitter emitter(g, json);
  if (root.kind != Node::kAlt) return emitter.top_level(root);
  std::vector<ExprId> branches;
  for (const Node& b : root.kids) branches.push_back(emitter.top_level(b));
  return g.alt(std::move(branches));
}

}  // namespace qwenrt::grammar
