#include "http_call.h"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <cctype>

namespace shopwatch::test {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t onBody(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t n, void* out) {
  auto* headers = static_cast<std::multimap<std::string, std::string>*>(out);
  const std::string line(data, size * n);
  if (line.starts_with("HTTP/")) headers->clear();  // a new response (redirect, 100 Continue)
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    headers->emplace(lower(line.substr(0, colon)), value);
  }
  return size * n;
}

}  // namespace

nlohmann::json HttpReply::json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string HttpReply::header(const std::string& name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpReply::all(const std::string& name) const {
  std::vector<std::string> out;
  for (auto [it, end] = headers.equal_range(lower(name)); it != end; ++it)
    out.push_back(it->second);
  return out;
}

std::string HttpReply::cookie(const std::string& name) const {
  for (const auto& set : all("set-cookie")) {
    if (set.starts_with(name + "=")) {
      const auto start = name.size() + 1;
      return set.substr(start, set.find(';', start) - start);
    }
  }
  return {};
}

bool HttpReply::setsCookie(const std::string& name) const {
  for (const auto& set : all("set-cookie")) {
    if (set.starts_with(name + "=")) return true;
  }
  return false;
}

HttpReply httpCall(const std::string& method, const std::string& url, const std::string& body,
                   const HttpHeaders& headers, const HttpOptions& options) {
  HttpReply r;
  CURL* h = curl_easy_init();
  REQUIRE(h != nullptr);
  const bool sends_body = method == "POST" || !body.empty();
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers)
    list = curl_slist_append(list, (name + ": " + value).c_str());
  if (!body.empty() && !options.content_type.empty()) {
    list = curl_slist_append(list, ("Content-Type: " + options.content_type).c_str());
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (method != (sends_body ? "POST" : "GET"))
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (sends_body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (!options.cookie.empty()) curl_easy_setopt(h, CURLOPT_COOKIE, options.cookie.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, options.timeout_seconds);
  const CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  INFO(method << " " << url << ": " << curl_easy_strerror(rc));
  REQUIRE(rc == CURLE_OK);
  return r;
}

}  // namespace shopwatch::test
