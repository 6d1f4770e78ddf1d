// Grammar -> pushdown automaton: a Thompson NFA per rule, byte classes shared by all
// rules, subset construction per rule (calls are symbols like bytes), then the
// fewest-bytes-to-finish analysis, trimming of dead edges and the left-recursion check.
#include "sampling/grammar/pda.h"

#include <algorithm>
#include <unordered_map>

#include "base/error.h"

namespace qwenrt::grammar {

namespace {

struct NfaEdge {
  int32_t from, to;
  int32_t label;  // byte-set id (kBytes) or rule id (kCall); unused for epsilon
  enum Kind : uint8_t { kEpsilon, kBytes, kCall } kind;
};

struct VectorHash {
  size_t operator()(const std::vector<int32_t>& v) const {
    uint64_t h = 1469598103934665603ull;
    for (int32_t x : v) h = (h ^ static_cast<uint32_t>(x)) * 1099511628211ull;
    return static_cast<size_t>(h);
  }
};

// Byte sets of the grammar, each split into the byte classes it covers.
struct ByteClasses {
  int32_t count = 1;
  uint8_t of[256] = {};
  std::unordered_map<ByteSet, int32_t> set_ids;
  std::vector<std::vector<uint16_t>> classes_of_set;  // by set id
};

ByteClasses partition_bytes(const Grammar& g) {
  ByteClasses bc;
  for (size_t i = 0; i < g.expr_count(); ++i) {
    const Expr& e = g.expr(static_cast<ExprId>(i));
    if (e.kind != Expr::Kind::kBytes) continue;
    if (!bc.set_ids.emplace(e.bytes, static_cast<int32_t>(bc.set_ids.size())).second) continue;
    // Refine: bytes of one class that differ in membership get different classes.
    int32_t remap[256][2];
    for (auto& r : remap) r[0] = r[1] = -1;
    int32_t n = 0;
    uint8_t next_of[256];
    for (int b = 0; b < 256; ++b) {
      int32_t& slot = remap[bc.of[b]][e.bytes.test(static_cast<size_t>(b)) ? 1 : 0];
      if (slot < 0) slot = n++;
      next_of[b] = static_cast<uint8_t>(slot);
    }
    std::copy(next_of, next_of + 256, bc.of);
    bc.count = n;
  }
  bc.classes_of_set.resize(bc.set_ids.size());
  for (const auto& [set, id] : bc.set_ids) {
    std::vector<bool> seen(static_cast<size_t>(bc.count), false);
    for (int b = 0; b < 256; ++b) {
      if (set.test(static_cast<size_t>(b)) && !seen[bc.of[b]]) {
        seen[bc.of[b]] = true;
        bc.classes_of_set[static_cast<size_t>(id)].push_back(bc.of[b]);
      }
    }
  }
  return bc;
}

// Thompson construction of one rule body.
class NfaBuilder {
 public:
  NfaBuilder(const Grammar& g, const ByteClasses& bc, size_t limit, const std::string& rule_name)
      : g_(g), bc_(bc), limit_(limit), rule_name_(rule_name) {}

  void build_rule(ExprId body) {
    std::unordered_map<ExprId, size_t> memo;
    if (estimate(body, memo) > limit_) too_large();
    start = new_state();
    end = new_state();
    build(body, start, end);
  }

  int32_t start = 0, end = 0;
  int32_t states = 0;
  std::vector<NfaEdge> edges;

 private:
  [[noreturn]] void too_large() const {
    throw Error("grammar rule " + rule_name_ + " expands to more than " + std::to_string(limit_) +
                " automaton states (repetition counts too large)");
  }

  // States the expansion of `e` creates, saturating just above the limit.
  size_t estimate(ExprId id, std::unordered_map<ExprId, size_t>& memo) const {
    if (auto it = memo.find(id); it != memo.end()) return it->second;
    const Expr& e = g_.expr(id);
    size_t n = 1;
    if (e.kind == Expr::Kind::kSeq || e.kind == Expr::Kind::kAlt) {
      n = 1;
      for (ExprId c : e.children) n = std::min(limit_ + 1, n + estimate(c, memo));
    } else if (e.kind == Expr::Kind::kRepeat) {
      const size_t copies = e.max == kUnbounded ? static_cast<size_t>(e.min) + 1 : static_cast<size_t>(e.max);
      const size_t one = estimate(e.children[0], memo);
      n = copies != 0 && one > (limit_ + 1) / copies ? limit_ + 1 : std::min(limit_ + 1, one * copies + 2);
    }
    memo[id] = n;
    return n;
  }

