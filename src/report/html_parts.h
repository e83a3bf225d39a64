#pragma once
// Pieces of the HTML certification report (internal to src/report): escaping is done
// here, once, so callers pass raw result text.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tollgate/results.h"

namespace tollgate::report {

/// `<span class="chip outcome">WORD</span>` for an outcome.
std::string OutcomeChip(Outcome o);

/// The anchor id of a case's evidence section ("case-3").
std::string CaseAnchor(int index);

/// The evidence section of a case that did not pass: its checks, waiver, each exchange
/// (request, response, TLS, decoded tokens) and the transcript.
std::string CaseEvidenceHtml(const CaseResult& c, int index);

/// " (2025-12-06 16:00:00 UTC)" for a NumericDate (RFC 7519 §2) between years 1 and 9999;
/// empty for anything else (a string, a bool, a date no calendar reaches).
std::string NumericDateNote(const nlohmann::json& value);

/// A curl command that reproduces a recorded request, with what it needs from the reader.
struct CurlCommand {
  std::string command;  ///< shell text; every masked value is a "$NAME" variable
  std::vector<std::pair<std::string, std::string>> variables;  ///< name, what to set it to
  std::vector<std::string> notes;  ///< what the record could not carry (a cut body, a CA)
};

/// The curl command of an evidence item's request (method, url, headers, body; a client
/// certificate presented adds --cert/--key); nullopt when it holds no request URL.
std::optional<CurlCommand> CurlFor(const StepEvidence& evidence);

/// `text` as one shell word: single-quoted, or $'...' (bash, zsh, ksh) when it holds bytes a
/// page cannot carry (controls, invalid UTF-8).
std::string ShellQuote(std::string_view text);

}  // namespace tollgate::report
