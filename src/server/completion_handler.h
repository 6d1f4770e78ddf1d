// POST /v1/completions: runs each prompt n times and answers with a text_completion or
// a stream of its chunks.
#pragma once
#include "server/api_response.h"
#include "server/generation.h"

namespace qwenrt::server {

ApiResponse handle_completions(ServerContext& context, const Json& body, const RequestOrigin& origin);

}  // namespace qwenrt::server
