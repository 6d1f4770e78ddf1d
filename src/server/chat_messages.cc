#include "server/chat_messages.h"

#include "chat/jinja/error.h"
#include "server/api_error.h"

namespace qwenrt::server {
namespace {

Json text_content(const Json& content, const std::string& where) {
  if (content.is_null() || content.is_string()) return content;
  if (!content.is_array()) throw invalid_request(where + " must be a string or a list of parts", where);
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& part = content[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (!part.is_object() || string_field(part, "type") != "text") {
      throw invalid_request(at + ": only {\"type\": \"text\"} parts are supported", at);
    }
    const Json* t = get_field(part, "text");
    if (!t || !t->is_string()) throw invalid_request(at + ".text must be a string", at);
    if (i > 0) text += "\n";
    text += t->get<std::string>();
  }
  return text;
}

Json template_tool_calls(const Json& calls, const std::string& where) {
  if (!calls.is_array()) throw invalid_request(where + " must be a list", where);
  Json out = Json::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const Json& call = calls[i];
    const Json* function = call.is_object() ? get_field(call, "function") : nullptr;
    if (!function || !function->is_object() || !function->contains("name") || !(*function)["name"].is_string()) {
      throw invalid_request(at + ".function.name must be a string", at);
    }
    Json copy = call;
    const Json* args = get_field(*function, "arguments");
    if (args && args->is_string()) {
      try {
        copy["function"]["arguments"] = parse_request_body(args->get<std::string>());  // depth-limited
      } catch (const ApiError&) {
        throw invalid_request(at + ".function.arguments must be a JSON object encoded as a string", at);
      }
    }
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace

Json template_messages(const Json& messages) {
  if (!messages.is_array() || messages.empty()) {
    throw invalid_request("'messages' must be a non-empty list", "messages");
  }
  Json out = Json::array();
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    const Json& m = messages[i];
    if (!m.is_object()) throw invalid_request(where + " must be an object", where);
    const Json* role = get_field(m, "role");
    if (!role || !role->is_string()) throw invalid_request(where + ".role must be a string", where + ".role");
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant" && r != "tool") {
      throw invalid_request(where + ".role '" + r + "' is not system, user, assistant or tool", where + ".role");
    }
    Json copy = m;
    copy["role"] = r;
    if (m.contains("content") && !m["content"].is_null()) {
      copy["content"] = text_content(m["content"], where + ".content");
    } else if (r == "assistant") {
      copy["content"] = "";  // only tool calls: templates read the content regardless
    } else {
      throw invalid_request(where + ".content is required for role '" + r + "'", where + ".content");
    }
    if (const Json* calls = get_field(m, "tool_calls")) {
      copy["tool_calls"] = template_tool_calls(*calls, where + ".tool_calls");
    }
    out.push_back(std::move(copy));
  }
  return out;
}

std::string render_chat_prompt(const ServingModel& model, const Json& body, const Json& tools,
                               bool add_generation_prompt) {
  ChatRequest request;
  const Json* messages = get_field(body, "messages");
  request.messages = template_messages(messages ? *messages : Json());
  request.tools = tools;
  request.add_generation_prompt = add_generation_prompt;
  if (const Json* kwargs = get_field(body, "chat_template_kwargs")) {
    if (!kwargs->is_object()) throw invalid_request("'chat_template_kwargs' must be an object", "chat_template_kwargs");
    request.kwargs = *kwargs;
  }
  try {
    return model.chat_template->render(request);
  } catch (const jinja::TemplateError& e) {
    throw invalid_request("chat template: " + e.detail(), "messages");
  } catch (const Error& e) {
    throw invalid_request(std::string("chat template: ") + e.what(), "messages");
  }
}

}  // namespace qwenrt::server
