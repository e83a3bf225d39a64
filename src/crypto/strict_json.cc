#include "crypto/strict_json.h"

#include <set>
#include <string>
#include <vector>

namespace tollgate::jose {

StatusOr<nlohmann::json> ParseStrictObject(std::string_view text, std::string_view what,
                                           JsonDefect* defect) {
  auto fail = [&](JsonDefect d, const std::string& message) -> Status {
    if (defect) *defect = d;
    return InvalidArgumentError(std::string(what) + ": " + message);
  };
  if (defect) *defect = JsonDefect::kNone;
  // One set of member names per open object; the callback sees every key in order.
  std::vector<std::set<std::string>> open;
  std::optional<std::string> duplicate;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      open.emplace_back();
    } else if (event == E::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == E::key && !open.empty() && !duplicate) {
      const auto& name = parsed.get_ref<const std::string&>();
      if (!open.back().insert(name).second) duplicate = name;
    }
    return true;
  };
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::exception& e) {
    // The library's message quotes a few bytes around the error, which for claims could be
    // a secret-looking value; say where, not what.
    std::string message = "not valid JSON";
    if (const auto* pe = dynamic_cast<const nlohmann::json::parse_error*>(&e)) {
      message += " (at byte " + std::to_string(pe->byte) + ")";
    }
    return fail(JsonDefect::kSyntax, message);
  }
  if (duplicate)
    return fail(JsonDefect::kDuplicateMember, "duplicate member \"" + *duplicate + "\"");
  if (!value.is_object()) return fail(JsonDefect::kNotObject, "not a JSON object");
  return value;
}

}  // namespace tollgate::jose
