#pragma once
// Test-side client for the demo backlog tests: libcurl easy against a running DemoBacklog on a
// FakeClock, authenticating as the flavor expects.

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shopwatch/agent/runtime/demo_backlog.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::testing::demo_backlog {

using nlohmann::json;
using shopwatch::agent::JiraSettings;
using shopwatch::agent::runtime::DemoBacklog;
using shopwatch::agent::runtime::DemoBacklogOptions;
using namespace std::chrono_literals;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Reply {
  bool ok = false;  ///< an answer arrived
  long status = 0;
  std::string body;
  std::string headers;  ///< raw header block, lower-cased
  json parsed() const { return json::parse(body, nullptr, false); }
};

inline std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

inline Reply request(const std::string& method, const std::string& url, const std::string& body,
                     const std::vector<std::string>& headers, long timeout_ms = 5000) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::unique_ptr<curl_slist, SlistDeleter> list;
  for (const auto& h : headers) list.reset(curl_slist_append(list.release(), h.c_str()));
  Reply reply;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || method == "PUT") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &reply.headers);
  reply.ok = curl_easy_perform(curl.get()) == CURLE_OK;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  for (auto& c : reply.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return reply;
}

inline json adf(const std::string& text) {
  return {
      {"type", "doc"},
      {"version", 1},
      {"content", json::array({{{"type", "paragraph"},
                                {"content", json::array({{{"type", "text"}, {"text", text}}})}}})}};
}

/// A running DemoBacklog of one flavor on a FakeClock, with a client that authenticates as
/// expected.
struct Jira {
  explicit Jira(JiraSettings::Flavor flavor, shopwatch::core::Micros lag = 0s)
      : backlog(options(flavor, lag)) {
    REQUIRE(backlog.start());
  }
  DemoBacklogOptions options(JiraSettings::Flavor flavor, shopwatch::core::Micros lag) {
    DemoBacklogOptions o;
    o.flavor = flavor;
    o.email = "ops@agency.example";
    o.token = "s3cret";
    o.projects = {"SHOP", "SHOPSTAGE"};
    o.search_lag = lag;
    o.clock = &clock;
    return o;
  }
  bool cloud() const { return backlog.flavor() == JiraSettings::Flavor::Cloud; }
  std::string api(const std::string& path) const {
    return backlog.baseUrl() + (cloud() ? "/rest/api/3" : "/rest/api/2") + path;
  }
  std::vector<std::string> auth() const {
    // base64("ops@agency.example:s3cret")
    return {cloud() ? "Authorization: Basic b3BzQGFnZW5jeS5leGFtcGxlOnMzY3JldA=="
                    : "Authorization: Bearer s3cret",
            "Content-Type: application/json", "Accept: application/json"};
  }
  Reply call(const std::string& method, const std::string& path, const json& body = nullptr) const {
    return request(method, api(path), body.is_null() ? "" : body.dump(), auth());
  }
  json text(const std::string& t) const { return cloud() ? adf(t) : json(t); }
  /// Creates an issue; returns its key.
  std::string create(const std::string& summary, const std::vector<std::string>& labels,
                     const std::string& project = "SHOP") {
    const json body{
        {"fields",
         {{"project", {{"key", project}}},
          {"issuetype", {{"name", "Incident"}}},
          {"summary", summary},
          {"description", text("checkout fails: http_status 503")},
          {"labels", labels},
          {"priority", {{"name", "High"}}}}},
        {"properties", json::array({{{"key", "shopwatch"}, {"value", {{"episode", 1}}}}})}};
    const Reply r = call("POST", "/issue", body);
    REQUIRE(r.status == 201);
    return r.parsed()["key"].get<std::string>();
  }

  shopwatch::core::FakeClock clock;
  DemoBacklog backlog;
};

inline const auto kFlavors = {JiraSettings::Flavor::Cloud, JiraSettings::Flavor::DataCenter};

}  // namespace shopwatch::testing::demo_backlog
