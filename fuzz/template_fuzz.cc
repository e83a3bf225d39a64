// Template::Parse and Evaluate: any string parses or fails with a position inside it; a
// parsed template evaluates against a scope without crashing; and Literal() round-trips:
// any text, escaped, parses back to a template that evaluates to exactly that text.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "tollgate/scenario/template.h"

namespace {

// Answers every path but those naming "missing", so both branches of Evaluate run.
class FuzzScope : public tollgate::Scope {
 public:
  tollgate::StatusOr<std::string> Lookup(const std::vector<std::string>& path) const override {
    std::string joined;
    for (const std::string& p : path) {
      if (p == "missing") return tollgate::NotFoundError("no `missing`");
      joined += p + ".";
    }
    return joined;
  }
  std::string NewUuid() const override { return "00000000-0000-4000-8000-000000000000"; }
  long long NowSeconds() const override { return 1'700'000'000; }
  std::optional<std::string> Env(const std::string& name) const override {
    if (name == "HOME") return std::string("/home/fuzz");
    return std::nullopt;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = tollgate::fuzz::Text(data, size);
  FuzzScope scope;

  tollgate::TemplateError error;
  auto parsed = tollgate::Template::Parse(text, {"fuzz.yaml", 1, 1}, &error);
  if (parsed.ok()) {
    if (parsed->raw() != text) __builtin_trap();
    (void)parsed->Evaluate(scope);
    (void)parsed->Roots();
    (void)parsed->Paths();
    (void)parsed->Functions();
  } else {
    // The located details stay inside the text (diagnostics underline them).
    if (error.offset < 0 || static_cast<std::size_t>(error.offset) > text.size()) __builtin_trap();
    if (error.expr_offset < 0 || error.expr_length < 0 ||
        static_cast<std::size_t>(error.expr_offset) + error.expr_length > text.size()) {
      __builtin_trap();
    }
  }

  tollgate::Template literal = tollgate::Template::Literal(text);
  auto reparsed = tollgate::Template::Parse(literal.raw());
  if (!reparsed.ok() || !reparsed->is_literal()) __builtin_trap();
  auto value = reparsed->Evaluate(scope);
  if (!value.ok() || *value != text) __builtin_trap();
  return 0;
}
