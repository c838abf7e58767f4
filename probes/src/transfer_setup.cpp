// Transfer::prepare: resolving the target and configuring the easy handle for one request.
#include <algorithm>
#include <chrono>

#include "redirect_policy.h"
#include "shopwatch/core/text.h"
#include "shopwatch/probes/http_probe_engine.h"
#include "steady_time.h"
#include "transfer.h"
#include "url.h"

namespace shopwatch::probes::detail {
namespace {

using SteadyClock = std::chrono::steady_clock;
using core::FailureReason;
using core::Micros;

TransferError internal(std::string message) {
  return {FailureReason::Internal, std::move(message)};
}

}  // namespace

std::optional<TransferError> Transfer::prepare(Resolver* resolver, Micros limit,
                                               Micros shown_timeout, void* priv) {
  const core::HttpRequest& req = *plan_.request;
  const auto& secrets = *plan_.secrets;
  shown_timeout_ = shown_timeout;
  auto parts = parseUrl(plan_.url);
  if (!parts) return internal("invalid URL \"" + plan_.url + "\"");
  if (parts->scheme != "http" && parts->scheme != "https") {
    return internal("unsupported URL scheme \"" + parts->scheme + "\"");
  }
  tls_ = parts->scheme == "https";
  const std::string& host = parts->host;
  target_ = hostPort(*parts);

  std::optional<std::string> pinned;
  for (const auto& [name, ip] : req.resolve) {
    if (core::asciiLower(name) == host) pinned = ip;
  }
  if (!pinned && resolver && !core::isIpLiteral(host)) {
    resolver_started_ = SteadyClock::now();
    pinned = resolver->resolve(host, req.ip_version);
    resolver_time_ = between(*resolver_started_, SteadyClock::now());
    if (!pinned)
      return TransferError{FailureReason::Dns, "cannot resolve " + host + ": no address found"};
  }
  if (pinned) {
    std::string entry = host + ":" + parts->port + ":" + bracketIfV6(*pinned);
    resolve_list_.reset(curl_slist_append(nullptr, entry.c_str()));
  }
  effective_url_ = plan_.url;
  const std::string server_name = core::asciiLower(req.tls.server_name);
  // tls.server_name names the configured host; a redirect to another host keeps its own name.
  if (tls_ && !server_name.empty() && server_name != host && host == plan_.configured_host) {
    // The URL carries the name (Host header, SNI, verification); CONNECT_TO sends the
    // connection where the original URL pointed.
    auto renamed = replaceHost(plan_.url, server_name);
    if (!renamed) return internal("invalid tls.server_name \"" + server_name + "\"");
    effective_url_ = *renamed;
    std::string mapping =
        server_name + ":" + parts->port + ":" + bracketIfV6(host) + ":" + parts->port;
    connect_to_.reset(curl_slist_append(nullptr, mapping.c_str()));
  }

  easy_.reset(curl_easy_init());
  if (!easy_) return internal("out of curl handles");
  CURL* e = easy_.get();
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode c) {
    if (rc == CURLE_OK) rc = c;
  };
  const long left = std::max<long>(
      1, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(limit).count()));
  set(curl_easy_setopt(e, CURLOPT_URL, effective_url_.c_str()));
  set(curl_easy_setopt(e, CURLOPT_PRIVATE, priv));
  set(curl_easy_setopt(e, CURLOPT_SHARE, session_.share()));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
#if LIBCURL_VERSION_NUM >= 0x075700
  // Without it, removing a transfer that is still resolving (deadline, cancel at shutdown) joins
  // the threaded resolver's getaddrinfo() and stalls the event thread for every other check.
  set(curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L));
#endif
  if (!session_.reusesConnections()) {
    set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
    set(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
    set(curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L));
  }
  if (session_.sharesCookies()) {
    set(curl_easy_setopt(e, CURLOPT_COOKIEFILE, ""));
    for (const auto& line : plan_.cookie_lines) {
      set(curl_easy_setopt(e, CURLOPT_COOKIELIST, line.c_str()));
    }
  }
  set(curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::onBody));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(this)));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::onHeader));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(this)));
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, left));
  if (!req.user_agent.empty()) set(curl_easy_setopt(e, CURLOPT_USERAGENT, req.user_agent.c_str()));
  long ipresolve = CURL_IPRESOLVE_WHATEVER;
  if (req.ip_version == core::IpVersion::V4) ipresolve = CURL_IPRESOLVE_V4;
  if (req.ip_version == core::IpVersion::V6) ipresolve = CURL_IPRESOLVE_V6;
  set(curl_easy_setopt(e, CURLOPT_IPRESOLVE, ipresolve));

  const std::string& method = plan_.method;
  const std::string& body = plan_.body;
  if (method == "GET" && body.empty()) {
    set(curl_easy_setopt(e, CURLOPT_HTTPGET, 1L));
  } else if (method == "HEAD") {
    set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
  } else {
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())));
      set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str()));
    }
    if (method != "POST") set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str()));
  }

  curl_slist* list = nullptr;
  auto append = [&list](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (!next) return false;
    list = next;
    return true;
  };
  bool appended = true;
  bool asks_encoding = false;
  for (const auto& [name, value] : req.headers) {
    if (!plan_.same_origin && isCredentialHeader(name, value, secrets)) continue;
    if (plan_.capture && core::asciiIEquals(name, "accept-encoding")) asks_encoding = true;
    appended = appended && append(name + ": " + value);
  }
  if (plan_.capture) {
    // libcurl decodes what the server content-encodes (the captured body is the decoded one; the
    // wire size comes from CURLINFO_SIZE_DOWNLOAD_T). It sends only the request's own
    // Accept-Encoding: an empty header line suppresses the list libcurl would add.
    set(curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""));
    if (!asks_encoding) appended = appended && append("Accept-Encoding:");
  }
  if (plan_.same_origin && req.bearer_token) {
    appended = appended && append("Authorization: Bearer " + *req.bearer_token);
  }
  request_headers_.reset(list);
  if (!appended) return internal("out of memory building request headers");
  if (list) set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, list));
  if (plan_.same_origin && req.basic_auth) {
    set(curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
    set(curl_easy_setopt(e, CURLOPT_USERNAME, req.basic_auth->user.c_str()));
    set(curl_easy_setopt(e, CURLOPT_PASSWORD, req.basic_auth->password.c_str()));
  }
  if (!req.proxy.empty()) set(curl_easy_setopt(e, CURLOPT_PROXY, req.proxy.c_str()));
  if (resolve_list_) set(curl_easy_setopt(e, CURLOPT_RESOLVE, resolve_list_.get()));
  if (connect_to_) set(curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_.get()));

  if (tls_) {
    const auto& t = req.tls;
    set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, t.verify ? 1L : 0L));
    set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, t.verify ? 2L : 0L));
    if (!t.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, t.ca_file.c_str()));
    // The client certificate identifies the check to its own origin, like the credentials.
    if (plan_.same_origin && !t.cert_file.empty()) {
      set(curl_easy_setopt(e, CURLOPT_SSLCERT, t.cert_file.c_str()));
    }
    if (plan_.same_origin && !t.key_file.empty()) {
      set(curl_easy_setopt(e, CURLOPT_SSLKEY, t.key_file.c_str()));
    }
    set(curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &detail::installCertExpiryRecorder));
    set(curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, static_cast<void*>(&cert_sink_)));
  }
  if (rc != CURLE_OK)
    return internal(std::string("curl option rejected: ") + curl_easy_strerror(rc));
  return std::nullopt;
}

}  // namespace shopwatch::probes::detail
