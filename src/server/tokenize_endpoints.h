// POST /tokenize and POST /detokenize (vLLM's shapes):
//   /tokenize   {"prompt": text} or {"messages": [...], "add_generation_prompt"?,
//               "chat_template_kwargs"?, "tools"?} -> {"count", "max_model_len", "tokens"}
//   /detokenize {"tokens": [ids]} -> {"prompt": text}
#pragma once
#include "server/api_response.h"

namespace qwenrt::server {

ApiResponse handle_tokenize(const ServerContext& context, const Json& body);
ApiResponse handle_detokenize(const ServerContext& context, const Json& body);

}  // namespace qwenrt::server
