#pragma once
// application/x-www-form-urlencoded, as a request body or a URL query, read the one way
// every reference target reads it: pairs split at `&`, name and value at the first `=`,
// `+` as a space, percent escapes decoded, empty pairs skipped. RFC 6749 §3.1: a parameter
// sent without a value is treated as omitted; §3.2: a parameter must not appear twice.

#include <map>
#include <string>
#include <string_view>

#include "tollgate/base/status.h"

namespace tollgate {

/// The parameters of a form, by name.
struct FormFields {
  std::map<std::string, std::string> values;

  /// The value of `name`, "" when absent.
  std::string Get(const std::string& name) const;
  bool Has(const std::string& name) const { return values.count(name) > 0; }
};

/// The parameters of `text`. InvalidArgument, naming the problem, for a bad percent escape
/// or a parameter given twice.
StatusOr<FormFields> ParseForm(std::string_view text);

/// True when `text` names parameter `name`, with or without a value, however malformed the
/// rest (to spot a credential sent where it must not be).
bool FormNames(std::string_view text, std::string_view name);

}  // namespace tollgate
