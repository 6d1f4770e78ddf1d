// Which tokens a grammar may produce at all (VocabularyIndex): no added token, special
// (<|im_end|>) or not (<tool_call>, <think>), even inside a JSON string where its text
// would fit — parsers reading the output would take it for markup. The same text spelled
// with ordinary tokens stays allowed.
#include <gtest/gtest.h>

#include <cmath>

#include "sampling/grammar/grammar_constraint.h"
#include "sampling/grammar/json_schema.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::grammar {
namespace {

constexpr int32_t kModelRows = 151936;

const Tokenizer& tokenizer() {
  static const Tokenizer t = Tokenizer::from_directory(std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer");
  return t;
}

int32_t id_of(const char* token) {
  const auto id = tokenizer().token_to_id(token);
  EXPECT_TRUE(id.has_value()) << token;
  return id.value_or(-1);
}

TEST(GrammarVocabulary, AddedTokensAreNeverCandidates) {
  const auto vocab = VocabularyIndex::build(tokenizer(), kModelRows);
  int added = 0;
  for (int32_t id = 0; id < tokenizer().vocab_size(); ++id) {
    if (!tokenizer().has_token(id)) continue;
    if (tokenizer().is_added(id)) {
      ++added;
      EXPECT_FALSE(vocab->in_trie(id)) << id << " " << tokenizer().token_bytes(id);
    } else {
      EXPECT_EQ(vocab->bytes(id), tokenizer().token_bytes(id)) << id;
    }
  }
  EXPECT_EQ(added, 26);  // Qwen3: 14 special + 12 non-special added tokens
  for (const char* non_special : {"<tool_call>", "</tool_call>", "<think>", "</think>", "<tool_response>"}) {
    EXPECT_FALSE(tokenizer().is_special(id_of(non_special))) << non_special;
    EXPECT_TRUE(tokenizer().is_added(id_of(non_special))) << non_special;
  }
  EXPECT_FALSE(tokenizer().is_added(id_of("<")));
}

TEST(GrammarVocabulary, InsideAStringAddedTokensAreMaskedButTheirTextIsNot) {
  const auto vocab = VocabularyIndex::build(tokenizer(), kModelRows);
  const auto grammar = compile_json_schema(R"({"type":"string"})", vocab);
  GrammarConstraint constraint(grammar, {id_of("<|im_end|>")});
  constraint.accept(tokenizer().encode("\"")[0]);
  std::vector<float> logits(kModelRows, 0.0f);
  constraint.apply(logits.data(), kModelRows);
  for (const char* tag : {"<tool_call>", "</tool_call>", "<think>", "</think>", "<tool_response>", "<|im_end|>"}) {
    EXPECT_FALSE(constraint.mask().test(id_of(tag))) << tag;
    EXPECT_EQ(logits[static_cast<size_t>(id_of(tag))], -INFINITY) << tag;
  }
  // Ordinary tokens that spell "<tool_call>" are allowed, and the whole text is accepted.
  const std::vector<int32_t> spelled = tokenizer().encode("<tool_call>", /*parse_special=*/false);
  ASSERT_EQ(spelled.size(), 1u);  // encode still matches the non-special added token...
  EXPECT_EQ(spelled[0], id_of("<tool_call>"));
  EXPECT_TRUE(constraint.mask().test(id_of("<")));  // ...but its bytes come from ordinary ones
  for (const char* piece : {"<", "tool", "_call", ">"}) {
    const std::vector<int32_t> ids = tokenizer().encode(piece);
    ASSERT_EQ(ids.size(), 1u) << piece;
    EXPECT_FALSE(tokenizer().is_added(ids[0]));
    constraint.accept(ids[0]);
  }
  constraint.accept(tokenizer().encode("\"")[0]);
  EXPECT_TRUE(constraint.is_complete());
}

TEST(GrammarVocabulary, ExcludedIdsAreNeverCandidates) {
  const int32_t brace = tokenizer().encode("{")[0];
  const int32_t excluded[] = {brace, -5, kModelRows + 10};  // out-of-range ids are ignored
  const auto vocab = VocabularyIndex::build(tokenizer(), kModelRows, excluded);
  EXPECT_FALSE(vocab->in_trie(brace));
  EXPECT_TRUE(vocab->in_trie(tokenizer().encode("[")[0]));
}

TEST(GrammarVocabulary, AllowedAddedTokensWriteTheirMarkup) {
  const int32_t allowed[] = {id_of("<tool_call>"), id_of("</tool_call>")};
  const auto vocab = VocabularyIndex::build(tokenizer(), kModelRows, {}, allowed);
  EXPECT_TRUE(vocab->in_trie(id_of("<tool_call>")));
  EXPECT_FALSE(vocab->in_trie(id_of("<think>")));
  // A forced call: <tool_call>\n{...}\n</tool_call>, opened with the model's own token.
  Grammar g = json_schema_grammar(R"({"type":"object","additionalProperties":false})");
  const RuleId object = g.root(), call = g.add_rule("call");
  g.define(call, g.seq({g.literal("<tool_call>\n"), g.call(object), g.literal("\n</tool_call>")}));
  g.set_root(call);
  GrammarConstraint constraint(CompiledGrammar::compile(g, vocab), {id_of("<|im_end|>")});
  std::vector<float> logits(kModelRows, 0.0f);
  constraint.apply(logits.data(), kModelRows);
  EXPECT_TRUE(constraint.mask().test(id_of("<tool_call>")));
  EXPECT_FALSE(constraint.mask().test(id_of("</tool_call>")));
  for (int32_t id : tokenizer().encode("<tool_call>\n{}\n</tool_call>")) constraint.accept(id);
  EXPECT_TRUE(constraint.is_complete());
}

TEST(GrammarVocabulary, FewerModelRowsThanTokenizerIds) {
  // A small test model's 320 logit rows: only those ids can ever be produced.
  const auto vocab = VocabularyIndex::build(tokenizer(), 320);
  EXPECT_EQ(vocab->mask_size(), 320);
  EXPECT_TRUE(vocab->in_trie(319));
  EXPECT_FALSE(vocab->in_trie(320));
  const auto grammar = compile_json_schema(R"({"type":"integer"})", vocab);
  GrammarMatcher matcher(grammar);
  TokenBitmask mask;
  matcher.fill_mask(mask);
  EXPECT_EQ(mask.size(), 320);
  EXPECT_TRUE(mask.test(tokenizer().encode("7")[0]));
}

}  // namespace
}  // namespace qwenrt::grammar
