#pragma once
// The appliers of the check keys (check_keys.cpp lists them in tables) and the tables of the check
// and its sub-sections. A check's keys are also what a shop's `defaults:` accepts.

#include <string>
#include <string_view>

#include "check_draft.h"

namespace shopwatch::agent::detail {

// ---- tables (check_keys.cpp)
const CheckKeyTable& checkKeyTable();
const CheckKeyTable& expectKeyTable();
const CheckKeyTable& tlsKeyTable();
const CheckKeyTable& authKeyTable();
const CheckKeyTable& basicAuthKeyTable();
const CheckKeyTable& jsonExpectationKeyTable();

// ---- request keys (request_keys.cpp)
void applyMethod(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyHeaders(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyBody(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyProxy(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyResolve(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyIpVersion(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyUserAgent(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyFollowRedirects(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyMaxRedirects(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyMaxBody(ParseContext& ctx, const MapEntry& e, CheckDraft& d);

// ---- tls and auth (tls_auth_keys.cpp)
void applyTls(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyTlsVerify(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyTlsFile(ParseContext& ctx, const MapEntry& e, CheckDraft& d);  ///< ca/cert/key_file
void applyTlsServerName(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyAuth(ParseContext& ctx, const MapEntry& e, CheckDraft& d);

// ---- schedule keys (schedule_keys.cpp)
void applyInterval(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyTimeout(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyJourneyTimeout(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyConfirm(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyConfirmDelay(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyHistogram(ParseContext& ctx, const MapEntry& e, CheckDraft& d);

// ---- dependencies (dependency_keys.cpp)
void applyDependsOn(ParseContext& ctx, const MapEntry& e, CheckDraft& d);

// ---- expectations (expect_keys.cpp, json_expectation.cpp)
void applyExpect(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyStatus(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyBodyContains(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyBodyNotContains(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyBodyRegex(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyExpectHeaders(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyJson(ParseContext& ctx, const MapEntry& e, CheckDraft& d);
void applyMaxDuration(ParseContext& ctx, const MapEntry& e, CheckDraft& d);

// ---- shared rules
/// RFC 9110 token (header names).
bool validToken(std::string_view s);
/// Whether `url` is an absolute http:// or https:// URL with a host; `error` explains when not.
bool validHttpUrl(std::string_view url, std::string& error);
/// Sets the draft's request URL from `url` as written at `entry` (a check's or a step's): a path
/// is appended to the shop's base_url, anything else must be an absolute http(s) URL. Records the
/// `url` origin; reports a problem at the entry instead (shop_parser.cpp).
void resolveUrl(ParseContext& ctx, const std::string& url, const MapEntry& entry,
                const ShopConfig& shop, CheckDraft& draft);

}  // namespace shopwatch::agent::detail
