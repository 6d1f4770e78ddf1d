// `qwenrt serve MODEL`: the OpenAI-compatible HTTP server (src/server/) in front of the
// batching engine. Runs until SIGINT / SIGTERM.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/model_argument.h"
#include "cli/sampling_flags.h"
#include "engine/engine.h"
#include "engine/model_loader.h"
#include "server/http_server.h"
#include "server/serving_model.h"

namespace qwenrt::cli {
namespace {

struct ServeOptions {
  std::string model_path;
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string api_key;
  std::string served_model_name;
  int threads = 0;
  EngineOptions engine;
  int64_t max_body_mb = 8;
  int64_t max_tokens = 0;
  int http_threads = 0;
  bool no_prefix_cache = false;
};

server::HttpServer* g_server = nullptr;  // for the signal handler only

void on_signal(int) {
  if (g_server) g_server->stop();
}

int serve(ServeOptions& o) {
  // Writes to a client that has gone away must fail, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  o.engine.prefix_cache = !o.no_prefix_cache;
  ThreadPool pool(o.threads);
  const std::string path = local_model_path(o.model_path);
  // A hub model is served under its hub name, as vLLM does.
  if (path != o.model_path && o.served_model_name.empty()) o.served_model_name = o.model_path;
  LoadedModel loaded = load_model(path, pool);
  server::ServingModel model = server::make_serving_model(
      loaded.tokenizer, loaded.model->shape().vocab, path, o.served_model_name,
      GenerationFlags{}.sampling_for(loaded.generation),
      std::min(o.engine.context_size, loaded.model->shape().max_positions));
  Engine engine(loaded, pool, o.engine);
  server::ServerMetrics metrics;
  server::RequestLimits limits;
  limits.max_tokens = o.max_tokens;
  server::ServerContext context{model, engine, metrics, limits};

  server::HttpOptions http;
  http.host = o.host;
  http.port = o.port;
  http.api_key = o.api_key;
  http.max_body_bytes = static_cast<size_t>(o.max_body_mb) << 20;
  // Every running and queued sequence may hold a connection, plus room for the requests
  // that are answered at once (429s, errors, metrics).
  http.threads = o.http_threads > 0 ? o.http_threads
                                    : static_cast<int>(o.engine.max_batch + o.engine.max_waiting + 32);
  server::HttpServer server(context, http);
  const int port = server.bind();
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::fprintf(stderr, "qwenrt serve: model '%s' on http://%s:%d (context %lld, batch %d)\n", model.id.c_str(),
               o.host.c_str(), port, static_cast<long long>(o.engine.context_size), o.engine.max_batch);
  server.serve();
  g_server = nullptr;
  return 0;
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the model over an OpenAI-compatible HTTP API");
  cmd->add_option("model", o->model_path, "Checkpoint directory, .gguf file or hub reference (org/name[:quant])")->required();
  cmd->add_option("--host", o->host, "Address to listen on");
  cmd->add_option("--port", o->port, "Port (0: any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--api-key", o->api_key, "Require 'Authorization: Bearer KEY' on /v1 and tokenizer endpoints");
  cmd->add_option("--served-model-name", o->served_model_name, "Model id clients use (default: the file/dir name)");
  cmd->add_option("-t,--threads", o->threads, "Compute threads (default: all cores)");
  cmd->add_option("-c,--ctx-size", o->engine.context_size, "Context size per sequence")->check(CLI::PositiveNumber);
  cmd->add_option("--max-batch", o->engine.max_batch, "Sequences running at once")->check(CLI::PositiveNumber);
  cmd->add_option("--max-queue", o->engine.max_waiting, "Sequences waiting beyond that get 429")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--kv-cache-mb", o->engine.kv_cache_mb, "Key/value cache pool (0: fit max-batch full contexts)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-step-tokens", o->engine.max_step_tokens, "Tokens per model step (prefill chunking)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-prefix-cache", o->no_prefix_cache, "Disable automatic prefix caching");
  cmd->add_option("--max-body-mb", o->max_body_mb, "Largest request body (413 beyond)")->check(CLI::PositiveNumber);
  cmd->add_option("--max-tokens-limit", o->max_tokens, "Largest max_tokens a request may ask (0: the context size)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--http-threads", o->http_threads, "Connections served at once (0: batch + queue + 32)")
      ->check(CLI::NonNegativeNumber);
  return [o] { return serve(*o); };
}

}  // namespace qwenrt::cli
