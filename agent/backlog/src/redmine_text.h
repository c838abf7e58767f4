#pragma once
/// Private: what the Redmine sink writes — the subject (with the fingerprint), the description with
/// the evidence, and the notes — rendered in the server's text format (textile, markdown or
/// common_mark). The note contents and their trailer are the tracker-neutral ones of ticket_text.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ticket_text.h"
#include "shopwatch/agent/backlog/outbox.h"
#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog::redmine {

using detail::TextDoc;

/// `[FIRING] <shop>/<check>[/<step>] (<env>): <rule> — <expr> [<fingerprint>]` (or `[RESOLVED] …`),
/// at most 255 bytes: the head is cut (never splitting UTF-8), the fingerprint always stays.
std::string issueSubject(const IncidentFacts& facts, bool resolved);

/// The description: the evidence of the failing run, the KPI against its threshold, since when, the
/// status link, the fingerprint, and the Open's trailer (which records the episode).
TextDoc issueDescription(const IncidentFacts& facts, const OutboxAction& action);

/// `doc` in `text_format` (textile: paragraphs and <pre>; markdown / common_mark: paragraphs with
/// markup characters escaped and fenced code blocks).
std::string render(const TextDoc& doc, std::string_view text_format);

using detail::trailerEpisode;

}  // namespace shopwatch::agent::backlog::redmine
