#include "io/gguf_tokenizer.h"

#include "base/error.h"
#include "io/gguf_config.h"

namespace qwenrt {
namespace {

std::string where(const GgufContents& g, const char* key, const GgufValue& v) {
  return g.source + ": metadata key \"" + key + "\" (byte " + std::to_string(v.offset) + ")";
}

// An array of strings, or nullptr when the key is absent.
const GgufValue* string_array(const GgufContents& g, const char* key) {
  const GgufValue* v = g.find(key);
  if (v) {
    check(v->is_array() && v->element_type == GgufType::STRING,
          where(g, key, *v) + " must be an array of strings, got " + v->type_string());
  }
  return v;
}

// An array of numbers with one entry per token, or nullptr when the key is absent.
const GgufValue* per_token_array(const GgufContents& g, const char* key, size_t n_tokens) {
  const GgufValue* v = g.find(key);
  if (!v) return nullptr;
  check(v->is_array() && gguf_scalar_bytes(v->element_type) > 0,
        where(g, key, *v) + " must be an array of numbers, got " + v->type_string());
  check(v->size() == n_tokens, where(g, key, *v) + " has " + std::to_string(v->size()) + " entries for " +
                                   std::to_string(n_tokens) + " tokens");
  return v;
}

}  // namespace

GgufTokenizer read_gguf_tokenizer(const GgufContents& g) {
  GgufTokenizer t;
  const std::optional<std::string> model = gguf_string(g, "tokenizer.ggml.model");
  check(model.has_value(), g.source + ": has no embedded tokenizer (metadata key \"tokenizer.ggml.model\" is missing)");
  t.model = *model;
  t.pre = gguf_string(g, "tokenizer.ggml.pre").value_or("");
  const GgufValue* tokens = string_array(g, "tokenizer.ggml.tokens");
  check(tokens != nullptr, g.source + ": metadata key \"tokenizer.ggml.tokens\" is missing");
  t.tokens = tokens->strings;
  const size_t n = t.tokens.size();

  if (const GgufValue* types = per_token_array(g, "tokenizer.ggml.token_type", n)) {
    t.token_types.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const std::optional<int64_t> type = types->int_at(i);
      check(type && *type >= INT32_MIN && *type <= INT32_MAX,
            where(g, "tokenizer.ggml.token_type", *types) + ": entry " + std::to_string(i) +
                " must be a 32-bit integer (array type " + types->type_string() + ")");
      t.token_types.push_back(static_cast<int32_t>(*type));
    }
  }
  if (const GgufValue* scores = per_token_array(g, "tokenizer.ggml.scores", n)) {
    t.scores.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const std::optional<double> s = scores->float_at(i);
      check(s.has_value(), where(g, "tokenizer.ggml.scores", *scores) + " must be an array of floats, got " +
                               scores->type_string());
      t.scores.push_back(static_cast<float>(*s));
    }
  }
  if (const GgufValue* merges = string_array(g, "tokenizer.ggml.merges")) t.merges = merges->strings;

  struct Id {
    const char* key;
    std::optional<int64_t>* out;
  };
  for (const Id& id : {Id{"tokenizer.ggml.bos_token_id", &t.bos_token_id},
                       Id{"tokenizer.ggml.eos_token_id", &t.eos_token_id},
                       Id{"tokenizer.ggml.eot_token_id", &t.eot_token_id},
                       Id{"tokenizer.ggml.padding_token_id", &t.pad_token_id},
                       Id{"tokenizer.ggml.unknown_token_id", &t.unknown_token_id}}) {
    *id.out = gguf_int(g, id.key);
    if (*id.out) {
      check(**id.out >= 0 && static_cast<uint64_t>(**id.out) < n,
            where(g, id.key, *g.find(id.key)) + " is " + std::to_string(**id.out) + ", not a token id of the " +
                std::to_string(n) + "-token vocabulary");
    }
  }
  t.add_bos_token = gguf_bool(g, "tokenizer.ggml.add_bos_token");
  t.add_eos_token = gguf_bool(g, "tokenizer.ggml.add_eos_token");
  t.chat_template = gguf_string(g, "tokenizer.chat_template");
  return t;
}

}  // namespace qwenrt
