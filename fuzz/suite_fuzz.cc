// ParseSuite: YAML text -> the typed model or located diagnostics, never a crash, an
// uncaught exception or an unbounded allocation. Seeds: the project's own files.

#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "tollgate/scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = tollgate::fuzz::Text(data, size);
  tollgate::Diagnostics diags;
  auto loaded = tollgate::ParseSuite(text, "fuzz.yaml", diags);
  // A refusal always says why; a success carries no error.
  if (loaded.has_value() != diags.empty()) __builtin_trap();
  tollgate::fuzz::RenderAll(diags, text);
  return 0;
}
