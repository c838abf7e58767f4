#include "transfer.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "steady_time.h"
#include "body_budget.h"
#include "error_classification.h"
#include "redirect_policy.h"
#include "shopwatch/core/text.h"
#include "shopwatch/probes/http_probe_engine.h"
#include "url.h"

namespace shopwatch::probes::detail {
namespace {

using SteadyClock = std::chrono::steady_clock;
using core::FailureReason;
using core::Micros;


const char* httpVersionName(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return "1.0";
    case CURL_HTTP_VERSION_1_1:
      return "1.1";
    case CURL_HTTP_VERSION_2_0:
      return "2";
    case CURL_HTTP_VERSION_3:
      return "3";
    default:
      return "";
  }
}

TransferError internal(std::string message) {
  return {FailureReason::Internal, std::move(message)};
}

}  // namespace

RunSession::RunSession(Sharing sharing) : sharing_(sharing), share_(curl_share_init()) {
  if (!share_) throw std::runtime_error("curl_share_init failed");
  // A private DNS cache per run: CURLOPT_RESOLVE pins of one check must not leak into another
  // check of the same host:port (the multi handle would otherwise share them).
  curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  if (sharing_.cookies) curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  if (sharing_.connections) {
    curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
}

Transfer::Transfer(TransferPlan plan, RunSession& session, BodyBudget& budget, std::uint64_t holder)
    : plan_(std::move(plan)), session_(session), budget_(budget), holder_(holder) {
  if (plan_.contains) contains_.emplace(*plan_.contains);
  if (plan_.not_contains) not_contains_.emplace(*plan_.not_contains);
}

// The easy handle goes first: the engine has removed it from the multi already.
Transfer::~Transfer() { easy_.reset(); }

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
  for (const auto& [name, value] : req.headers) {
    if (!plan_.same_origin && isCredentialHeader(name, value, secrets)) continue;
    appended = appended && append(name + ": " + value);
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

void Transfer::markStarted(core::SteadyTime now) {
  if (!curl_started_) curl_started_ = now;
}

core::SteadyTime Transfer::startTime() const {
  if (resolver_started_) return *resolver_started_;
  return curl_started_.value_or(SteadyClock::now());
}

void Transfer::resume() {
  if (!paused_ || !easy_) return;
  paused_ = false;
  // May deliver the held-back data right here, and the callback may pause it again.
  curl_easy_pause(easy_.get(), CURLPAUSE_CONT);
}

// ---- libcurl callbacks (engine thread, inside curl_multi_perform / curl_easy_pause) ----

std::size_t Transfer::onHeader(char* data, std::size_t size, std::size_t nitems, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  try {
    return t.header(std::string_view(data, size * nitems));
  } catch (...) {
    t.internal_error_ = true;
    return 0;
  }
}

std::size_t Transfer::onBody(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  try {
    return t.bodyChunk(data, size * nmemb);
  } catch (...) {
    t.internal_error_ = true;
    return 0;
  }
}

std::size_t Transfer::header(std::string_view line) {
  const std::size_t n = line.size();
  if (line.starts_with("HTTP/")) {
    // "HTTP/x.y NNN ...": an interim 1xx is not the answer, the upload may only start after it.
    const auto sp = line.find(' ');
    const bool interim =
        sp != std::string_view::npos && sp + 1 < line.size() && line[sp + 1] == '1';
    if (!interim && !first_byte_) first_byte_ = SteadyClock::now();
    headers_.clear();
    has_location_ = false;
    headers_done_ = false;
    announced_length_.reset();
    return n;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty()) {
    long code = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &code);
    if (code >= 100 && code < 200) return n;  // interim response, the real one follows
    headers_done_ = true;
    redirect_hop_ = plan_.request->follow_redirects && has_location_ && isRedirectStatus(code);
    if (!redirect_hop_ && announced_length_ && *announced_length_ > plan_.request->max_body) {
      too_large_ = true;
      return 0;
    }
    // Growing a buffer of MiB chunk by chunk reallocates and copies it about twenty times, all
    // on the event thread (milliseconds for a 5 MiB page, and every other run waits). The
    // announced length is at most max_body here; reserved pages are not resident until written,
    // and the body budget still counts bytes as they arrive.
    if (!redirect_hop_ && plan_.buffer_body && announced_length_) body_.reserve(*announced_length_);
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = core::asciiLower(line.substr(0, colon));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (name == "location") has_location_ = true;
  if (name == "content-length") {
    std::uint64_t len = 0;
    bool digits = !value.empty();
    for (char c : value) {
      if (c < '0' || c > '9') {
        digits = false;
      } else {
        len = len * 10 + static_cast<std::uint64_t>(c - '0');
      }
    }
    if (digits) announced_length_ = len;
  }
  if (plan_.keep_headers) headers_.emplace_back(std::move(name), std::string(value));
  return n;
}

std::size_t Transfer::bodyChunk(const char* data, std::size_t n) {
  if (bytes_ + n > plan_.request->max_body) {
    too_large_ = true;
    return 0;
  }
  if (!redirect_hop_) {
    // Fairness before memory: a chunk refused here has taken no budget yet.
    if (!budget_.takeSlice(n)) {
      paused_ = true;
      budget_.noteYielded(holder_);
      return CURL_WRITEFUNC_PAUSE;
    }
    if (plan_.buffer_body) {
      if (!budget_.acquire(holder_, n)) {
        paused_ = true;
        budget_.notePaused(holder_);
        return CURL_WRITEFUNC_PAUSE;
      }
      body_.append(data, n);
    } else if (body_prefix_.size() < plan_.keep_prefix) {
      body_prefix_.append(data, std::min(n, plan_.keep_prefix - body_prefix_.size()));
    }
    std::string_view chunk(data, n);
    if (contains_) contains_->feed(chunk, bytes_);
    if (not_contains_) not_contains_->feed(chunk, bytes_);
  }
  bytes_ += n;
  return n;
}

// ---- what it reports ----

TransferOutcome Transfer::finish(CURLcode code) { return collect(code); }

TransferOutcome Transfer::timedOut() { return collect(std::nullopt); }

TransferOutcome Transfer::unstarted(TransferError error) {
  TransferOutcome out;
  out.ended = SteadyClock::now();
  out.started = startTime();
  out.url = plan_.url;
  out.phases.resolve = resolver_time_;
  out.error = std::move(error);
  return out;
}

TransferOutcome Transfer::collect(std::optional<CURLcode> code) {
  TransferOutcome out;
  out.ended = SteadyClock::now();
  out.started = startTime();
  out.url = plan_.url;
  out.tls = tls_;
  out.bytes = bytes_;
  out.cert_not_after = cert_sink_.earliest;
  CURL* e = easy_.get();
  long status = 0, version = 0, os_errno = 0, new_connections = -1;
  curl_off_t namelookup = 0, connect = 0, appconnect = 0;
  curl_off_t length = -1;
  if (e) {
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &namelookup);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &appconnect);
    curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &new_connections);
  }
  out.status = static_cast<int>(status);
  out.http_version = status > 0 ? httpVersionName(version) : "";
  out.content_length = status > 0 ? static_cast<std::int64_t>(length) : -1;

  // Phases: libcurl's timers count from when the multi first drove the transfer (curl_started_).
  // A failed run keeps what it completed; libcurl 7.88 leaves CONNECT_TIME at 0 for a connection
  // whose TLS handshake failed, so the handshake's start (the SSL_CTX callback, right after TCP
  // connected) stands in for it.
  auto& p = out.phases;
  const core::SteadyTime curl_start = curl_started_.value_or(out.ended);
  const Micros elapsed = between(curl_start, out.ended);
  const Micros lookup{namelookup};
  p.resolve = resolver_time_ + lookup;
  Micros connected_at{connect};
  if (connect == 0 && cert_sink_.handshake_started) {
    connected_at = std::max(lookup, between(curl_start, *cert_sink_.handshake_started));
  }
  // A connection an earlier transfer of the run opened (journeys): libcurl still reports small
  // lookup/connect times for it, but nothing was resolved or connected.
  out.reused_connection = session_.reusesConnections() && status > 0 && new_connections == 0;
  if (out.reused_connection) {
    p.resolve = resolver_time_;
    connected_at = Micros{0};
  }
  const bool connected = connected_at > Micros{0};
  const bool cut = !code || *code == CURLE_OPERATION_TIMEDOUT;
  if (connected) {
    p.connect = std::max(Micros{0}, connected_at - lookup);
  } else if (code == CURLE_COULDNT_CONNECT || (cut && (lookup > Micros{0} || resolve_list_))) {
    // The time spent trying to connect (refused, unreachable, or cut by a timeout).
    p.connect = std::max(Micros{0}, elapsed - lookup);
  } else if (code == CURLE_COULDNT_RESOLVE_HOST || cut) {
    p.resolve += std::max(Micros{0}, elapsed - lookup);
  }
  Micros ready = connected_at;
  const bool tls_done = appconnect > 0 && !out.reused_connection;
  if (tls_done) {
    p.tls = std::max(Micros{0}, Micros{appconnect} - connected_at);
    ready = Micros{appconnect};
  } else if (tls_ && connected) {
    p.tls = std::max(Micros{0}, elapsed - connected_at);
  }
  const bool request_sent = out.reused_connection || (connected && (!tls_ || tls_done));
  if (first_byte_) {
    // blackbox_exporter's processing is connection ready → first response byte, so it includes
    // writing the request. libcurl before 8.3 sets STARTTRANSFER when it starts sending a
    // request body (curl#11669), which would put a slow upload and the server's whole think
    // time into transfer; the response's arrival is therefore taken from the header callback.
    p.processing = std::max(Micros{0}, between(curl_start, *first_byte_) - ready);
    p.transfer = between(*first_byte_, out.ended);
  } else if (request_sent) {
    // No answer (timeout, broken or non-HTTP reply): the time since the connection was ready went
    // into writing the request and waiting for the server.
    p.processing = std::max(Micros{0}, elapsed - ready);
  }

  TransferProgress progress{target_,       tls_,   connected,     tls_done,
                            headers_done_, bytes_, shown_timeout_};
  if (internal_error_) {
    out.error = internal("internal error while reading the response");
  } else if (too_large_) {
    std::string msg =
        "body larger than max_body " + std::to_string(plan_.request->max_body) + " bytes";
    if (announced_length_) msg += " (Content-Length " + std::to_string(*announced_length_) + ")";
    out.error = TransferError{FailureReason::BodyTooLarge, std::move(msg)};
  } else if (!code) {
    out.error = TransferError{FailureReason::Timeout, detail::timeoutMessage(progress)};
  } else if (*code != CURLE_OK) {
    const std::string detail = errbuf_[0] ? std::string(errbuf_) : curl_easy_strerror(*code);
    out.error = classifyCurlError(*code, detail, os_errno, progress);
  } else if (redirect_hop_) {
    char* location = nullptr;
    if (e) curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &location);
    if (location) {
      out.redirect_to = std::string(location);
    } else {
      out.error = TransferError{FailureReason::Redirects, "status " + std::to_string(out.status) +
                                                              " with an unusable Location"};
    }
  }
  out.headers = std::move(headers_);
  if (plan_.read_cookies && e) {
    curl_slist* jar = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_COOKIELIST, &jar) == CURLE_OK) {
      for (curl_slist* c = jar; c; c = c->next) out.cookies.emplace_back(c->data);
      curl_slist_free_all(jar);
    }
  }
  out.body_prefix = plan_.buffer_body ? body_.substr(0, std::min(body_.size(), plan_.keep_prefix))
                                      : std::move(body_prefix_);
  out.body = std::move(body_);
  if (contains_) out.contains_at = contains_->foundAt();
  if (not_contains_) out.not_contains_at = not_contains_->foundAt();
  return out;
}

void addPhases(core::Phases& to, const core::Phases& from) {
  to.resolve += from.resolve;
  to.connect += from.connect;
  to.tls += from.tls;
  to.processing += from.processing;
  to.transfer += from.transfer;
}

void recordHop(core::ProbeResult& result, const TransferOutcome& hop) {
  addPhases(result.phases, hop.phases);
  result.status_code = hop.status;
  result.http_version = hop.http_version;
  result.content_length = hop.content_length;
  result.bytes = hop.bytes;
  result.ssl = hop.tls;
  result.final_url = hop.url;
}

}  // namespace shopwatch::probes::detail
