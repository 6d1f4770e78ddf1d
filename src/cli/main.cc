// qwenrt: run, benchmark and serve Qwen models. Each subcommand lives in its own file.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "base/error.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"qwenrt: runs the Qwen model family"};
  app.require_subcommand(1);
  std::map<std::string, std::function<int()>> commands;
  commands["run"] = qwenrt::cli::add_run_command(app);
  commands["bench"] = qwenrt::cli::add_bench_command(app);
  commands["quantize"] = qwenrt::cli::add_quantize_command(app);
  commands["serve"] = qwenrt::cli::add_serve_command(app);
  commands["chat"] = qwenrt::cli::add_chat_command(app);
  commands["pull"] = qwenrt::cli::add_pull_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (const auto* sub : app.get_subcommands()) return commands.at(sub->get_name())();
  } catch (const qwenrt::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
