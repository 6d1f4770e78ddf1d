#include "server/completion_handler.h"

#include "server/api_error.h"
#include "server/completion_request.h"
#include "server/completion_response.h"

namespace qwenrt::server {
namespace {

struct ChoiceState {
  std::string text;
  CompletionLogprobs logprobs;
  std::string finish_reason;
  std::string error;
};

// Choice i runs prompt i / n; usage counts each prompt once.
Usage base_usage(const CompletionPlan& plan) {
  Usage u;
  for (const CompletionPrompt& p : plan.prompts) u.prompt_tokens += static_cast<int64_t>(p.tokens.size());
  return u;
}

std::vector<ChoiceState> initial_choices(const CompletionPlan& plan) {
  std::vector<ChoiceState> out;
  for (const CompletionPrompt& p : plan.prompts) {
    for (int32_t j = 0; j < plan.settings.n; ++j) {
      const size_t echo = plan.echo ? character_count(p.echo_text) : 0;
      out.push_back({plan.echo ? p.echo_text : "", CompletionLogprobs(echo), "", ""});
    }
  }
  return out;
}

void count_usage(Usage& u, const CompletionPlan& plan, size_t choice, const SequenceEvent& e) {
  u.completion_tokens += e.completion_tokens;
  if (choice % static_cast<size_t>(plan.settings.n) == 0) u.cached_tokens += e.cached_prompt_tokens;
}

ApiError generation_failed(const std::string& detail) {
  return ApiError(500, "server_error", "generation failed: " + detail);
}

class CompletionStream : public EventStream {
 public:
  CompletionStream(ServerContext& ctx, CompletionPlan plan, std::unique_ptr<Generation> gen)
      : ctx_(ctx), plan_(std::move(plan)), gen_(std::move(gen)), choices_(initial_choices(plan_)),
        usage_(base_usage(plan_)) {
    header_ = {random_id("cmpl-"), "text_completion", unix_now(), ctx.model.id};
  }

  std::optional<std::string> next(std::chrono::milliseconds wait) override {
    if (ended_) return std::nullopt;
    std::string out;
    const bool usage_field = plan_.settings.include_usage;
    if (!started_) {
      started_ = true;
      // The echoed prompt first (and a first write that notices a client already gone).
      for (size_t i = 0; i < choices_.size(); ++i) {
        out += sse_event(completion_chunk_json(header_, static_cast<int>(i), choices_[i].text, std::nullopt,
                                               Json(), usage_field));
      }
      return out;
    }
    for (auto wait_now = wait; auto ev = gen_->next(wait_now); wait_now = std::chrono::milliseconds(0)) {
      ChoiceState& s = choices_[ev->choice];
      const SequenceEvent& e = ev->event;
      if (plan_.settings.logprobs && e.logprobs) s.logprobs.add((*ctx_.model.tokenizer), *e.logprobs);
      if (e.finished && e.finish_reason == "error") {
        out += sse_event(error_body(generation_failed(e.error)));
        return finish(out);
      }
      if (!e.text.empty() || !s.logprobs.empty() || e.finished) {
        const Json lp = s.logprobs.empty() ? Json() : s.logprobs.json();
        std::optional<std::string> reason;
        if (e.finished) reason = e.finish_reason;
        out += sse_event(completion_chunk_json(header_, static_cast<int>(ev->choice), e.text, reason, lp, usage_field));
        s.logprobs.clear();
      }
      if (e.finished) count_usage(usage_, plan_, ev->choice, e);
    }
    if (gen_->done()) {
      if (usage_field) out += sse_event(usage_chunk_json(usage_));
      return finish(out);
    }
    return out;
  }

 private:
  Json usage_chunk_json(const Usage& u) {
    Json j = header_json(header_);
    j["choices"] = Json::array();
    j["usage"] = qwenrt::server::usage_json(u);
    return j;
  }
  std::string finish(std::string& out) {
    ended_ = true;
    gen_.reset();
    return out + kSseDone;
  }

  ServerContext& ctx_;
  CompletionPlan plan_;
  std::unique_ptr<Generation> gen_;
  std::vector<ChoiceState> choices_;
  Usage usage_;
  ResponseHeader header_;
  bool started_ = false, ended_ = false;
};

ApiResponse complete_whole(ServerContext& ctx, const CompletionPlan& plan, Generation& gen,
                           const RequestOrigin& origin) {
  std::vector<ChoiceState> choices = initial_choices(plan);
  Usage usage = base_usage(plan);
  while (!gen.done()) {
    if (origin.gone()) return client_closed_response();  // the caller drops gen: cancelled
    auto ev = gen.next(kClientCheckInterval);
    if (!ev) continue;
    ChoiceState& s = choices[ev->choice];
    const SequenceEvent& e = ev->event;
    s.text += e.text;
    if (plan.settings.logprobs && e.logprobs) s.logprobs.add((*ctx.model.tokenizer), *e.logprobs);
    if (e.finished) {
      if (e.finish_reason == "error") throw generation_failed(e.error);
      s.finish_reason = e.finish_reason;
      count_usage(usage, plan, ev->choice, e);
    }
  }
  std::vector<CompletionChoice> out;
  for (ChoiceState& s : choices) {
    out.push_back({std::move(s.text), s.finish_reason, plan.settings.logprobs ? s.logprobs.json() : Json()});
  }
  const ResponseHeader header{random_id("cmpl-"), "text_completion", unix_now(), ctx.model.id};
  return json_response(completion_json(header, out, usage));
}

}  // namespace

ApiResponse handle_completions(ServerContext& ctx, const Json& body, const RequestOrigin& origin) {
  CompletionPlan plan = plan_completion(body, ctx.model, ctx.limits);
  std::vector<SequenceParams> sequences;
  for (const CompletionPrompt& p : plan.prompts) {
    for (int32_t j = 0; j < plan.settings.n; ++j) {
      sequences.push_back(plan.settings.for_choice(j));
      sequences.back().prompt = p.tokens;
    }
  }
  auto gen = std::make_unique<Generation>(ctx.engine, ctx.metrics, std::move(sequences), origin.arrived);
  if (!plan.settings.stream) return complete_whole(ctx, plan, *gen, origin);
  ApiResponse r;
  r.content_type = "text/event-stream";
  r.stream = std::make_unique<CompletionStream>(ctx, std::move(plan), std::move(gen));
  return r;
}

}  // namespace qwenrt::server