  int32_t new_state() {
    if (static_cast<size_t>(states) >= limit_) too_large();
    return states++;
  }
  void edge(int32_t from, int32_t to, NfaEdge::Kind kind, int32_t label = 0) {
    edges.push_back(NfaEdge{from, to, label, kind});
  }

  // Connects `in` to `out` through `e`. Loops only ever use fresh states, so options
  // of an alternation may share `in` and `out`.
  void build(ExprId id, int32_t in, int32_t out) {
    const Expr& e = g_.expr(id);
    switch (e.kind) {
      case Expr::Kind::kEmpty: edge(in, out, NfaEdge::kEpsilon); return;
      case Expr::Kind::kBytes:
        edge(in, out, NfaEdge::kBytes, bc_.set_ids.at(e.bytes));
        return;
      case Expr::Kind::kCall: edge(in, out, NfaEdge::kCall, e.rule); return;
      case Expr::Kind::kAlt:
        for (ExprId c : e.children) build(c, in, out);
        return;
      case Expr::Kind::kSeq: {
        int32_t cur = in;
        for (size_t i = 0; i < e.children.size(); ++i) {
          const int32_t nxt = i + 1 == e.children.size() ? out : new_state();
          build(e.children[i], cur, nxt);
          cur = nxt;
        }
        return;
      }
      case Expr::Kind::kRepeat: {
        const ExprId c = e.children[0];
        int32_t cur = in;
        for (int32_t i = 0; i < e.min; ++i) {
          const int32_t nxt = (i + 1 == e.min && e.max == e.min) ? out : new_state();
          build(c, cur, nxt);
          cur = nxt;
        }
        if (e.max == e.min) {
          if (e.min == 0) edge(in, out, NfaEdge::kEpsilon);
          return;
        }
        if (e.max == kUnbounded) {
          const int32_t loop = new_state();
          edge(cur, loop, NfaEdge::kEpsilon);
          build(c, loop, loop);
          edge(loop, out, NfaEdge::kEpsilon);
          return;
        }
        for (int32_t i = e.min; i < e.max; ++i) {
          edge(cur, out, NfaEdge::kEpsilon);
          const int32_t nxt = i + 1 == e.max ? out : new_state();
          build(c, cur, nxt);
          cur = nxt;
        }
        return;
      }
    }
  }

