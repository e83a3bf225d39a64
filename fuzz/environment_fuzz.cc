// ParseEnvironment: YAML text -> the typed model or located diagnostics, never a crash, an
// uncaught exception or an unbounded allocation. Seeds: the project's own files. The mock
// kinds' schemas, actions and faults are registered first, as the command line does, so
// every key of every kind is reachable.

#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/loader.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  tollgate::RegisterMockKinds();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = tollgate::fuzz::Text(data, size);
  tollgate::Diagnostics diags;
  auto loaded = tollgate::ParseEnvironment(text, "fuzz.yaml", diags);
  // A refusal always says why; a success carries no error.
  if (loaded.has_value() != diags.empty()) __builtin_trap();
  tollgate::fuzz::RenderAll(diags, text);
  return 0;
}
