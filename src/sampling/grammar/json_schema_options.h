// How JSON Schemas compile: the whitespace the output may contain and the limits that
// keep hostile schemas cheap to reject.
#pragma once
#include <cstddef>
#include <cstdint>

namespace qwenrt::grammar {

struct JsonSchemaOptions {
  enum class Whitespace {
    // At most one space after ':' and ',' and nowhere else: `{"a": 1, "b": [1, 2]}` and
    // `{"a":1,"b":[1,2]}` both match (json.dumps' default and compact separators).
    kCompact,
    // Up to max_whitespace characters of [ \t\n\r] wherever JSON allows whitespace, for
    // pretty-printed output. Bounded, so a model cannot pad forever.
    kFlexible,
  };
  Whitespace whitespace = Whitespace::kCompact;
  int32_t max_whitespace = 16;

  // Limits. Exceeding one throws Error naming the JSON path.
  size_t max_schema_bytes = size_t{4} << 20;  // schema text
  int32_t max_json_depth = 512;               // nesting of the schema document's JSON
  int32_t max_depth = 64;                     // nesting of subschemas inside one $ref target
  int32_t max_repeat = 1024;                  // largest minItems / minLength / prefixItems
  // maxItems / maxLength above max_repeat are lowered to it: the output is then a
  // subset of what the schema allows, never something it forbids.
  size_t max_literal_bytes = size_t{256} << 10;  // all enum / const values, serialized
  size_t max_subschemas = 20000;                 // subschemas compiled (bounds anyOf x allOf)
};

}  // namespace qwenrt::grammar
