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
    raw_headers_.clear();
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
    if (!redirect_hop_ && buffers() && announced_length_) body_.reserve(*announced_length_);
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
  if (plan_.capture) raw_headers_.emplace_back(line.substr(0, colon), value);
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
    if (buffers()) {
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
  if (plan_.capture) {
    curl_off_t wire = 0;
    if (e && curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &wire) == CURLE_OK && wire > 0) {
      out.wire_bytes = static_cast<std::uint64_t>(wire);
    }
    out.raw_headers = std::move(raw_headers_);
  }
  out.body_prefix = buffers() ? body_.substr(0, std::min(body_.size(), plan_.keep_prefix))
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
