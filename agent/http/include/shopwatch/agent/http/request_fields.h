#pragma once
/// Reading a request's cookies and urlencoded form fields: one parser for the demo shop and the
/// platform fakes.

#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/agent/http/http_server.h"

namespace shopwatch::agent::http {

/// The cookie `name` from the request's Cookie header (`a=1; b=2`), "" when absent.
std::string requestCookie(const HttpRequest& req, std::string_view name);

/// The field `name` of an application/x-www-form-urlencoded body (decoded; the first wins), nullopt
/// when absent.
std::optional<std::string> formField(const HttpRequest& req, std::string_view name);

}  // namespace shopwatch::agent::http
