#pragma once
/// Private: the words of the backlog lifecycle, whatever the tracker — the headline, the evidence of
/// the failing run, the comment (note) texts and the trailer that ends each — as a small document
/// model. Each sink renders it in its own format (jira_text.h: ADF / wiki; redmine_text.h: textile /
/// markdown) and adds only what is its own (length limits, where the fingerprint is kept).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/backlog/outbox.h"
#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog::detail {

/// A document: paragraphs (one per line; empty ones are dropped) and preformatted code blocks.
struct TextBlock {
  bool code = false;
  std::string text;
};
using TextDoc = std::vector<TextBlock>;

/// True when s holds nothing but spaces, tabs and line breaks: renderers drop such blocks.
bool blank(std::string_view s);
/// Appends text as one paragraph per line (a trailing '\r' removed), so a multi-line message keeps
/// its shape.
void addLines(TextDoc& doc, std::string_view text);
/// Appends c to out, escaped as a renderer's paragraph text needs.
using EscapeChar = void (*)(std::string& out, char c);
/// The plain-text renderers' frame: non-blank blocks separated by blank lines; a code block as
/// `<open>\n<body>\n<close>` with every `close` removed from the body; a paragraph with each
/// character passed through escape.
std::string renderBlocks(const TextDoc& doc, std::string_view open, std::string_view close,
                         EscapeChar escape);

/// `<shop>/<check>[/<step>]`.
std::string targetText(const IncidentFacts& facts);
/// `<expr>[, value <v>[ vs threshold <t>]]`.
std::string valueVsThreshold(const IncidentFacts& facts);

/// `[FIRING] <shop>/<check>[/<step>] (<env>): <rule> — <expr>` (or `[RESOLVED] …`), uncut: each
/// tracker applies its own length limit. An improvement: `[IMPROVEMENT] <target> (<env>): <finding
/// summary>` (or `[RESOLVED] …`).
std::string incidentHeadline(const IncidentFacts& facts, bool resolved);

/// The body of an issue description: the evidence of the failing run, the KPI against its
/// threshold, since when and the status link (the sink adds the fingerprint line). An improvement
/// (improvementDescription): what to improve and where, the priority, the estimated saving, the
/// evidence (a code block) and that shopwatch closes it once the finding has been gone for
/// close_after_text.
TextDoc incidentEvidence(const IncidentFacts& facts);
TextDoc improvementDescription(const IncidentFacts& facts);
/// `Fingerprint: <fingerprint> (episode <n>). <keep>` — keep says where the tracker keeps it.
std::string fingerprintLine(const IncidentFacts& facts, std::string_view keep);

/// `shopwatch:<fingerprint>:<episode>:<kind>:<action id>` — ends every comment; how a retried comment
/// whose first attempt got no answer is recognised.
std::string commentTrailer(const IncidentFacts& facts, const OutboxAction& action);
/// The highest episode a trailer `shopwatch:<fingerprint>:<episode>:…` in `text` names; 0 when none.
std::int64_t trailerEpisode(std::string_view text, std::string_view fingerprint);

/// Comment texts (each already ends with the trailer).
TextDoc reoccurredComment(const IncidentFacts& facts, const OutboxAction& action, bool reopened);
TextDoc escalateComment(const IncidentFacts& facts, const OutboxAction& action);
TextDoc digestComment(const IncidentFacts& facts, const OutboxAction& action);
/// Resolve (and, with `retired`, the "no longer monitored" comment of a Retire). An improvement's
/// Resolve says the finding is gone (last seen, for how long) and that shopwatch closes the item.
TextDoc resolveComment(const IncidentFacts& facts, const OutboxAction& action, bool retired);

/// "1h 5m 3s": the non-zero days, hours, minutes and whole seconds of d; "0s" for zero or less.
std::string humanDuration(core::Micros d);

}  // namespace shopwatch::agent::backlog::detail
