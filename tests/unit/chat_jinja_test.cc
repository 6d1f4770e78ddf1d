// The Jinja engine against jinja2 as transformers configures it (goldens from
// tools/goldens/make_jinja_goldens.py), plus error locations and safety limits.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chat/jinja/template.h"

namespace qwenrt::jinja {
namespace {

using json = nlohmann::ordered_json;

json load_cases() {
  const std::string path = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/chat/jinja_cases.json";
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::string render(const std::string& source, const json& vars = json::object(),
                   const Limits& limits = {}) {
  return Template(source, limits).render(vars);
}

// Runs `source` expecting a TemplateError; returns it.
TemplateError render_error(const std::string& source, const Limits& limits = {}) {
  try {
    render(source, json::object(), limits);
  } catch (const TemplateError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error from: " << source;
  return TemplateError(ErrorKind::kRuntime, 0, 0, "");
}

TEST(JinjaGolden, MatchesJinja2) {
  const json golden = load_cases();
  ASSERT_EQ(golden["format"], 1);
  const json& context = golden["context"];
  int texts = 0, errors = 0;
  for (const json& c : golden["cases"]) {
    const std::string source = c["template"];
    SCOPED_TRACE(c["name"].get<std::string>() + ": " + source);
    if (c.contains("text")) {
      ++texts;
      try {
        EXPECT_EQ(Template(source).render(context), c["text"].get<std::string>());
      } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected error: " << e.what();
      }
      continue;
    }
    ++errors;
    const std::string type = c["error"]["type"];
    const std::string message = c["error"]["message"];
    try {
      const std::string got = Template(source).render(context);
      ADD_FAILURE() << "rendered '" << got << "' but jinja2 fails with " << type << ": " << message;
    } catch (const TemplateError& e) {
      if (type == "TemplateSyntaxError" || type == "TemplateAssertionError" ||
          type == "SyntaxError") {
        EXPECT_EQ(e.kind(), ErrorKind::kSyntax) << e.what();
      }
      if (type == "TemplateError") {  // raise_exception
        EXPECT_EQ(e.kind(), ErrorKind::kRaised);
        EXPECT_EQ(e.detail(), message);
      }
      // Where jinja2's message has no Python-internal detail, ours carries the same words.
      if (message.find(" at 0x") == std::string::npos &&
          message.find("<template>") == std::string::npos && type != "TemplateRuntimeError" &&
          message != "no loader for this environment specified") {
        EXPECT_NE(e.detail().find(message), std::string::npos)
            << "ours: " << e.what() << "\njinja2: " << message;
      }
    }
  }
  EXPECT_GT(texts, 450);
  EXPECT_GT(errors, 80);
}

TEST(JinjaErrors, SyntaxErrorNamesLineAndColumn) {
  const TemplateError e = render_error("line1\n{{ x.y( }}");
  EXPECT_EQ(e.kind(), ErrorKind::kSyntax);
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 9);
  EXPECT_NE(std::string(e.what()).find("line 2, column 9"), std::string::npos) << e.what();

  const TemplateError eof = render_error("{% for m in messages %}\n  {% if m %}x{% endif %}\n");
  EXPECT_EQ(eof.kind(), ErrorKind::kSyntax);
  EXPECT_NE(eof.detail().find("'endfor'"), std::string::npos) << eof.what();

  const TemplateError unknown = render_error("ok\n\n   {% frobnicate %}");
  EXPECT_EQ(unknown.line(), 3);
  EXPECT_EQ(unknown.column(), 7);
  EXPECT_EQ(render_error("{{ 'é' ~ x|nope }}").column(), 12);  // columns count characters
}

TEST(JinjaErrors, RuntimeErrorNamesTheFailingNode) {
  const TemplateError e = render_error("a\n  {{ 1 + 'x' }}");
  EXPECT_EQ(e.kind(), ErrorKind::kRuntime);
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 8);
  EXPECT_EQ(e.detail(), "unsupported operand type(s) for +: 'int' and 'str'");
  const TemplateError u = render_error("{% set m = {} %}\n{{ m.a.b }}");
  EXPECT_EQ(u.line(), 2);
  EXPECT_EQ(u.detail(), "'dict object' has no attribute 'a'");
}

TEST(JinjaErrors, RaiseExceptionSurfacesItsMessage) {
  const TemplateError e = render_error(
      "{%- for m in [1, 2] %}\n{%- if m == 2 %}\n    {{- raise_exception('Only user and assistant "
      "roles are supported!') }}"
      "\n{%- endif %}{% endfor %}");
  EXPECT_EQ(e.kind(), ErrorKind::kRaised);
  EXPECT_EQ(e.detail(), "Only user and assistant roles are supported!");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("Only user and assistant roles are supported!"),
            std::string::npos);
}

