// `web:` — the endpoint's TLS and basic auth, exporter-toolkit's key names (web_settings.h).
#include <algorithm>
#include <array>
#include <filesystem>

#include "load_state.h"
#include "shopwatch/core/listen_address.h"
#include "web_keys.h"

namespace shopwatch::agent::detail {
namespace {

constexpr std::array<std::string_view, 4> kVersions = {"TLS10", "TLS11", "TLS12", "TLS13"};
constexpr std::array<std::string_view, 5> kClientAuthTypes = {
    "NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven",
    "RequireAndVerifyClientCert"};

// A file that must exist now (the server loads it at start): relative paths are taken from the
// config file's directory.
void applyFile(ParseContext& ctx, const MapEntry& e, TlsServerSettings& tls) {
  auto value = ctx.string(e.value, e.path, nullptr);
  if (!value) return;
  if (value->empty()) {
    ctx.report(e.value, e.path, "must not be empty");
    return;
  }
  std::filesystem::path file(*value);
  if (file.is_relative()) file = ctx.baseDir() / file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    ctx.report(e.value, e.path, "file `" + file.string() + "` does not exist or is not a file");
    return;
  }
  (e.key == "cert_file"  ? tls.cert_file
   : e.key == "key_file" ? tls.key_file
                         : tls.client_ca_file) = file.string();
}

void applyMinVersion(ParseContext& ctx, const MapEntry& e, TlsServerSettings& tls) {
  auto v = ctx.scalar(e.value, e.path, "a TLS version");
  if (!v) return;
  if (std::find(kVersions.begin(), kVersions.end(), *v) == kVersions.end()) {
    ctx.report(e.value, e.path, "invalid min_version `" + *v + "` (use " + quoteList(kVersions) + ")");
    return;
  }
  tls.min_version = *v;
}

void applyClientAuthType(ParseContext& ctx, const MapEntry& e, TlsServerSettings& tls) {
  auto v = ctx.scalar(e.value, e.path, "a client auth type");
  if (!v) return;
  if (std::find(kClientAuthTypes.begin(), kClientAuthTypes.end(), *v) == kClientAuthTypes.end()) {
    ctx.report(e.value, e.path,
               "invalid client_auth_type `" + *v + "` (use " + quoteList(kClientAuthTypes) + ")");
    return;
  }
  tls.client_auth_type = *v;
}

constexpr std::array<KeyRow<TlsServerSettings>, 5> kTlsRows = {{
    {"cert_file", applyFile, "required; the server certificate (PEM, chain after the leaf)"},
    {"key_file", applyFile, "required; the certificate's private key (PEM)"},
    {"min_version", applyMinVersion, "TLS10, TLS11, TLS12 or TLS13 (default TLS12)"},
    {"client_ca_file", applyFile, "CA bundle (PEM) client certificates are verified against"},
    {"client_auth_type", applyClientAuthType,
     "NoClientCert (default), RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or "
     "RequireAndVerifyClientCert"},
}};

// exporter-toolkit keeps the hashes in the YAML (a bcrypt hash is not a secret); a ${file:...} or
// ${env:...} reference works too.
bool isBcrypt(const std::string& hash) {
  if (hash.size() != 60) return false;
  if (hash.compare(0, 4, "$2a$") != 0 && hash.compare(0, 4, "$2b$") != 0 &&
      hash.compare(0, 4, "$2y$") != 0)
    return false;
  if (hash[4] < '0' || hash[4] > '3' || hash[5] < '0' || hash[5] > '9' || hash[6] != '$') return false;
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4 || cost > 31) return false;
  return std::all_of(hash.begin() + 7, hash.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '/';
  });
}

