// POST /v1/chat/completions: plans the request, runs its n choices in the engine and
// answers with a chat.completion or a stream of chat.completion.chunk events.
#pragma once
#include "server/api_response.h"
#include "server/generation.h"

namespace qwenrt::server {

// Throws ApiError for invalid requests and engine refusals (the HTTP layer maps
// QueueFullError / ContextLengthError).
ApiResponse handle_chat_completions(ServerContext& context, const Json& body, const RequestOrigin& origin);

}  // namespace qwenrt::server
