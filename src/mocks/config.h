#pragma once
// Reading a service's config with defaults. The environment loader has checked it against
// the kind's schema (its Vocabulary().keys), so a present key has its declared type and a
// required one is there: these helpers only read, and each kind checks just what a schema
// cannot say (rules across keys, the shape of a path). Small helpers so each kind's
// constructor reads like its schema.

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tollgate/base/status.h"
#include "tollgate/http/server.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::mocks {

/// "a, b, c": the names of `terms`, for messages.
inline std::string TermList(const Terms& terms) {
  std::string out;
  for (const Term& t : terms) out += (out.empty() ? "" : ", ") + t.name;
  return out;
}

inline bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

inline std::string GetString(const nlohmann::json& c, const char* key, std::string def) {
  auto it = c.find(key);
  return it != c.end() && it->is_string() ? it->get<std::string>() : def;
}

inline int GetInt(const nlohmann::json& c, const char* key, int def) {
  auto it = c.find(key);
  return it != c.end() && it->is_number_integer() ? it->get<int>() : def;
}

inline std::vector<std::string> GetStrings(const nlohmann::json& c, const char* key,
                                           std::vector<std::string> def) {
  auto it = c.find(key);
  if (it == c.end() || !it->is_array()) return def;
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

/// A duration key (kept as written by the loader, "20m"; or whole seconds) in seconds.
inline std::chrono::seconds GetSeconds(const nlohmann::json& c, const char* key,
                                       std::chrono::seconds def) {
  auto it = c.find(key);
  if (it == c.end()) return def;
  if (it->is_number_integer()) return std::chrono::seconds(it->get<long long>());
  if (!it->is_string()) return def;
  std::optional<Duration> d = ParseDuration(it->get<std::string>());
  return d ? std::chrono::duration_cast<std::chrono::seconds>(*d) : def;
}

/// A mapping key (kObject, kObjectMap, kStringMap), or an empty object when absent.
inline const nlohmann::json& GetObject(const nlohmann::json& c, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = c.find(key);
  return it != c.end() && it->is_object() ? *it : kEmpty;
}

// A service's `limits:` map, applied to its listeners (service_limits.cc).
/// Every key `limits:` takes (docs/limits.md), sorted.
const std::vector<std::string>& ServiceLimitKeys();

/// Sets the limits in `config["limits"]` (absent: the server's defaults stay) on `options`.
/// InvalidArgument naming service and key for an unknown key, a value of the wrong type or
/// out of range. The loader checks the same first, with file and line; this guards
/// environments built in code.
Status ApplyServiceLimits(const nlohmann::json& config, const std::string& service,
                          ServerOptions* options);

}  // namespace tollgate::mocks
