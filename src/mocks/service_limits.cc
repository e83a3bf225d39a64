#include <algorithm>
#include <climits>
#include <optional>

#include "mocks/config.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {
namespace {

enum class Kind { kBytes, kCount, kCountOrZero, kDuration };

struct LimitKey {
  const char* name;
  Kind kind;
};

constexpr LimitKey kKeys[] = {
    {"header_timeout", Kind::kDuration},
    {"io_timeout", Kind::kDuration},
    {"max_body_bytes", Kind::kBytes},
    {"max_buffered_body_bytes", Kind::kBytes},
    {"max_chunk_extension_bytes", Kind::kBytes},
    {"max_connections", Kind::kCount},
    {"max_connections_per_address", Kind::kCount},
    {"max_header_bytes", Kind::kBytes},
    {"max_header_fields", Kind::kCount},
    {"reserved_connections", Kind::kCountOrZero},
};

std::string KeyList() {
  std::string out;
  for (const LimitKey& k : kKeys) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

}  // namespace

const std::vector<std::string>& ServiceLimitKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const LimitKey& k : kKeys) out.emplace_back(k.name);
    return out;
  }();
  return keys;
}

Status ApplyServiceLimits(const nlohmann::json& config, const std::string& service,
                          ServerOptions* options) {
  auto it = config.find("limits");
  if (it == config.end() || it->is_null()) return Status::Ok();
  const std::string where = "service `" + service + "`: ";
  if (!it->is_object()) {
    return InvalidArgumentError(where + "`limits` must be a mapping of " + KeyList());
  }
  for (const auto& [name, value] : it->items()) {
    const LimitKey* key = nullptr;
    for (const LimitKey& k : kKeys) {
      if (name == k.name) key = &k;
    }
    if (key == nullptr) {
      return InvalidArgumentError(where + "unknown key `limits." + name + "`; known: " + KeyList());
    }
    const std::string field = "`limits." + name + "`";
    if (key->kind == Kind::kDuration) {
      std::optional<Duration> d;
      if (value.is_string()) d = ParseDuration(value.get<std::string>());
      if (!d || d->count() <= 0) {
        return InvalidArgumentError(where + field + " must be a duration like 500ms or 5s, found " +
                                    value.dump());
      }
      (name == "header_timeout" ? options->header_timeout : options->io_timeout) = *d;
      continue;
    }
    const long long min = key->kind == Kind::kCountOrZero ? 0 : 1;
    if (!value.is_number_integer() || value.get<long long>() < min ||
        value.get<long long>() > INT_MAX) {
      return InvalidArgumentError(where + field + " must be an integer from " +
                                  std::to_string(min) + " to " + std::to_string(INT_MAX) +
                                  ", found " + value.dump());
    }
    const auto n = static_cast<std::size_t>(value.get<long long>());
    if (name == "max_header_bytes") options->max_header_bytes = n;
    if (name == "max_header_fields") options->max_header_fields = n;
    if (name == "max_body_bytes") options->max_body_bytes = n;
    if (name == "max_buffered_body_bytes") options->max_buffered_body_bytes = n;
    if (name == "max_chunk_extension_bytes") options->max_chunk_extension_bytes = n;
    if (name == "max_connections") options->max_connections = n;
    if (name == "max_connections_per_address") options->max_connections_per_address = n;
    if (name == "reserved_connections") options->reserved_connections = n;
  }
  return Status::Ok();
}

}  // namespace tollgate::mocks
