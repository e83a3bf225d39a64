#include "pki/layout.h"

#include <fstream>
#include <map>
#include <sstream>

namespace tollgate::pki::layout {

std::string FormatManifest(const std::string& digest, std::time_t generated, std::time_t valid_from,
                           std::time_t refresh_at, int certificates) {
  std::ostringstream out;
  out << "config " << digest << "\n"
      << "generated " << generated << "\n"
      << "valid_from " << valid_from << "\n"
      << "refresh_at " << refresh_at << "\n"
      << "certificates " << certificates << "\n";
  return out.str();
}

std::string WhyStale(const std::filesystem::path& dir, const std::string& digest, std::time_t now) {
  std::ifstream in(dir / kManifest);
  if (!in) return "no material yet";
  std::map<std::string, std::string> fields;
  std::string key, value;
  while (in >> key >> value) fields[key] = value;
  if (fields["config"] != digest) return "the PKI profile changed";
  long long valid_from = 0, refresh_at = 0;
  try {
    valid_from = std::stoll(fields["valid_from"]);
    refresh_at = std::stoll(fields["refresh_at"]);
  } catch (const std::exception&) {
    return "the manifest is damaged";
  }
  if (now < valid_from) return "the clock is before the material's validity";
  if (now >= refresh_at) return "some material has expired or expires within days";
  return "";
}

}  // namespace tollgate::pki::layout