  const Grammar& g_;
  const ByteClasses& bc_;
  size_t limit_;
  const std::string& rule_name_;
};

// One rule's DFA, states numbered from 0 (the start).
struct RuleDfa {
  std::vector<int32_t> next;  // local state * classes + class
  std::vector<std::vector<CallEdge>> calls;
  std::vector<bool> final;
};

RuleDfa determinize(const NfaBuilder& nfa, const ByteClasses& bc, size_t max_states,
                    const std::string& rule_name) {
  const int32_t n = nfa.states;
  // CSR of edges by source state.
  std::vector<int32_t> begin(static_cast<size_t>(n) + 1, 0);
  for (const NfaEdge& e : nfa.edges) ++begin[static_cast<size_t>(e.from) + 1];
  for (int32_t i = 0; i < n; ++i) begin[i + 1] += begin[i];
  std::vector<NfaEdge> by_from(nfa.edges.size());
  {
    std::vector<int32_t> fill(begin.begin(), begin.end() - 1);
    for (const NfaEdge& e : nfa.edges) by_from[static_cast<size_t>(fill[e.from]++)] = e;
  }
  std::vector<uint32_t> stamp(static_cast<size_t>(n), 0);
  uint32_t epoch = 0;
  std::vector<int32_t> work;
  // Epsilon closure of `set`, sorted.
  auto close = [&](std::vector<int32_t>& set) {
    ++epoch;
    work.assign(set.begin(), set.end());
    set.clear();
    while (!work.empty()) {
      const int32_t s = work.back();
      work.pop_back();
      if (stamp[s] == epoch) continue;
      stamp[s] = epoch;
      set.push_back(s);
      for (int32_t i = begin[s]; i < begin[s + 1]; ++i) {
        if (by_from[i].kind == NfaEdge::kEpsilon && stamp[by_from[i].to] != epoch) work.push_back(by_from[i].to);
      }
    }
    std::sort(set.begin(), set.end());
  };

  RuleDfa dfa;
  std::unordered_map<std::vector<int32_t>, int32_t, VectorHash> ids;
  std::vector<std::vector<int32_t>> sets;
  auto intern = [&](std::vector<int32_t>&& set) -> int32_t {
    auto [it, inserted] = ids.emplace(set, static_cast<int32_t>(sets.size()));
    if (inserted) {
      if (sets.size() >= max_states) {
        throw Error("grammar rule " + rule_name + " needs more than " + std::to_string(max_states) +
                    " automaton states");
      }
      sets.push_back(std::move(set));
    }
    return it->second;
  };
  std::vector<int32_t> start{nfa.start};
  close(start);
  intern(std::move(start));

  const size_t classes = static_cast<size_t>(bc.count);
  std::vector<std::vector<int32_t>> bucket(classes);
  std::vector<std::pair<RuleId, int32_t>> call_targets;
  for (size_t d = 0; d < sets.size(); ++d) {
    for (auto& b : bucket) b.clear();
    call_targets.clear();
    bool final = false;
    for (int32_t s : sets[d]) {
      if (s == nfa.end) final = true;
      for (int32_t i = begin[s]; i < begin[s + 1]; ++i) {
        const NfaEdge& e = by_from[i];
        if (e.kind == NfaEdge::kBytes) {
          for (uint16_t c : bc.classes_of_set[static_cast<size_t>(e.label)]) bucket[c].push_back(e.to);
        } else if (e.kind == NfaEdge::kCall) {
          call_targets.emplace_back(e.label, e.to);
        }
      }
    }
    dfa.final.push_back(final);
    dfa.next.resize((d + 1) * classes, Pda::kNoState);
    for (size_t c = 0; c < classes; ++c) {
      if (bucket[c].empty()) continue;
      std::vector<int32_t> target = bucket[c];
      close(target);
      dfa.next[d * classes + c] = intern(std::move(target));
    }
    std::sort(call_targets.begin(), call_targets.end());
    std::vector<CallEdge> calls;
    for (size_t i = 0; i < call_targets.size();) {
      std::vector<int32_t> target;
      size_t j = i;
      for (; j < call_targets.size() && call_targets[j].first == call_targets[i].first; ++j) {
        target.push_back(call_targets[j].second);
      }
      close(target);
      calls.push_back(CallEdge{call_targets[i].first, intern(std::move(target))});
      i = j;
    }
    dfa.calls.push_back(std::move(calls));
  }
  return dfa;
}

}  // namespace

class PdaBuilder {
 public:
  static Pda build(const Grammar& g, const PdaLimits& limits);

