#include "shopwatch/agent/backlog/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string_view>

namespace shopwatch::agent::backlog {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, CurlEasyDeleter>;
using SlistHandle = std::unique_ptr<curl_slist, CurlSlistDeleter>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string lowerCase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Collector {
  HttpReply* reply = nullptr;
  bool too_large = false;
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collector*>(user);
  const size_t len = size * n;
  if (c->reply->body.size() + len > kMaxReplyBody) {
    c->too_large = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  c->reply->body.append(data, len);
  return len;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* c = static_cast<Collector*>(user);
  const size_t len = size * n;
  const std::string_view line(data, len);
  // A new status line (after a 100 Continue, say) starts a new header block.
  if (line.substr(0, 5) == "HTTP/") {
    c->reply->headers.clear();
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  const std::string name = lowerCase(trim(line.substr(0, colon)));
  const std::string_view value = trim(line.substr(colon + 1));
  auto [it, fresh] = c->reply->headers.try_emplace(name, value);
  if (!fresh) {
    it->second.append(", ");
    it->second.append(value);
  }
  return len;
}

bool sendsBody(const std::string& method) { return method != "GET" && method != "HEAD"; }

}  // namespace

struct HttpClient::Impl {
  EasyHandle easy{curl_easy_init()};
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

HttpReply HttpClient::perform(const HttpCall& call) {
  HttpReply reply;
  CURL* h = impl_->easy.get();
  if (h == nullptr) {
    reply.error = "curl_easy_init failed";
    return reply;
  }
  // Reset drops the previous call's options but keeps the connection cache (keep-alive).
  curl_easy_reset(h);
  Collector collector{&reply, false};

  SlistHandle headers;
  auto addHeader = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next != nullptr) {
      (void)headers.release();
      headers.reset(next);
    }
  };
  for (const auto& [name, value] : call.headers) addHeader(name + ": " + value);
  // No "Expect: 100-continue": servers that never answer it would cost a second per POST.
  addHeader("Expect:");

  const long timeout_ms = std::max<long>(
      1, static_cast<long>(
             std::chrono::duration_cast<std::chrono::milliseconds>(call.timeout).count()));
  curl_easy_setopt(h, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  // An empty proxy string disables proxies even when http_proxy/https_proxy are set in the
  // environment; NOPROXY "*" covers libcurl builds that read the variables anyway.
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "shopwatch/" SHOPWATCH_VERSION);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &collector);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &collector);

  if (call.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (call.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    if (call.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }

  const CURLcode rc = curl_easy_perform(h);

  // Sent completely: the request line and headers went out, and every body byte with them.
  long request_size = 0;
  curl_off_t uploaded = 0;
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  const auto body_size = sendsBody(call.method) ? static_cast<curl_off_t>(call.body.size()) : 0;
  reply.sent = request_size > 0 && uploaded >= body_size;

  if (rc != CURLE_OK) {
    // A partial answer is no answer: the caller cannot tell what the server did.
    reply.status = 0;
    reply.headers.clear();
    reply.body.clear();
    reply.error = collector.too_large
                      ? "reply body larger than " + std::to_string(kMaxReplyBody) + " bytes"
                      : std::string(curl_easy_strerror(rc));
    return reply;
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  reply.status = static_cast<int>(code);
  reply.sent = true;  // an answer came, so the request had arrived
  return reply;
}

std::optional<core::Micros> parseRetryAfter(const HttpReply& reply, core::SystemTime now) {
  const auto it = reply.headers.find("retry-after");
  if (it == reply.headers.end()) return std::nullopt;
  const std::string_view text = trim(it->second);
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return std::chrono::duration_cast<core::Micros>(std::chrono::seconds{seconds});
  }
  // An HTTP-date (IMF-fixdate, or the obsolete RFC 850 / asctime forms): curl_getdate reads them
  // all.
  const std::string date(text);
  const std::time_t when = curl_getdate(date.c_str(), nullptr);
  if (when == static_cast<std::time_t>(-1)) return std::nullopt;
  const core::SystemTime at{std::chrono::seconds{when}};
  if (at <= now) return core::Micros{0};
  return at - now;
}

std::optional<core::Micros> parseRetryAfter(const HttpReply& reply) {
  return parseRetryAfter(reply, core::SystemClock::instance().now());
}

}  // namespace shopwatch::agent::backlog
