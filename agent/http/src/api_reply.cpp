#include "api_reply.h"

#include <nlohmann/json.hpp>

namespace shopwatch::agent::http::detail {

HttpResponse jsonReply(int status, std::string body) {
  HttpResponse res;
  res.status = status;
  res.content_type = kJsonContentType;
  res.body = std::move(body);
  res.body += '\n';
  return res;
}

HttpResponse errorReply(int status, const std::string& message) {
  const nlohmann::json j = {{"error", message}};
  return jsonReply(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

int httpStatusFor(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::Invalid:
      return 400;
    case core::ErrorCode::NotFound:
      return 404;
    case core::ErrorCode::Unavailable:
      return 503;
    case core::ErrorCode::Io:
    case core::ErrorCode::Internal:
      return 500;
  }
  return 500;
}

HttpResponse errorReply(const core::Error& error) {
  return errorReply(httpStatusFor(error.code), error.message);
}

}  // namespace shopwatch::agent::http::detail
