#pragma once
// What a redirect may do: which statuses are followed, how the method changes, what may cross to
// another origin, and how a Location is shown.

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "shopwatch/core/check.h"
#include "shopwatch/core/failure_reason.h"

namespace shopwatch::probes::detail {

bool isRedirectStatus(long code);

/// Whether a configured header identifies the check to its origin (Authorization, Cookie, or a
/// value holding a secret): such headers are not sent to another origin.
bool isCredentialHeader(const std::string& name, const std::string& value,
                        const std::vector<std::string>& secrets);
bool containsSecret(const std::string& text, const std::vector<std::string>& secrets);

/// A Location as shown in messages: redacted, then cut to 200 bytes (UTF-8 safe) with "...".
std::string shownLocation(const std::string& location, const std::vector<std::string>& secrets);

/// The request of the next hop.
struct NextHop {
  std::string url;
  std::string method;
  std::string body;
  bool same_origin = true;  ///< the hop stays on the check URL's origin (credentials go along)
};

/// A failed redirect (failure reason `redirects`): the message names the shown Location.
struct RedirectRefusal {
  std::string message;
};

/// Decides the hop that follows a `status` answer with `location` (already resolved against the
/// request URL by libcurl). `method`/`body` are the current hop's; `origin` is the check URL's.
std::variant<NextHop, RedirectRefusal> followRedirect(int status, const std::string& location,
                                                      const std::string& method,
                                                      const std::string& body,
                                                      const std::string& origin,
                                                      const std::vector<std::string>& secrets);

/// When credentials were dropped on the way and the answer is 401/403, the hint appended to the
/// message; empty otherwise.
std::string droppedCredentialsHint(const core::HttpRequest& request,
                                   const std::vector<std::string>& secrets, bool same_origin,
                                   int status, const std::string& final_url);

}  // namespace shopwatch::probes::detail
