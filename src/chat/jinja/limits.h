// Safety limits. Chat templates come from model repositories, i.e. from strangers; a
// hostile one (endless macro recursion, huge ranges, exponential string doubling, deep
// nesting) must fail with a clear error in bounded time and memory, never hang or crash.
// The defaults are far above what any real chat template needs.
#pragma once
#include <cstddef>
#include <cstdint>

namespace qwenrt::jinja {

struct Limits {
  size_t max_template_bytes = 1 << 20;       // template source size
  int max_parse_depth = 128;                 // nesting of blocks and expressions
  int max_eval_depth = 512;                  // interpreter recursion, macro calls included
  uint64_t max_steps = 50'000'000;           // work units: nodes evaluated + bytes built / 64
  uint64_t max_loop_iterations = 1'000'000;  // for-loop iterations over a whole render
  size_t max_output_bytes = 64u << 20;       // rendered text, and any single string built
};

}  // namespace qwenrt::jinja
