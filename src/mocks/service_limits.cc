#include <algorithm>
#include <climits>
#include <optional>

#include "mocks/config.h"
#include "tollgate/scenario/loader.h"
#include "tollgate/scenario/service_schema.h"

namespace tollgate::mocks {
namespace {

// The `limits:` keys, their types and summaries are the schema's (CommonServiceFields, which
// the environment loader checks with file and line); this file only maps each onto the
// listener's options.
const std::vector<FieldSpec>& LimitFields() {
  static const std::vector<FieldSpec>* fields = [] {
    for (const FieldSpec& f : CommonServiceFields()) {
      if (f.name == "limits") return &f.fields;
    }
    static const std::vector<FieldSpec> kNone;
    return &kNone;
  }();
  return *fields;
}

std::string KeyList() {
  std::string out;
  for (const std::string& k : ServiceLimitKeys()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

const std::vector<std::string>& ServiceLimitKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const FieldSpec& f : LimitFields()) out.push_back(f.name);
    std::sort(out.begin(), out.end());
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
    const FieldSpec* key = nullptr;
    for (const FieldSpec& f : LimitFields()) {
      if (name == f.name) key = &f;
    }
    if (key == nullptr) {
      return InvalidArgumentError(where + "unknown key `limits." + name + "`; known: " + KeyList());
    }
    const std::string field = "`limits." + name + "`";
    if (key->type == FieldType::kDuration) {
      std::optional<Duration> d;
      if (value.is_string()) d = ParseDuration(value.get<std::string>());
      if (!d || d->count() <= 0) {
        return InvalidArgumentError(where + field + " must be a duration like 500ms or 5s, found " +
                                    value.dump());
      }
      (name == "header_timeout" ? options->header_timeout : options->io_timeout) = *d;
      continue;
    }
    // A count of bytes or connections; only `reserved_connections` may be 0 (it turns
    // eviction off), and none may be negative.
    const long long min = key->type == FieldType::kPositiveInt ? 1 : 0;
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
