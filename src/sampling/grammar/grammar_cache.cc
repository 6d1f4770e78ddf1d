#include "sampling/grammar/grammar_cache.h"

#include "base/error.h"

namespace qwenrt::grammar {

namespace {

std::string options_key(const JsonSchemaOptions& o) {
  return std::to_string(static_cast<int>(o.whitespace)) + "," + std::to_string(o.max_whitespace) + "," +
         std::to_string(o.max_depth) + "," + std::to_string(o.max_repeat) + "," +
         std::to_string(o.max_literal_bytes) + "," + std::to_string(o.max_subschemas) + "|";
}

}  // namespace

GrammarCache::GrammarCache(std::shared_ptr<const VocabularyIndex> vocab, size_t capacity)
    : vocab_(vocab), shared_masks_(std::make_shared<SharedMaskCache>(std::move(vocab))), capacity_(capacity ? capacity : 1) {}

template <typename Compile>
std::shared_ptr<const CompiledGrammar> GrammarCache::get(const std::string& key, Compile&& compile) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      recency_.splice(recency_.begin(), recency_, it->second.second);
      return it->second.first;
    }
  }
  // Compile outside the lock: other schemas are served meanwhile. Two requests racing
  // on one new schema both compile it; the first stored wins.
  std::shared_ptr<const CompiledGrammar> compiled = compile();
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) return it->second.first;
  recency_.push_front(key);
  entries_.emplace(key, std::make_pair(compiled, recency_.begin()));
  while (entries_.size() > capacity_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
  return compiled;
}

std::shared_ptr<const CompiledGrammar> GrammarCache::json_schema(std::string_view schema_text,
                                                                 const JsonSchemaOptions& options) {
  if (schema_text.size() > options.max_schema_bytes) {
    throw Error("json schema: " + std::to_string(schema_text.size()) + " bytes is more than the limit of " +
                std::to_string(options.max_schema_bytes));
  }
  nlohmann::ordered_json schema;
  try {
    schema = nlohmann::ordered_json::parse(schema_text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("json schema: invalid JSON: ") + e.what());
  }
  check_json_depth(schema, options.max_json_depth);  // before dump(), which recurses
  // Property order matters (it is the generation order), so the canonical form keeps it.
  const std::string key = options_key(options) + schema.dump();
  return get(key, [&] { return CompiledGrammar::compile(json_schema_grammar_from_value(schema, options), vocab_, shared_masks_); });
}

std::shared_ptr<const CompiledGrammar> GrammarCache::any_json_object(const JsonSchemaOptions& options) {
  return get(options_key(options) + "#any-object",
             [&] { return CompiledGrammar::compile(any_json_object_grammar(options), vocab_, shared_masks_); });
}

size_t GrammarCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace qwenrt::grammar
