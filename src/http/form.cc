#include "tollgate/http/form.h"

#include "tollgate/base/encoding.h"

namespace tollgate {
namespace {

// Calls `fn(name, value)` with the raw text of each non-empty pair of `text`.
template <typename Fn>
void ForEachPair(std::string_view text, Fn&& fn) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view pair = text.substr(start, amp - start);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      if (!fn(pair.substr(0, eq), value)) return;
    }
    start = amp + 1;
  }
}

}  // namespace

std::string FormFields::Get(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? "" : it->second;
}

StatusOr<FormFields> ParseForm(std::string_view text) {
  FormFields form;
  Status error = Status::Ok();
  ForEachPair(text, [&](std::string_view raw_name, std::string_view raw_value) {
    std::optional<std::string> name = PercentDecode(raw_name, /*plus_is_space=*/true);
    std::optional<std::string> value = PercentDecode(raw_value, /*plus_is_space=*/true);
    if (!name || !value) {
      error = InvalidArgumentError("not valid application/x-www-form-urlencoded (a bad % escape)");
      return false;
    }
    if (value->empty()) return true;
    if (!form.values.emplace(*name, std::move(*value)).second) {
      error = InvalidArgumentError("parameter `" + *name + "` is repeated");
      return false;
    }
    return true;
  });
  if (!error.ok()) return error;
  return form;
}

bool FormNames(std::string_view text, std::string_view name) {
  bool found = false;
  ForEachPair(text, [&](std::string_view raw_name, std::string_view) {
    std::optional<std::string> decoded = PercentDecode(raw_name, /*plus_is_space=*/true);
    found = raw_name == name || (decoded && *decoded == name);
    return !found;
  });
  return found;
}

}  // namespace tollgate
