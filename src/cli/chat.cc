// `qwenrt chat MODEL`: multi-turn chat through the checkpoint's own chat template. User
// turns come from stdin, one per line, until EOF (or one turn from -p); each reply
// streams to stdout as it is generated. Reasoning (<think>...</think>) is shown dimmed
// on a terminal (plain text when stdout is not one); parsed tool calls are printed as JSON lines (OpenAI form); with
// --json-schema the reply is constrained to JSON valid for the schema.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "base/error.h"
#include "chat/assistant_message.h"
#include "chat/chat_output_parser.h"
#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/model_argument.h"
#include "cli/sampling_flags.h"
#include "engine/generator.h"
#include "engine/model_loader.h"
#include "sampling/grammar/json_schema.h"

namespace qwenrt::cli {
namespace {

using Json = nlohmann::ordered_json;

struct ChatOptions {
  std::string model;
  std::string system;
  std::optional<bool> think;  // unset: the template's default
  std::string tools_file;
  std::string schema_file;
  std::string prompt;  // one turn instead of stdin
  bool show_prompt = false;
  GenerationFlags generation;
};

std::string read_text_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(what + " " + path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The OpenAI "tools" list: [{"type": "function", "function": {"name", ...}}, ...] (the
// templates also take the bare {"name", ...} form).
Json read_tools(const std::string& path) {
  const std::string text = read_text_file(path, "--tools");
  Json tools = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (tools.is_discarded()) throw Error("--tools " + path + ": not valid JSON");
  if (!tools.is_array()) throw Error("--tools " + path + ": expected a JSON array of tools");
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string at = "--tools " + path + ": /" + std::to_string(i);
    const Json& tool = tools[i];
    if (!tool.is_object()) throw Error(at + ": expected an object");
    const Json& function = tool.contains("function") ? tool["function"] : tool;
    if (!function.is_object() || !function.contains("name") || !function["name"].is_string()) {
      throw Error(at + ": expected {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }
  }
  return tools;
}

// transformers' precedence for a checkpoint directory; a GGUF file carries its
// template in tokenizer.chat_template (already read into the tokenizer's config).
ChatTemplate load_template(const std::string& model, const Tokenizer& tokenizer) {
  if (std::filesystem::is_directory(model)) {
    try {
      return ChatTemplate::from_model_dir(model);
    } catch (const Error& e) {
      const std::string what = e.what();
      throw Error(what.rfind(model, 0) == 0 ? what : model + ": " + what);  // name the model once
    }
  }
  const TokenizerConfig& config = tokenizer.config();
  if (config.chat_template.empty()) throw Error(model + ": the GGUF file has no tokenizer.chat_template");
  std::vector<std::pair<std::string, std::string>> templates{{"default", config.chat_template}};
  for (const auto& [name, source] : config.named_chat_templates) templates.emplace_back(name, source);
  Json special = Json::object();
  if (config.bos_token) special["bos_token"] = *config.bos_token;
  if (config.eos_token) special["eos_token"] = *config.eos_token;
  if (config.pad_token) special["pad_token"] = *config.pad_token;
  if (config.unk_token) special["unk_token"] = *config.unk_token;
  try {
    return ChatTemplate(std::move(templates), std::move(special));
  } catch (const Error& e) {
    throw Error(model + ": tokenizer.chat_template: " + e.what());
  }
}

bool template_mentions(const ChatTemplate& t, const std::string& needle) {
  for (const std::string& name : t.template_names()) {
    if (t.source(name).find(needle) != std::string::npos) return true;
  }
  return false;
}

// Prints one reply's parsed pieces as they come: reasoning dimmed on a terminal,
// content plain, each tool call as one JSON line.
class ReplyPrinter {
 public:
  explicit ReplyPrinter(bool terminal) : terminal_(terminal) {}

  void print(const ChatDelta& delta) {
    if (!delta.reasoning_content.empty()) {
      if (terminal_) std::fputs("\x1b[2m", stdout);
      write(delta.reasoning_content);
      if (terminal_) std::fputs("\x1b[0m", stdout);
    }
    write(delta.content);
    for (const ToolCallDelta& piece : delta.tool_calls) {
      // The parsers emit each call whole, in one delta.
      if (!at_line_start_) write("\n");
      write(openai_tool_call({piece.id, piece.name, piece.arguments}).dump() + "\n");
    }
    std::fflush(stdout);
  }
  void end_reply() {
    if (!at_line_start_) write("\n");
    std::fflush(stdout);
  }

 private:
  void write(const std::string& text) {
    if (text.empty()) return;
    std::fwrite(text.data(), 1, text.size(), stdout);
    at_line_start_ = text.back() == '\n';
  }

  bool terminal_;
  bool at_line_start_ = true;
};

int run_chat(ChatOptions& o) {
  // Check the small files before the slow model load.
  const Json tools = o.tools_file.empty() ? Json() : read_tools(o.tools_file);
  std::string schema;
  if (!o.schema_file.empty()) {
    schema = read_text_file(o.schema_file, "--json-schema");
    if (!Json::accept(schema)) throw Error("--json-schema " + o.schema_file + ": not valid JSON");
    if (o.think.value_or(false)) throw Error("--json-schema and --think cannot be combined: the reply is JSON from its first token");
  }

  ThreadPool pool(o.generation.threads);
  LoadedModel loaded = load_model(local_model_path(o.model), pool);
  const Tokenizer& tokenizer = loaded.tokenizer;
  const ChatTemplate chat_template = load_template(o.model, tokenizer);
  Generator generator(*loaded.model, tokenizer, loaded.eos_ids, o.generation.context_size);

  GenerationRequest request;
  request.sampling = o.generation.sampling_for(loaded.generation);
  request.max_tokens = o.generation.max_tokens;
  if (!schema.empty()) {
    const auto rows = static_cast<int32_t>(loaded.model->shape().vocab);
    try {
      request.grammar = grammar::compile_json_schema(schema, grammar::VocabularyIndex::build(tokenizer, rows));
    } catch (const Error& e) {
      throw Error("--json-schema " + o.schema_file + ": " + e.what());
    }
  }

  ChatRequest conversation;
  conversation.tools = tools;
  conversation.add_generation_prompt = true;
  if (o.think) conversation.kwargs["enable_thinking"] = *o.think;
  if (!schema.empty()) conversation.kwargs["enable_thinking"] = false;
  if (!o.system.empty()) conversation.messages.push_back({{"role", "system"}, {"content", o.system}});

  ChatOutputOptions output;
  if (schema.empty()) {
    if (!tools.is_null()) {
      output.tool_call_format = template_mentions(chat_template, "<function=") ? ToolCallFormat::kQwen3Coder
                                                                                 : ToolCallFormat::kHermes;
      output.tool_calls.tools = tools;
    }
  }
  const bool reasons = schema.empty() && template_mentions(chat_template, "<think>");
  const bool terminal = isatty(STDOUT_FILENO) != 0;
  const bool interactive = o.prompt.empty() && isatty(STDIN_FILENO) != 0;

  std::string line;
  bool single_turn_done = false;
  while (true) {
    if (!o.prompt.empty()) {
      if (single_turn_done) break;
      line = o.prompt;
      single_turn_done = true;
    } else {
      if (interactive) std::fputs("> ", stderr);
      if (!std::getline(std::cin, line)) break;
    }
    conversation.messages.push_back({{"role", "user"}, {"content", line}});
    const std::string prompt = chat_template.render(conversation);
    if (o.show_prompt) std::fprintf(stderr, "%s", prompt.c_str());
    request.prompt = tokenizer.encode(prompt);
    if (reasons) output.reasoning = ReasoningParserOptions{prompt_ends_in_reasoning(prompt)};

    ChatOutputParser parser(output);
    ReplyPrinter printer(terminal);
    ParsedOutput reply;
    const GenerationResult result = generator.generate(request, [&](std::string_view piece) {
      ChatDelta delta = parser.feed(piece);
      reply.append(delta);
      printer.print(delta);
    });
    ChatDelta rest = parser.finish();
    reply.append(rest);
    printer.print(rest);
    printer.end_reply();
    std::fprintf(stderr, "[%zu tokens, finish: %s]\n", result.tokens.size(), result.finish_reason.c_str());
    conversation.messages.push_back(assistant_message(reply));
  }
  return 0;
}

}  // namespace

std::function<int()> add_chat_command(CLI::App& app) {
  auto o = std::make_shared<ChatOptions>();
  CLI::App* cmd = app.add_subcommand("chat", "Chat through the model's chat template (user turns from stdin)");
  cmd->add_option("model", o->model, "Checkpoint directory, .gguf file or hub reference (org/name[:quant])")->required();
  cmd->add_option("-p,--prompt", o->prompt, "One user turn instead of reading stdin");
  cmd->add_option("--system", o->system, "System prompt");
  cmd->add_flag_function("--think,!--no-think", [o](int64_t n) { o->think = n > 0; },
                         "Ask for reasoning first (enable_thinking), or not");
  cmd->add_option("--tools", o->tools_file, "OpenAI tools list (JSON file); parsed calls print as JSON lines");
  cmd->add_option("--json-schema", o->schema_file, "Constrain each reply to JSON valid for this JSON Schema file");
  cmd->add_flag("--show-prompt", o->show_prompt, "Print each rendered prompt to stderr");
  add_generation_flags(*cmd, o->generation);
  return [o] { return run_chat(*o); };
}

}  // namespace qwenrt::cli