TEST(JinjaLimits, EndlessMacroRecursionStops) {
  const TemplateError e = render_error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
  EXPECT_EQ(e.kind(), ErrorKind::kLimit);
  EXPECT_NE(e.detail().find("recursion"), std::string::npos) << e.what();
}

TEST(JinjaLimits, HugeLoopsStop) {
  // 10^15 iterations if nothing stopped them.
  Limits limits;
  limits.max_loop_iterations = 100000;
  const TemplateError e = render_error(
      "{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}"
      "{% endfor %}{% endfor %}{% endfor %}",
      limits);
  EXPECT_EQ(e.kind(), ErrorKind::kLimit);
  EXPECT_NE(e.detail().find("loop iterations"), std::string::npos) << e.what();
  Limits small;
  small.max_loop_iterations = 1000;
  EXPECT_EQ(render_error("{% for i in range(2000) %}{% endfor %}", small).kind(),
            ErrorKind::kLimit);
  EXPECT_EQ(render("{% for i in range(1000) %}{% endfor %}ok", json::object(), small), "ok");
}

TEST(JinjaLimits, StepBudget) {
  Limits small;
  small.max_steps = 10000;
  const TemplateError e = render_error("{% for i in range(100000) %}{{ i }}{% endfor %}", small);
  EXPECT_EQ(e.kind(), ErrorKind::kLimit);
  EXPECT_NE(e.detail().find("steps"), std::string::npos) << e.what();
}

TEST(JinjaLimits, StringsCannotExplode) {
  Limits small;
  small.max_output_bytes = 1 << 20;
  // Doubling a string 60 times would need an exabyte.
  EXPECT_EQ(
      render_error(
          "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
          "{% endfor %}{{ ns.s|length }}",
          small)
          .kind(),
      ErrorKind::kLimit);
  EXPECT_EQ(render_error("{{ 'a' * 1000000000000 }}", small).kind(), ErrorKind::kLimit);
  EXPECT_EQ(render_error("{{ [1] * 1000000000000 }}").kind(), ErrorKind::kLimit);
  EXPECT_EQ(render_error("{{ ('x' * 1000).replace('', 'yyyy' * 1000) }}", small).kind(),
            ErrorKind::kLimit);
  EXPECT_EQ(render_error("{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}", small).kind(),
            ErrorKind::kLimit);
}

TEST(JinjaLimits, DeepNestingIsRejected) {
  EXPECT_EQ(
      render_error("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}").kind(),
      ErrorKind::kLimit);
  EXPECT_EQ(render("{{ " + std::string(40, '(') + "1" + std::string(40, ')') + " }}"), "1");
  EXPECT_EQ(render_error("{{ " + std::string(5000, '[') + std::string(5000, ']') + " }}").kind(),
            ErrorKind::kLimit);
  std::string ifs;
  for (int i = 0; i < 2000; ++i) ifs += "{% if 1 %}";
  EXPECT_EQ(render_error(ifs).kind(), ErrorKind::kLimit);
  std::string chain = "{{ 1";
  for (int i = 0; i < 20000; ++i) chain += " + 1";
  EXPECT_EQ(render_error(chain + " }}").kind(), ErrorKind::kLimit);
  EXPECT_EQ(render_error("{{ " + std::string(20000, '-') + "1 }}").kind(), ErrorKind::kLimit);
  // Values built by a loop cannot nest without bound either.
  EXPECT_EQ(render_error("{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = "
                         "[ns.l] %}{% endfor %}")
                .kind(),
            ErrorKind::kLimit);
}

TEST(JinjaLimits, TemplateSize) {
  Limits small;
  small.max_template_bytes = 100;
  EXPECT_EQ(render_error(std::string(200, 'x'), small).kind(), ErrorKind::kLimit);
}

TEST(JinjaNamespaces, CyclesPrintAndFree) {
  EXPECT_EQ(render("{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns }}"),
            "<Namespace {'a': 1, 'me': <Namespace {...}>}>");
}

TEST(JinjaTemplate, RendersConcurrently) {
  const Template t("{% for m in messages %}{{ m.role }}:{{ m.content | upper }};{% endfor %}");
  const json vars = {{"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
  std::vector<std::thread> threads;
  std::vector<std::string> out(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 200; ++k) out[i] = t.render(vars);
    });
  for (auto& th : threads) th.join();
  for (const std::string& s : out) EXPECT_EQ(s, "user:HI;");
}

TEST(JinjaTemplate, VariablesKeepKeyOrder) {
  const json vars = json::parse(R"({"d": {"z": 1, "a": {"y": [1.5, true, null], "b": "é"}}})");
  EXPECT_EQ(render("{{ d | tojson }}|{{ d }}", vars),
            "{\"z\": 1, \"a\": {\"y\": [1.5, true, null], \"b\": \"é\"}}|{'z': 1, 'a': {'y': [1.5, "
            "True, None], 'b': 'é'}}");
}

}  // namespace
}  // namespace qwenrt::jinja
