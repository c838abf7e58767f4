#pragma once
/// Test-side REST client for the real Redmine (tests/support/redmine_server.h): one blocking
/// libcurl request to 127.0.0.1 with X-Redmine-API-Key, for the tests' own set-up and inspection
/// (the sink under test has its own request layer). Keys are never logged.

#include <string>

namespace shopwatch::testing {

struct RedmineReply {
  long status = 0;  ///< HTTP status; 0 when no answer (refused, timeout)
  std::string body;
  std::string error;  ///< libcurl's message when status is 0
};

/// `method` `base_url + path` (path starts with '/'), JSON body when not empty; 10 s timeout.
RedmineReply redmineRequest(const std::string& base_url, const std::string& api_key,
                            const std::string& method, const std::string& path,
                            const std::string& json_body = "");

}  // namespace shopwatch::testing
