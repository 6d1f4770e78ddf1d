// Teacher-forced logits of qwenrt, step 3 of bench/teacher_forced/README.md. For each line
// "n_prompt id0 id1 ..." of IN the prompt is prefilled in one forward (as `qwenrt run`
// does), then the continuation is fed one token at a time; the float32 logits rows that
// predict id[n_prompt] .. id[last] are appended to OUT.
// Built as build/bench/teacher_forced_logits.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/model_loader.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: teacher_forced_logits MODEL IN OUT [threads]\n");
    return 2;
  }
  qwenrt::ThreadPool pool(argc > 4 ? std::atoi(argv[4]) : 2);
  qwenrt::LoadedModel m = qwenrt::load_model(argv[1], pool);
  const int64_t vocab = m.model->shape().vocab;
  std::ifstream in(argv[2]);
  FILE* out = std::fopen(argv[3], "wb");
  if (!in || out == nullptr) {
    std::fprintf(stderr, "cannot open %s or %s\n", argv[2], argv[3]);
    return 1;
  }
  std::vector<float> logits(static_cast<size_t>(vocab));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    int64_t n_prompt = 0;
    fields >> n_prompt;
    std::vector<int32_t> ids;
    for (int32_t id; fields >> id;) ids.push_back(id);
    qwenrt::KVCache cache = m.model->make_cache(static_cast<int64_t>(ids.size()) + 8);
    m.model->forward(ids.data(), n_prompt, cache, logits.data(), false);
    std::fwrite(logits.data(), sizeof(float), logits.size(), out);
    for (size_t i = static_cast<size_t>(n_prompt); i + 1 < ids.size(); ++i) {
      m.model->forward(ids.data() + i, 1, cache, logits.data(), false);
      std::fwrite(logits.data(), sizeof(float), logits.size(), out);
    }
    std::fprintf(stderr, ".");
  }
  std::fclose(out);
  std::fprintf(stderr, "\n");
  return 0;
}