void applyUsers(ParseContext& ctx, const MapEntry& section, WebSettings& web) {
  if (section.value.IsNull()) return;
  if (!section.value.IsMap()) {
    ctx.report(section.value, section.path, "expected a map of user: bcrypt-hash");
    return;
  }
  for (const auto& item : section.value) {
    const YAML::Node& key = item.first;
    const YAML::Node& value = item.second;
    if (!key.IsScalar() || key.Scalar().empty()) {
      ctx.report(key, section.path, "a user name must be a non-empty string");
      continue;
    }
    const std::string user = key.Scalar();
    const std::string path = ParseContext::child(section.path, user);
    if (user.find(':') != std::string::npos) {
      ctx.report(key, path, "a user name must not contain `:` (basic auth separates user:password with it)");
      continue;
    }
    if (web.basic_auth_users.contains(user)) {
      ctx.report(key, path, "duplicate user `" + user + "`");
      continue;
    }
    auto hash = ctx.string(value, path, nullptr);
    if (!hash) continue;
    if (!isBcrypt(*hash)) {
      ctx.report(value, path,
                 "not a bcrypt hash (expected $2a$, $2b$ or $2y$, cost 04-31, 60 characters; make one "
                 "with `htpasswd -nBC 10 " + user + "`)");
      continue;
    }
    web.basic_auth_users.emplace(user, *hash);
  }
}

void applyTlsServerConfig(ParseContext& ctx, const MapEntry& section, WebSettings& web) {
  auto entries = tlsServerKeyTable().entries(ctx, section.value, section.path, true);
  if (!entries) return;
  if (entries->empty()) return;  // `tls_server_config:` with nothing under it: plain HTTP
  const std::size_t errors = ctx.errorCount();
  TlsServerSettings tls;
  tlsServerKeyTable().apply(ctx, *entries, tls);
  auto has = [&](std::string_view key) {
    return std::any_of(entries->begin(), entries->end(), [&](const MapEntry& e) { return e.key == key; });
  };
  for (const std::string_view key : {"cert_file", "key_file"}) {
    if (!has(key)) {
      ctx.report(section.value, ParseContext::child(section.path, key),
                 "missing required key `" + std::string(key) + "` (TLS needs cert_file and key_file)");
    }
  }
  const bool verifies = tls.client_auth_type == "VerifyClientCertIfGiven" ||
                        tls.client_auth_type == "RequireAndVerifyClientCert";
  if (verifies && !has("client_ca_file")) {
    ctx.report(section.value, ParseContext::child(section.path, "client_ca_file"),
               "client_auth_type " + tls.client_auth_type + " needs `client_ca_file`");
  }
  if (has("client_ca_file") && tls.client_auth_type == "NoClientCert") {
    ctx.report(section.value, ParseContext::child(section.path, "client_auth_type"),
               "client_ca_file is set but client_auth_type is NoClientCert (set e.g. "
               "RequireAndVerifyClientCert)");
  }
  if (ctx.errorCount() == errors) web.tls = std::move(tls);
}

constexpr std::array<KeyRow<WebSettings>, 2> kWebRows = {{
    {"tls_server_config", applyTlsServerConfig, "serve the endpoint over TLS (exporter-toolkit keys)"},
    {"basic_auth_users", applyUsers,
     "{user: bcrypt-hash}: basic auth on every route but /healthz (hashes: htpasswd -nBC 10 USER)"},
}};

bool isLoopback(const std::string& listen) {
  auto parsed = core::parseListenAddress(listen);
  if (!parsed) return true;  // reported by agent.listen
  if (parsed->v6) return parsed->ip == "::1";
  return parsed->ip.rfind("127.", 0) == 0;
}

}  // namespace

const KeyTable<WebSettings>& webKeyTable() {
  static const KeyTable<WebSettings> table("web", kWebRows);
  return table;
}

const KeyTable<TlsServerSettings>& tlsServerKeyTable() {
  static const KeyTable<TlsServerSettings> table("web.tls_server_config", kTlsRows);
  return table;
}

void applyWeb(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  auto entries = webKeyTable().entries(ctx, section.value, section.path, true);
  if (entries) webKeyTable().apply(ctx, *entries, state.config.web);
}

void finalizeWeb(LoadState& state, const YAML::Node& root) {
  const auto& config = state.config;
  if (isLoopback(config.agent.listen) || config.web.tls || !config.web.basic_auth_users.empty()) return;
  YAML::Node at;
  if (root.IsMap() && root["agent"].IsMap() && root["agent"]["listen"]) at = root["agent"]["listen"];
  state.ctx.warn(at, "agent.listen",
                 "`" + config.agent.listen +
                     "` is not a loopback address and the endpoint has neither TLS nor basic auth "
                     "(`web.tls_server_config`, `web.basic_auth_users`): anyone who can reach it can "
                     "read /metrics and the API");
}

}  // namespace shopwatch::agent::detail
