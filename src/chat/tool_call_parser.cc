#include "chat/tool_call_parser.h"

#include <random>
#include <utility>

#include "chat/tool_call_hermes.h"
#include "chat/tool_call_qwen3_coder.h"
#include "chat/tool_call_stream.h"

namespace qwenrt {
namespace {

// Each generator owns its engine (no shared mutable state between parsers).
ToolCallIdGenerator ids_from(std::mt19937_64 engine) {
  return [engine]() mutable {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
    std::string id = "call_";
    for (int i = 0; i < 24; ++i) id.push_back(kAlphabet[pick(engine)]);
    return id;
  };
}

}  // namespace

std::optional<ToolCallFormat> tool_call_format_from_name(std::string_view name) {
  if (name == "hermes") return ToolCallFormat::kHermes;
  if (name == "qwen3_coder" || name == "qwen3_xml") return ToolCallFormat::kQwen3Coder;
  return std::nullopt;
}

ToolCallIdGenerator random_tool_call_ids() {
  std::random_device device;
  std::seed_seq seed{device(), device(), device(), device()};
  return ids_from(std::mt19937_64(seed));
}

ToolCallIdGenerator seeded_tool_call_ids(std::uint64_t seed) { return ids_from(std::mt19937_64(seed)); }

std::unique_ptr<ToolCallParser> make_tool_call_parser(ToolCallFormat format, ToolCallParserOptions options) {
  ToolCallIdGenerator next_id = options.next_id ? std::move(options.next_id) : random_tool_call_ids();
  std::unique_ptr<ToolCallBlockScanner> scanner;
  switch (format) {
    case ToolCallFormat::kHermes:
      scanner = std::make_unique<HermesBlockScanner>();
      break;
    case ToolCallFormat::kQwen3Coder:
      scanner = std::make_unique<Qwen3CoderBlockScanner>(std::move(options.tools));
      break;
  }
  return std::make_unique<TaggedToolCallParser>(std::move(scanner), std::move(next_id));
}

ParsedOutput parse_tool_calls(ToolCallFormat format, std::string_view text, ToolCallParserOptions options) {
  auto parser = make_tool_call_parser(format, std::move(options));
  ParsedOutput result;
  result.append(parser->feed(text));
  result.append(parser->finish());
  return result;
}

}  // namespace qwenrt
