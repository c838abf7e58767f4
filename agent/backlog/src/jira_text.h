#pragma once
/// Private: how the Jira sink writes the lifecycle's texts (ticket_text.h) — the summary within
/// Jira's limit, the description naming the label, and the document rendered to ADF (Cloud) or wiki
/// text (Data Center).

#include <string>

#include <nlohmann/json.hpp>

#include "ticket_text.h"

namespace shopwatch::agent::backlog::detail {

/// Atlassian Document Format: one paragraph per line, a codeBlock per code block, never an empty
/// text node (Jira answers 400 INVALID_INPUT to those).
nlohmann::json toAdf(const TextDoc& doc);
/// Jira wiki markup: paragraphs separated by blank lines, markup characters escaped, code blocks in
/// {noformat}.
std::string toWiki(const TextDoc& doc);
/// The flavor's body value: ADF for Cloud, a wiki string for Data Center.
nlohmann::json renderBody(const TextDoc& doc, bool cloud);

/// The headline (`[FIRING] <shop>/<check>[/<step>] (<env>): <rule> — <expr>` or `[RESOLVED] …`), cut
/// to 255 bytes without splitting a UTF-8 sequence.
std::string issueSummary(const IncidentFacts& facts, bool resolved);

/// The issue description: the evidence (incidentEvidence) and the fingerprint, kept as a label.
TextDoc issueDescription(const IncidentFacts& facts);

}  // namespace shopwatch::agent::backlog::detail
