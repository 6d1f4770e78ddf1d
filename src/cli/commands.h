// Each qwenrt subcommand registers its options on the CLI and runs when chosen.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace qwenrt::cli {

// Adds the subcommand to `app` and returns the function that runs it (exit code).
std::function<int()> add_run_command(CLI::App& app);
std::function<int()> add_bench_command(CLI::App& app);
std::function<int()> add_quantize_command(CLI::App& app);
std::function<int()> add_serve_command(CLI::App& app);
std::function<int()> add_chat_command(CLI::App& app);
std::function<int()> add_pull_command(CLI::App& app);

}  // namespace qwenrt::cli
