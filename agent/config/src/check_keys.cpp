// The key tables of a check and its sub-sections: one row per key, in the order users see them in
// "valid keys" lists. Adding a key is a row here plus its applier.
#include <array>

#include "check_appliers.h"

namespace shopwatch::agent::detail {
namespace {

constexpr KeyPlace kAny = KeyPlace::Anywhere;
constexpr KeyPlace kCheckOnly = KeyPlace::CheckOnly;

// `name`, `url`, `steps` and `cleanup` are read by the shop parser (identity, base_url, the
// journey's steps), not by an applier.
constexpr std::array<CheckKeyRow, 25> kCheckRows = {{
    {"name", nullptr, "identity, lowercase [a-z0-9._-], unique per shop", kCheckOnly},
    {"url", nullptr, "relative to the shop's base_url, or an absolute http(s):// URL", kCheckOnly},
    {"method", applyMethod, "HTTP method (default GET)", kAny},
    {"headers", applyHeaders, "request headers {Name: value}; merged with the defaults' by name",
     kAny},
    {"body", applyBody, "request body", kAny},
    {"auth", applyAuth, "{basic: {user, password}} or {bearer: TOKEN}, secrets only", kAny},
    {"proxy", applyProxy, "proxy URL (http, https, socks4, socks4a, socks5, socks5h)", kAny},
    {"resolve", applyResolve, "{host: IP}, as curl --resolve", kAny},
    {"ip_version", applyIpVersion, "any, 4 or 6 (default any)", kAny},
    {"user_agent", applyUserAgent, "User-Agent header (default shopwatch)", kAny},
    {"follow_redirects", applyFollowRedirects, "follow redirects (default true)", kAny},
    {"max_redirects", applyMaxRedirects, "redirects followed at most, 0-100 (default 10)", kAny},
    {"tls", applyTls, "TLS options: verify, ca_file, cert_file, key_file, server_name", kAny},
    {"max_body", applyMaxBody, "largest body accepted (default 10MiB)", kAny},
    {"confirm", applyConfirm, "re-check a failure once before it counts (default true)", kAny},
    {"confirm_delay", applyConfirmDelay,
     "wait before the re-check (default min(5s, interval / 2)); shorter than the interval", kAny},
    {"histogram", applyHistogram, "export shopwatch_check_duration_seconds (default false)", kAny},
    {"interval", applyInterval, "time between runs, at least 1s (default 60s)", kAny},
    {"timeout", applyTimeout, "limit of one run (default min(10s, interval)); at most the interval",
     kAny},
    {"expect", applyExpect, "what the response must show (default: any 2xx status)", kAny},
    {"steps", nullptr, "a journey: the requests of one run, in order (README, \"Journeys\")",
     kCheckOnly},
    {"cleanup", nullptr, "a journey's steps that always run after its steps (even after a failure)",
     kCheckOnly},
    {"vars", nullptr,
     "a journey's own variables {name: value}, set at the start of every run (README, "
     "\"Journeys\")",
     kCheckOnly},
    {"journey_timeout", applyJourneyTimeout,
     "limit of one journey run (default min(60s, interval)); at most the interval", kCheckOnly},
    {"depends_on", applyDependsOn,
     "`shop/check` whose firing availability alerts hold this check's alerts as suppressed",
     kCheckOnly},
}};

constexpr std::array<CheckKeyRow, 7> kExpectRows = {{
    {"status", applyStatus, "a code, or a list of codes, classes (\"2xx\") or ranges", kAny},
    {"body_contains", applyBodyContains, "plain text the body must contain", kAny},
    {"body_not_contains", applyBodyNotContains, "plain text the body must not contain", kAny},
    {"body_regex", applyBodyRegex, "RE2 the body must match", kAny},
    {"headers", applyExpectHeaders, "{Name: RE2} response headers must match", kAny},
    {"json", applyJson, "[{path: /json/pointer, equals|one_of|exists|gt|lt: ...}]", kAny},
    {"max_duration", applyMaxDuration, "fail with `assertion` when the run is slower", kAny},
}};

constexpr std::array<CheckKeyRow, 5> kTlsRows = {{
    {"verify", applyTlsVerify, "verify the certificate chain and name (default true)", kAny},
    {"ca_file", applyTlsFile, "CA bundle to verify against", kAny},
    {"cert_file", applyTlsFile, "client certificate", kAny},
    {"key_file", applyTlsFile, "client key (needs cert_file)", kAny},
    {"server_name", applyTlsServerName, "SNI and verification name (default: from the URL)", kAny},
}};

// Rules across keys (exactly one of) are checked by their section's applier.
constexpr std::array<CheckKeyRow, 2> kAuthRows = {{
    {"basic", nullptr, "{user, password}", kAny},
    {"bearer", nullptr, "a ${env:NAME} or ${file:PATH} reference", kAny},
}};

constexpr std::array<CheckKeyRow, 2> kBasicAuthRows = {{
    {"user", nullptr, "user name", kAny},
    {"password", nullptr, "a ${env:NAME} or ${file:PATH} reference", kAny},
}};

constexpr std::array<CheckKeyRow, 6> kJsonRows = {{
    {"path", nullptr, "RFC 6901 JSON pointer (/cart/total)", kAny},
    {"equals", nullptr, "the value equals this JSON value", kAny},
    {"one_of", nullptr, "the value equals one of these JSON values", kAny},
    {"exists", nullptr, "whether the pointer must resolve", kAny},
    {"gt", nullptr, "the value is a number greater than this", kAny},
    {"lt", nullptr, "the value is a number less than this", kAny},
}};

}  // namespace

const CheckKeyTable& checkKeyTable() {
  static const CheckKeyTable table("check", kCheckRows);
  return table;
}
const CheckKeyTable& expectKeyTable() {
  static const CheckKeyTable table("check.expect", kExpectRows);
  return table;
}
const CheckKeyTable& tlsKeyTable() {
  static const CheckKeyTable table("check.tls", kTlsRows);
  return table;
}
const CheckKeyTable& authKeyTable() {
  static const CheckKeyTable table("check.auth", kAuthRows);
  return table;
}
const CheckKeyTable& basicAuthKeyTable() {
  static const CheckKeyTable table("check.auth.basic", kBasicAuthRows);
  return table;
}
const CheckKeyTable& jsonExpectationKeyTable() {
  static const CheckKeyTable table("check.expect.json[]", kJsonRows);
  return table;
}

void applyTracked(ParseContext& ctx, const CheckKeyTable& table,
                  const std::vector<MapEntry>& entries, CheckDraft& draft,
                  std::string_view prefix) {
  for (const auto& entry : entries) {
    const CheckKeyRow* row = table.find(entry.key);
    if (!row || !row->apply) continue;
    const std::size_t errors_before = ctx.errorCount();
    row->apply(ctx, entry, draft);
    // A rejected value is not "written": it must not also trip the cross-key rules.
    if (ctx.errorCount() == errors_before) {
      draft.origins[std::string(prefix) + entry.key] =
          KeyOrigin{entry.value, entry.path, draft.writing};
    }
  }
}

}  // namespace shopwatch::agent::detail
