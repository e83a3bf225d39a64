#pragma once
// The `tls:` expectation: an outcome (`accepted`, `rejected`, `handshake_refused`, an alert
// name) or a mapping of the server's TLS facts to check. Internal to the scenario module.

#include <optional>

#include "tollgate/scenario/model.h"
#include "yaml_reader.h"

namespace tollgate::scenario {

/// Reads `expect: {tls: ...}`; reports every problem with its place and returns nullopt.
std::optional<TlsExpect> ReadTlsExpect(scenario::Document& doc, const scenario::Node& n);

/// Parses ">= 30", "< 1.2", "== 1.3" or a bare number; nullopt when it is none of these.
std::optional<NumberBound> ParseNumberBound(const std::string& text);

}  // namespace tollgate::scenario
