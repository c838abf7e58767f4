#include "redirect_policy.h"

#include <algorithm>

#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"
#include "url.h"

namespace shopwatch::probes::detail {

bool isRedirectStatus(long code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

bool containsSecret(const std::string& text, const std::vector<std::string>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(), [&text](const std::string& secret) {
    return !secret.empty() && text.find(secret) != std::string::npos;
  });
}

// Credentials and cookies belong to the origin they were configured for; a redirect elsewhere
// (another host, or the same host over plain http or on another port) must not carry them.
bool isCredentialHeader(const std::string& name, const std::string& value,
                        const std::vector<std::string>& secrets) {
  const std::string n = core::asciiLower(name);
  if (n == "authorization" || n == "cookie") return true;
  return containsSecret(value, secrets);
}

// A Location comes from the server: redacted, then cut, so it cannot bloat the result.
std::string shownLocation(const std::string& location, const std::vector<std::string>& secrets) {
  constexpr std::size_t kMaxShown = 200;
  std::string text = core::redact(location, secrets);
  if (text.size() <= kMaxShown) return text;
  return std::string(core::utf8Prefix(text, kMaxShown)) + "...";
}

std::variant<NextHop, RedirectRefusal> followRedirect(int status, const std::string& location,
                                                      const std::string& method,
                                                      const std::string& body,
                                                      const std::string& origin,
                                                      const std::vector<std::string>& secrets) {
  const std::string shown = shownLocation(location, secrets);
  NextHop next{location, method, body, true};
  // Browsers' and curl's rewriting: 303 always becomes GET, 301/302 turn a POST into a GET.
  if ((status == 303 && method != "HEAD") ||
      ((status == 301 || status == 302) && method == "POST")) {
    next.method = "GET";
    next.body.clear();
  }
  auto parts = parseUrl(location);
  if (!parts) return RedirectRefusal{"redirect to an unparsable Location \"" + shown + "\""};
  if (parts->scheme != "http" && parts->scheme != "https") {
    return RedirectRefusal{"redirect to unsupported URL scheme \"" + parts->scheme + "\" (" +
                           shown + ")"};
  }
  next.same_origin = originOf(*parts) == origin;
  if (!next.same_origin && containsSecret(next.body, secrets)) {
    return RedirectRefusal{
        "redirect to another origin would resend a request body that holds a secret (to " + shown +
        ")"};
  }
  return next;
}

// A 401/403 after a redirect that left the origin is most likely caused by the credentials this
// engine deliberately did not send there; the message says so instead of leaving it a puzzle.
std::string droppedCredentialsHint(const core::HttpRequest& request,
                                   const std::vector<std::string>& secrets, bool same_origin,
                                   int status, const std::string& final_url) {
  if (same_origin || (status != 401 && status != 403)) return "";
  const bool had_credentials =
      request.bearer_token || request.basic_auth || !request.tls.cert_file.empty() ||
      std::any_of(request.headers.begin(), request.headers.end(), [&secrets](const auto& h) {
        return isCredentialHeader(h.first, h.second, secrets);
      });
  auto parts = parseUrl(final_url);
  if (!had_credentials || !parts) return "";
  return "; credentials were not sent to " + originOf(*parts) +
         " (another origin than the check's URL)";
}

}  // namespace shopwatch::probes::detail
