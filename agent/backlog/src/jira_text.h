#pragma once
/// Private: what the Jira sink writes — summaries, the description with the evidence, comment texts with
/// their trailer — as a small document model rendered to ADF (Cloud) or wiki text (Data Center).

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/agent/backlog/outbox.h"
#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog::detail {

/// A document: paragraphs (one per line; empty ones are dropped) and preformatted code blocks.
struct TextBlock {
  bool code = false;
  std::string text;
};
using TextDoc = std::vector<TextBlock>;

/// Atlassian Document Format: one paragraph per line, a codeBlock per code block, never an empty
/// text node (Jira answers 400 INVALID_INPUT to those).
nlohmann::json toAdf(const TextDoc& doc);
/// Jira wiki markup: paragraphs separated by blank lines, markup characters escaped, code blocks in
/// {noformat}.
std::string toWiki(const TextDoc& doc);
/// The flavor's body value: ADF for Cloud, a wiki string for Data Center.
nlohmann::json renderBody(const TextDoc& doc, bool cloud);

/// `[FIRING] <shop>/<check>[/<step>] (<env>): <rule> — <expr>` (or `[RESOLVED] …`), cut to 255 bytes
/// without splitting a UTF-8 sequence.
std::string issueSummary(const IncidentFacts& facts, bool resolved);

/// The issue description: the evidence of the failing run, the KPI against its threshold, since when,
/// the status link and the fingerprint.
TextDoc issueDescription(const IncidentFacts& facts);

/// `shopwatch:<fingerprint>:<episode>:<kind>:<action id>` — ends every comment; how a retried comment
/// whose first attempt got no answer is recognised.
std::string commentTrailer(const IncidentFacts& facts, const OutboxAction& action);

/// Comment texts (each already ends with the trailer).
TextDoc reoccurredComment(const IncidentFacts& facts, const OutboxAction& action, bool reopened);
TextDoc escalateComment(const IncidentFacts& facts, const OutboxAction& action);
TextDoc digestComment(const IncidentFacts& facts, const OutboxAction& action);
/// Resolve (and, with `retired`, the "no longer monitored" comment of a Retire).
TextDoc resolveComment(const IncidentFacts& facts, const OutboxAction& action, bool retired);

/// "1h 5m 3s": the non-zero days, hours, minutes and whole seconds of d; "0s" for zero or less.
std::string humanDuration(core::Micros d);

}  // namespace shopwatch::agent::backlog::detail
