// ParsePkiConfig (certs/pki.yaml): a profile loads or is refused with a message naming
// file:line; never a crash or an uncaught exception. Nothing is generated here.

#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "tollgate/pki/pki.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = tollgate::fuzz::Text(data, size);
  auto cfg = tollgate::pki::ParsePkiConfig(text, "pki.yaml");
  if (!cfg.ok() && cfg.status().message().rfind("pki.yaml:", 0) != 0) __builtin_trap();
  return 0;
}
