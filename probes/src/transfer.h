#pragma once
// One HTTP request on libcurl: its easy handle, lists and callbacks, and what it reports (phases,
// status, headers, body handling). Engine thread only.

#include <curl/curl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "curl_handles.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/core/probe_result.h"
#include "stream_matcher.h"
#include "tls_expiry.h"

namespace shopwatch::probes {
class Resolver;
}

namespace shopwatch::probes::detail {

class BodyBudget;

/// libcurl state one run's transfers share. A plain check's hops share only a private DNS cache
/// (CURLOPT_RESOLVE pins must not leak to other checks of the same host); a journey (B1) asks for
/// cookies and connections too, so its steps share a cookie jar and reuse connections for the
/// run's lifetime. Outlives every Transfer that uses it.
class RunSession {
 public:
  struct Sharing {
    bool cookies = false;
    bool connections = false;  ///< reuse connections across the run's transfers
  };
  explicit RunSession(Sharing sharing);
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;
  RunSession(RunSession&&) = delete;
  RunSession& operator=(RunSession&&) = delete;

  CURLSH* share() const { return share_.get(); }
  bool reusesConnections() const { return sharing_.connections; }
  bool sharesCookies() const { return sharing_.cookies; }

 private:
  Sharing sharing_;
  ShareHandle share_;
};

/// What to send (request fields that change per hop) and how to read the answer.
struct TransferPlan {
  const core::HttpRequest* request = nullptr;  ///< owned by the run's check
  const std::vector<std::string>* secrets = nullptr;
  std::string url;
  std::string method;
  std::string body;
  /// Send credentials (headers, auth, client certificate): the hop is on the check URL's origin.
  bool same_origin = true;
  /// The host request->tls.server_name applies to (the check URL's); other hosts keep theirs.
  std::string configured_host;
  /// Response handling.
  bool buffer_body = false;
  bool keep_headers = false;
  std::optional<std::string> contains;
  std::optional<std::string> not_contains;
  /// Journeys: cookies put into the session's jar before the request (Netscape cookie-file lines,
  /// CURLOPT_COOKIELIST); only with a session that shares cookies.
  std::vector<std::string> cookie_lines;
  /// Journeys: report the session's cookie jar after the transfer (TransferOutcome::cookies).
  bool read_cookies = false;
  /// Keep the first bytes of the final response's body (evidence), also when not buffering.
  std::size_t keep_prefix = 0;
  /// HttpRequest::capture: libcurl decodes content-encodings (only the request's own
  /// Accept-Encoding is sent); the body is buffered (and budgeted) like buffer_body; the header
  /// lines are kept as sent (TransferOutcome::raw_headers) and the wire size is read.
  bool capture = false;
};

/// A failure of a transfer, already classified.
struct TransferError {
  core::FailureReason reason = core::FailureReason::Internal;
  std::string message;
};

/// What a finished (or cut) transfer saw.
struct TransferOutcome {
  std::optional<TransferError> error;  ///< nullopt: a complete response
  core::SteadyTime started{};          ///< when the transfer really started
  core::SteadyTime ended{};
  core::Phases phases;  ///< what it completed, also on failure
  int status = 0;
  std::string http_version;
  std::int64_t content_length = -1;
  std::uint64_t bytes = 0;
  bool tls = false;
  std::string url;
  std::optional<core::SystemTime> cert_not_after;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-case; keep_headers
  std::string body;                                          ///< buffer_body only
  std::optional<std::uint64_t> contains_at;
  std::optional<std::uint64_t> not_contains_at;
  /// A redirect the plan asked to follow: the Location, resolved against `url`.
  std::optional<std::string> redirect_to;
  /// read_cookies: the jar after the transfer, as Netscape cookie-file lines.
  std::vector<std::string> cookies;
  /// keep_prefix: the first bytes of the final response's body.
  std::string body_prefix;
  /// The transfer used a connection an earlier transfer of the run opened: no resolve, connect
  /// or TLS phase.
  bool reused_connection = false;
  /// capture: the final response's header lines in order, names as sent.
  std::vector<std::pair<std::string, std::string>> raw_headers;
  /// capture: body bytes as transferred, before decoding (CURLINFO_SIZE_DOWNLOAD_T).
  std::uint64_t wire_bytes = 0;
};

class Transfer {
 public:
  /// `holder` identifies the run to the body budget.
  Transfer(TransferPlan plan, RunSession& session, BodyBudget& budget, std::uint64_t holder);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  Transfer(Transfer&&) = delete;
  Transfer& operator=(Transfer&&) = delete;

