// JSON Schema -> grammar: what structured output ("response_format": {"type":
// "json_schema", ...}, tool-call arguments) constrains generation with.
//
// Supported (draft 2020-12 spellings, plus draft 4-7 ones where noted):
//   type (one or a list), enum, const, anyOf, oneOf (treated as anyOf: a value matching
//   two branches is generated although oneOf forbids it; make branches disjoint),
//   allOf (merged: properties, required, bounds, type intersection; conflicting
//   pattern/format/enum and two anyOf lists are rejected), $ref to "#" and JSON
//   pointers in the same document ($defs, definitions, recursion), true / false.
//   object: properties (generated in schema order), required, additionalProperties
//     false / true / schema. Extra keys never repeat a declared name and are written
//     without escapes. Without additionalProperties, an object that declares
//     properties gets no extra keys (a valid subset); one that declares none is any
//     object.
//     An optional property whose schema allows nothing (false) is left out.
//   array: items, prefixItems (draft 4-7: items as a list + additionalItems),
//     minItems, maxItems. prefixItems without items: no extra items (a subset),
//     unless minItems needs them (then any values).
//   string: minLength, maxLength (code points), pattern (see regex_to_grammar.h),
//     format (see string_formats.h); pattern or format together with a length bound
//     is rejected.
//   enum / const: any JSON values, written compactly; filtered by the sibling type,
//     length and numeric bounds; other sibling assertions (pattern, format, ...) are
//     rejected.
//   integer / number: minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers,
//     or draft 4 booleans); see number_ranges.h for what bounded numbers generate.
//     Numbers have at most 16 integer and 16 fraction digits and a 2-digit exponent.
// A schema without "type" generates the kinds its keywords constrain (e.g. only
// objects for {"properties": ...}: a subset), or any value if none.
// Annotations (title, description, default, examples, $comment, ...) and unknown
// keywords are ignored. Assertions this compiler cannot enforce (not, if/then/else,
// patternProperties, propertyNames, uniqueItems: true, contains, multipleOf,
// minProperties, maxProperties, dependent*, unevaluated*) are rejected with Error,
// never silently dropped: what is generated always validates.
//
// Errors are qwenrt::Error("json schema at #/path/to/node: what is wrong").
#pragma once
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sampling/grammar/compiled_grammar.h"
#include "sampling/grammar/grammar.h"
#include "sampling/grammar/json_schema_options.h"

namespace qwenrt::grammar {

Grammar json_schema_grammar(std::string_view schema_text, const JsonSchemaOptions& options = {});
// The same for an already parsed schema (property order is generation order, hence
// ordered_json).
Grammar json_schema_grammar_from_value(const nlohmann::ordered_json& schema, const JsonSchemaOptions& options = {});
// Throws Error if `document` nests deeper than `limit` (checked without recursion;
// nlohmann's copy, compare and dump recurse, so hostile depth must stop here first).
void check_json_depth(const nlohmann::ordered_json& document, int32_t limit);
// Any JSON object: response_format {"type": "json_object"}.
Grammar any_json_object_grammar(const JsonSchemaOptions& options = {});

// Parse, compile to a grammar, compile the grammar for `vocab`. `shared` (optional):
// see SharedMaskCache; GrammarCache passes its own.
std::shared_ptr<const CompiledGrammar> compile_json_schema(std::string_view schema_text,
                                                           std::shared_ptr<const VocabularyIndex> vocab,
                                                           const JsonSchemaOptions& options = {},
                                                           std::shared_ptr<SharedMaskCache> shared = nullptr);
std::shared_ptr<const CompiledGrammar> compile_any_json_object(std::shared_ptr<const VocabularyIndex> vocab,
                                                               const JsonSchemaOptions& options = {},
                                                               std::shared_ptr<SharedMaskCache> shared = nullptr);

}  // namespace qwenrt::grammar
