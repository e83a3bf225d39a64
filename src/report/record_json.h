#pragma once
// The typed records of a case (transcript entries, evidence) as the JSON report writes them,
// and back (internal to src/report). Reading what writing produced gives the same records,
// so a merge writes the same JSON again.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tollgate/results.h"

namespace tollgate::report {

/// ordered_json keeps members in the documented order.
using OrderedJson = nlohmann::ordered_json;

/// An evidence item's `record`: `request` and `response` (and `tls`) when it holds an
/// exchange, `tokens` when it decoded any. Headers are an object (docs/json-report.md): a
/// name sent twice shows its values joined by ", ".
OrderedJson EvidenceRecordJson(const StepEvidence& e);

/// An evidence item back from its label, location and `record`. Records written before
/// `body_cut` existed say a cut with a body ending in " [truncated]".
StepEvidence EvidenceFromJson(const std::string& label, const SourceLoc& where,
                              const OrderedJson& record);

/// One transcript entry: {"kind": "exchange" | "signed" | "prepared" | "notify_token" |
/// "webhook" | "wait" | "received" | "minted" | "mock" | "clock" | "refused" | "text", ...}.
/// An exchange's headers are [name, value] pairs, so repeated names and their order stay.
OrderedJson TranscriptEntryJson(const TranscriptEntry& entry);

/// One transcript entry back; nullopt for a kind this version does not know.
std::optional<TranscriptEntry> TranscriptEntryFromJson(const OrderedJson& j);

}  // namespace tollgate::report