  /// Resolves (pins, `resolver`) and configures the handle; `limit` is the time it may take,
  /// `shown_timeout` what a timeout message names. CURLOPT_PRIVATE is set to `priv`.
  std::optional<TransferError> prepare(Resolver* resolver, core::Micros limit,
                                       core::Micros shown_timeout, void* priv);
  CURL* easy() const { return easy_.get(); }
  /// libcurl drives it from now on (called just before the multi first performs it).
  void markStarted(core::SteadyTime now);
  bool started() const { return curl_started_.has_value(); }
  /// The real start: before the injected resolver ran, else when libcurl took it.
  core::SteadyTime startTime() const;

  /// libcurl finished it with `code`.
  TransferOutcome finish(CURLcode code);
  /// The run's deadline cut it.
  TransferOutcome timedOut();
  /// prepare() failed with `error`: the outcome of a transfer that never ran (an injected
  /// resolver's time still counts as resolve).
  TransferOutcome unstarted(TransferError error);

  bool paused() const { return paused_; }
  /// Lets a transfer paused for the body budget or for the iteration's receive slice go on (may
  /// deliver data right away).
  void resume();

 private:
  static std::size_t onHeader(char* data, std::size_t size, std::size_t nitems, void* user);
  static std::size_t onBody(char* data, std::size_t size, std::size_t nmemb, void* user);
  std::size_t header(std::string_view line);
  std::size_t bodyChunk(const char* data, std::size_t n);
  TransferOutcome collect(std::optional<CURLcode> code);
  bool buffers() const { return plan_.buffer_body || plan_.capture; }

  TransferPlan plan_;
  RunSession& session_;
  BodyBudget& budget_;
  std::uint64_t holder_;
  core::Micros shown_timeout_{0};
  std::string target_;  // host:port for messages
  bool tls_ = false;
  core::Micros resolver_time_{0};
  std::optional<core::SteadyTime> resolver_started_;
  std::optional<core::SteadyTime> curl_started_;
  std::optional<core::SteadyTime> first_byte_;  // status line of the final (non-1xx) response
  EasyHandle easy_;
  SlistHandle request_headers_;
  SlistHandle resolve_list_;
  SlistHandle connect_to_;
  std::string effective_url_;
  char errbuf_[CURL_ERROR_SIZE] = {};

  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<std::pair<std::string, std::string>> raw_headers_;  // capture only
  bool has_location_ = false;
  bool headers_done_ = false;
  bool redirect_hop_ = false;
  std::uint64_t bytes_ = 0;
  std::string body_;
  std::string body_prefix_;
  std::optional<StreamMatcher> contains_;
  std::optional<StreamMatcher> not_contains_;
  bool too_large_ = false;
  std::optional<std::uint64_t> announced_length_;
  bool internal_error_ = false;
  bool paused_ = false;
  CertExpirySink cert_sink_;
};

/// Adds a hop's phases to `to` (phases are summed over hops and steps).
void addPhases(core::Phases& to, const core::Phases& from);
/// Records a finished hop in `result`: adds its phases; status, HTTP version, sizes, TLS and URL
/// describe the last hop, as blackbox_exporter does. The certificate expiry is the caller's rule.
void recordHop(core::ProbeResult& result, const TransferOutcome& hop);

}  // namespace shopwatch::probes::detail
