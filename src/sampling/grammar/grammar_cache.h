// Compiled grammars shared across requests: the same schema (whatever its formatting)
// compiles once per vocabulary, and its token mask cache keeps warming up with use.
// Different schemas share the masks of states they have in common (SharedMaskCache),
// so even a new schema rarely pays for a walk of the whole vocabulary.
// Thread-safe; least recently used entries go beyond `capacity`. Schemas that fail
// to compile are not cached (the Error is rethrown on each request).
#pragma once
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "sampling/grammar/json_schema.h"

namespace qwenrt::grammar {

class GrammarCache {
 public:
  explicit GrammarCache(std::shared_ptr<const VocabularyIndex> vocab, size_t capacity = 64);

  std::shared_ptr<const CompiledGrammar> json_schema(std::string_view schema_text,
                                                     const JsonSchemaOptions& options = {});
  // response_format {"type": "json_object"}.
  std::shared_ptr<const CompiledGrammar> any_json_object(const JsonSchemaOptions& options = {});

  size_t size() const;
  const std::shared_ptr<const VocabularyIndex>& vocab() const { return vocab_; }

 private:
  template <typename Compile>
  std::shared_ptr<const CompiledGrammar> get(const std::string& key, Compile&& compile);

  std::shared_ptr<const VocabularyIndex> vocab_;
  std::shared_ptr<SharedMaskCache> shared_masks_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::string> recency_;  // most recent first
  std::map<std::string, std::pair<std::shared_ptr<const CompiledGrammar>, std::list<std::string>::iterator>> entries_;
};

}  // namespace qwenrt::grammar