 private:
  static void compute_distances(Pda& p);
  static void trim(Pda& p);
  static void check_left_recursion(const Pda& p);
};

Pda PdaBuilder::build(const Grammar& g, const PdaLimits& limits) {
  if (g.root() < 0) throw Error("grammar has no root rule");
  const ByteClasses bc = partition_bytes(g);
  Pda p;
  p.num_classes_ = bc.count;
  std::copy(bc.of, bc.of + 256, p.byte_class_);
  p.root_ = g.root();
  const size_t classes = static_cast<size_t>(bc.count);
  std::vector<std::vector<CallEdge>> calls;
  for (size_t r = 0; r < g.rule_count(); ++r) {
    const Rule& rule = g.rule(static_cast<RuleId>(r));
    p.rule_names_.push_back(rule.name);
    if (rule.body < 0) throw Error("grammar rule " + rule.name + " is declared but never defined");
    NfaBuilder nfa(g, bc, limits.max_nfa_states_per_rule, rule.name);
    nfa.build_rule(rule.body);
    const size_t remaining = limits.max_dfa_states - std::min(limits.max_dfa_states, p.flags_.size());
    RuleDfa dfa = determinize(nfa, bc, remaining, rule.name);
    const int32_t offset = static_cast<int32_t>(p.flags_.size());
    const size_t local = dfa.final.size();
    if ((p.flags_.size() + local) * classes > limits.max_table_entries) {
      throw Error("grammar automaton exceeds " + std::to_string(limits.max_table_entries) +
                  " transitions (schema too large)");
    }
    p.rule_start_.push_back(offset);
    for (size_t s = 0; s < local; ++s) {
      p.flags_.push_back(dfa.final[s] ? Pda::kFinal : 0);
      p.rule_of_.push_back(static_cast<RuleId>(r));
      for (size_t c = 0; c < classes; ++c) {
        const int32_t t = dfa.next[s * classes + c];
        p.next_.push_back(t == Pda::kNoState ? t : t + offset);
      }
      for (CallEdge& e : dfa.calls[s]) e.target += offset;
      calls.push_back(std::move(dfa.calls[s]));
    }
  }
  p.call_begin_.assign(1, 0);
  for (auto& list : calls) {
    p.calls_.insert(p.calls_.end(), list.begin(), list.end());
    p.call_begin_.push_back(static_cast<int32_t>(p.calls_.size()));
  }
  compute_distances(p);
  if (p.dist_[p.rule_start_[p.root_]] >= Pda::kInfinite) {
    throw Error("grammar rule " + p.rule_names_[p.root_] +
                " admits no finite value (e.g. a recursive $ref without a base case)");
  }
  trim(p);
  check_left_recursion(p);
  return p;
}

// Fewest bytes from each state to the end of its rule: a fixpoint over byte edges
// (cost 1) and calls (cost of the callee's shortest body), by a worklist.
void PdaBuilder::compute_distances(Pda& p) {
  const int32_t n = p.state_count();
  const size_t classes = static_cast<size_t>(p.num_classes_);
  // Predecessors of each state, and the states that call each rule.
  std::vector<std::vector<int32_t>> preds(static_cast<size_t>(n));
  std::vector<std::vector<int32_t>> callers(p.rule_start_.size());
  for (int32_t s = 0; s < n; ++s) {
    int32_t last = -1;
    for (size_t c = 0; c < classes; ++c) {
      const int32_t t = p.next_[static_cast<size_t>(s) * classes + c];
      if (t >= 0 && t != last) preds[t].push_back(s), last = t;
    }
    for (const CallEdge& e : p.calls(s)) {
      preds[e.target].push_back(s);
      callers[e.rule].push_back(s);
    }
  }
  p.dist_.assign(static_cast<size_t>(n), Pda::kInfinite);
  auto eval = [&](int32_t s) {
    int64_t best = p.is_final(s) ? 0 : Pda::kInfinite;
    for (size_t c = 0; c < classes; ++c) {
      const int32_t t = p.next_[static_cast<size_t>(s) * classes + c];
      if (t >= 0) best = std::min<int64_t>(best, int64_t{1} + p.dist_[t]);
    }
    for (const CallEdge& e : p.calls(s)) {
      best = std::min<int64_t>(best, int64_t{p.dist_[p.rule_start_[e.rule]]} + p.dist_[e.target]);
    }
    return static_cast<int32_t>(std::min<int64_t>(best, Pda::kInfinite));
  };
  std::vector<int32_t> work;
  std::vector<bool> queued(static_cast<size_t>(n), true);
  for (int32_t s = n - 1; s >= 0; --s) work.push_back(s);
  while (!work.empty()) {
    const int32_t s = work.back();
    work.pop_back();
    queued[s] = false;
    const int32_t d = eval(s);
    if (d >= p.dist_[s]) continue;
    p.dist_[s] = d;
    auto enqueue = [&](int32_t x) {
      if (!queued[x]) queued[x] = true, work.push_back(x);
    };
    for (int32_t x : preds[s]) enqueue(x);
    if (p.rule_start_[p.rule_of_[s]] == s) {
      for (int32_t x : callers[p.rule_of_[s]]) enqueue(x);
    }
  }
}

// Drops every edge into a state that cannot finish, then sets the flags.
void PdaBuilder::trim(Pda& p) {
  const int32_t n = p.state_count();
  const size_t classes = static_cast<size_t>(p.num_classes_);
  std::vector<CallEdge> kept;
  std::vector<int32_t> begin{0};
  for (int32_t s = 0; s < n; ++s) {
    bool bytes = false;
    for (size_t c = 0; c < classes; ++c) {
      int32_t& t = p.next_[static_cast<size_t>(s) * classes + c];
      if (t >= 0 && p.dist_[t] >= Pda::kInfinite) t = Pda::kNoState;
      bytes |= t >= 0;
    }
    bool calls = false;
    for (const CallEdge& e : p.calls(s)) {
      if (p.dist_[e.target] >= Pda::kInfinite || p.dist_[p.rule_start_[e.rule]] >= Pda::kInfinite) continue;
      kept.push_back(e);
      calls = true;
    }
    begin.push_back(static_cast<int32_t>(kept.size()));
    p.flags_[s] = static_cast<uint8_t>((p.flags_[s] & Pda::kFinal) | (bytes ? Pda::kHasBytes : 0) |
                                       (calls ? Pda::kHasCalls : 0));
  }
  p.calls_ = std::move(kept);
  p.call_begin_ = std::move(begin);
}

// A rule that can call itself before consuming a byte would make the matcher's
// closure push forever: reject it with the cycle spelled out.
void PdaBuilder::check_left_recursion(const Pda& p) {
  const size_t rules = p.rule_start_.size();
  std::vector<std::vector<RuleId>> left_calls(rules);
  std::vector<int32_t> work;
  std::vector<bool> seen(static_cast<size_t>(p.state_count()), false);
  for (size_t r = 0; r < rules; ++r) {
    if (p.dist_[p.rule_start_[r]] >= Pda::kInfinite) continue;
    work.assign(1, p.rule_start_[r]);
    std::vector<int32_t> visited;
    while (!work.empty()) {
      const int32_t s = work.back();
      work.pop_back();
      if (seen[s]) continue;
      seen[s] = true;
      visited.push_back(s);
      for (const CallEdge& e : p.calls(s)) {
        left_calls[r].push_back(e.rule);
        if (p.dist_[p.rule_start_[e.rule]] == 0) work.push_back(e.target);
      }
    }
    for (int32_t s : visited) seen[s] = false;
  }
  // Iterative DFS for a cycle.
  std::vector<uint8_t> color(rules, 0);  // 0 new, 1 on path, 2 done
  for (size_t root = 0; root < rules; ++root) {
    if (color[root]) continue;
    std::vector<std::pair<RuleId, size_t>> path{{static_cast<RuleId>(root), 0}};
    color[root] = 1;
    while (!path.empty()) {
      auto& [r, i] = path.back();
      if (i == left_calls[r].size()) {
        color[r] = 2;
        path.pop_back();
        continue;
      }
      const RuleId next = left_calls[r][i++];
      if (color[next] == 1) {
        std::string cycle;
        bool on = false;
        for (const auto& [x, unused] : path) {
          if (x == next) on = true;
          if (on) cycle += p.rule_names_[x] + " -> ";
        }
        throw Error("grammar is left-recursive: " + cycle + p.rule_names_[next] +
                    " (a $ref that reaches itself without consuming input)");
      }
      if (color[next] == 0) {
        color[next] = 1;
        path.emplace_back(next, 0);
      }
    }
  }
}

Pda Pda::compile(const Grammar& grammar, const PdaLimits& limits) { return PdaBuilder::build(grammar, limits); }

std::vector<uint8_t> Pda::bytes_out(int32_t state) const {
  std::vector<uint8_t> out;
  for (int b = 0; b < 256; ++b) {
    if (next(state, static_cast<uint8_t>(b)) >= 0) out.push_back(static_cast<uint8_t>(b));
  }
  return out;
}

}  // namespace qwenrt::grammar
