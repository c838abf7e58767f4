// The `tls` and `auth` sections of a check.
#include <filesystem>

#include "check_appliers.h"

namespace shopwatch::agent::detail {
namespace {

constexpr std::string_view kSecretRule = "secrets must come from ${env:NAME} or ${file:/path}";

}  // namespace

void applyTls(ParseContext& ctx, const MapEntry& section, CheckDraft& d) {
  auto entries = tlsKeyTable().entries(ctx, section.value, section.path, true);
  if (!entries) return;
  applyTracked(ctx, tlsKeyTable(), *entries, d, "tls.");
}

void applyTlsVerify(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.boolean(e.value, e.path)) d.request().tls.verify = *v;
}

void applyTlsServerName(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.string(e.value, e.path, &d.secrets())) d.request().tls.server_name = *v;
}

void applyTlsFile(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  auto value = ctx.string(e.value, e.path, &d.secrets());
  if (!value) return;
  std::filesystem::path file(*value);
  if (file.is_relative()) file = ctx.baseDir() / file;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    ctx.report(e.value, e.path, "file `" + file.string() + "` does not exist or is not a file");
    return;
  }
  core::TlsOptions& tls = d.request().tls;
  (e.key == "ca_file"     ? tls.ca_file
   : e.key == "cert_file" ? tls.cert_file
                          : tls.key_file) = file.string();
}

void applyAuth(ParseContext& ctx, const MapEntry& section, CheckDraft& d) {
  auto entries = authKeyTable().entries(ctx, section.value, section.path);
  if (!entries) return;
  if (entries->size() != 1) {
    ctx.report(section.value, section.path, "needs exactly one of `basic` or `bearer`");
    return;
  }
  const MapEntry& e = entries->front();
  auto secret = [&](const YAML::Node& node, const std::string& path) -> std::optional<std::string> {
    auto raw = ctx.scalar(node, path);
    if (!raw) return std::nullopt;
    if (!SecretExpander::isSingleReference(*raw)) {
      ctx.report(node, path, std::string(kSecretRule) + " (a literal value is not allowed here)");
      return std::nullopt;
    }
    return ctx.string(node, path, &d.secrets());
  };
  core::HttpRequest& request = d.request();
  if (e.key == "bearer") {
    if (auto token = secret(e.value, e.path)) {
      request.bearer_token = *token;
      request.basic_auth.reset();
    }
    return;
  }
  auto basic = basicAuthKeyTable().entries(ctx, e.value, e.path);
  if (!basic) return;
  core::BasicAuth auth;
  bool has_user = false;
  bool has_password = false;
  bool ok = true;
  for (const auto& b : *basic) {
    if (b.key == "user") {
      auto user = ctx.string(b.value, b.path, &d.secrets());
      if (user)
        auth.user = *user, has_user = true;
      else
        ok = false;
    } else {
      auto password = secret(b.value, b.path);
      if (password)
        auth.password = *password, has_password = true;
      else
        ok = false;
    }
  }
  if (ok && !has_user)
    ctx.report(e.value, ParseContext::child(e.path, "user"), "missing required key `user`");
  if (ok && !has_password) {
    ctx.report(e.value, ParseContext::child(e.path, "password"),
               "missing required key `password` (" + std::string(kSecretRule) + ")");
  }
  if (ok && has_user && has_password) {
    request.basic_auth = std::move(auth);
    request.bearer_token.reset();
  }
}

}  // namespace shopwatch::agent::detail
