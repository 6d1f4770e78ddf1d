#include "server/chat_handler.h"

#include "server/chat_choices.h"
#include "server/chat_request.h"

namespace qwenrt::server {
namespace {

ResponseHeader new_header(const ServerContext& ctx) {
  return {random_id("chatcmpl-"), "chat.completion", unix_now(), ctx.model.id};
}

class ChatStream : public EventStream {
 public:
  ChatStream(ServerContext& ctx, const ChatPlan& plan, std::unique_ptr<Generation> gen)
      : gen_(std::move(gen)),
        choices_(new_header(ctx), gen_->size(), plan.output, plan.settings.logprobs, plan.settings.include_usage,
                 *ctx.model.tokenizer) {}

  std::optional<std::string> next(std::chrono::milliseconds wait) override {
    if (ended_) return std::nullopt;
    if (!started_) {  // the role first, before any token: clients show the turn at once
      started_ = true;
      return choices_.start_stream();
    }
    std::string out;
    // Everything queued goes out in one write; wait only for the first event.
    for (auto wait_now = wait; auto ev = gen_->next(wait_now); wait_now = std::chrono::milliseconds(0)) {
      out += choices_.stream_event(ev->choice, ev->event);
      if (choices_.failed()) break;
    }
    if (gen_->done() || choices_.failed()) {
      ended_ = true;
      gen_.reset();  // cancels what is left after a failure
      out += choices_.end_stream();
    }
    return out;
  }

 private:
  std::unique_ptr<Generation> gen_;
  ChatChoices choices_;
  bool started_ = false, ended_ = false;
};

}  // namespace

ApiResponse handle_chat_completions(ServerContext& ctx, const Json& body, const RequestOrigin& origin) {
  ChatPlan plan = plan_chat(body, ctx.model, ctx.limits);
  std::vector<SequenceParams> sequences;
  for (int32_t i = 0; i < plan.settings.n; ++i) sequences.push_back(plan.settings.for_choice(i));
  auto gen = std::make_unique<Generation>(ctx.engine, ctx.metrics, std::move(sequences), origin.arrived);
  if (plan.settings.stream) {
    ApiResponse r;
    r.content_type = "text/event-stream";
    r.stream = std::make_unique<ChatStream>(ctx, plan, std::move(gen));
    return r;
  }
  ChatChoices choices(new_header(ctx), gen->size(), plan.output, plan.settings.logprobs, false, *ctx.model.tokenizer);
  while (!gen->done()) {
    if (origin.gone()) return client_closed_response();  // dropping gen cancels it
    if (auto ev = gen->next(kClientCheckInterval)) choices.add_event(ev->choice, ev->event);
  }
  return json_response(choices.response());
}

}  // namespace qwenrt::server
