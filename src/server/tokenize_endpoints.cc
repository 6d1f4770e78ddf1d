#include "server/tokenize_endpoints.h"

#include "server/api_error.h"
#include "server/chat_messages.h"
#include "server/chat_request.h"

namespace qwenrt::server {

ApiResponse handle_tokenize(const ServerContext& ctx, const Json& body) {
  check_model(body, ctx.model);
  std::string text;
  if (auto prompt = get_string(body, "prompt")) {
    text = *prompt;
  } else if (get_field(body, "messages")) {
    if (!ctx.model.chat_template) {
      throw invalid_request("model '" + ctx.model.id + "' has no chat template", "messages");
    }
    const Json* tools = get_field(body, "tools");
    text = render_chat_prompt(ctx.model, body, tools ? *tools : Json(),
                              get_bool(body, "add_generation_prompt").value_or(true));
  } else {
    throw invalid_request("'prompt' (a string) or 'messages' is required", "prompt");
  }
  const std::vector<int32_t> ids = (*ctx.model.tokenizer).encode(text);
  Json j = Json::object();
  j["count"] = ids.size();
  j["max_model_len"] = ctx.model.context_size;
  j["tokens"] = ids;
  return json_response(j);
}

ApiResponse handle_detokenize(const ServerContext& ctx, const Json& body) {
  check_model(body, ctx.model);
  const Json* tokens = get_field(body, "tokens");
  if (!tokens || !tokens->is_array()) throw invalid_request("'tokens' must be a list of token ids", "tokens");
  std::vector<int32_t> ids;
  for (const Json& t : *tokens) {
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || !(*ctx.model.tokenizer).has_token(
                                                              static_cast<int32_t>(std::min<int64_t>(t.get<int64_t>(), INT32_MAX)))) {
      throw invalid_request("'tokens' holds " + dump_json(t) + ", which is not a token id of this model", "tokens");
    }
    ids.push_back(static_cast<int32_t>(t.get<int64_t>()));
  }
  return json_response(Json{{"prompt", (*ctx.model.tokenizer).decode(ids)}});
}

}  // namespace qwenrt::server
