#pragma once
/// The ranked findings as text, JSON and self-contained HTML ([F] Interfaces), and the short
/// "what to improve next" list the status page and the monthly report embed.
///
/// JSON: {"generated_at", "shop", "findings": [{"shop", "env", "check", "step", "finding",
/// "priority", "saving_seconds", "saving_bytes", "evidence", "summary", "score", "since"}],
/// "series_analysed", "warnings": [...]}, most important first; "step" is "" for a check, "since" null unless a
/// regression.

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/insights/finding.h"
#include "shopwatch/agent/insights/insights_builder.h"
#include "shopwatch/core/result.h"

namespace shopwatch::agent::insights {

nlohmann::ordered_json findingJson(const Finding& f);
/// A finding back from findingJson's object (a frozen month's report keeps its improvements);
/// an Invalid error naming the key when one is missing or of the wrong type.
core::Result<Finding> findingFromJson(const nlohmann::json& j);
std::string insightsJson(const InsightsReport& report);
std::string insightsText(const InsightsReport& report);
std::string insightsHtml(const InsightsReport& report);

/// An HTML fragment (a <section>): the first `limit` findings as a numbered list — priority,
/// target, summary, estimated saving. Empty findings: a sentence saying nothing stands out.
std::string improveNextHtml(const std::vector<Finding>& findings, std::size_t limit = 5);
/// The same as text lines ("  1. warning  no-compression  acme/home: ... (saves ~190 ms, 290 KiB)").
std::string improveNextText(const std::vector<Finding>& findings, std::size_t limit = 5);

/// "1.24 s" / "320 ms"; "412 KiB" / "2.3 MiB": how savings are written everywhere.
std::string formatSavingSeconds(double seconds);
std::string formatSavingBytes(std::uint64_t bytes);

}  // namespace shopwatch::agent::insights
