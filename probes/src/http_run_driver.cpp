#include "http_run_driver.h"

#include <chrono>
#include <utility>

namespace shopwatch::probes::detail {

using core::FailureReason;

HttpRunDriver::HttpRunDriver(std::shared_ptr<const core::Check> check,
                             std::shared_ptr<const CompiledChecks> compiled, std::string host_key,
                             std::string configured_host, std::string origin)
    : check_(std::move(check)),
      probe_(*check_->http()),
      compiled_(std::move(compiled)),
      host_key_(std::move(host_key)),
      configured_host_(std::move(configured_host)),
      origin_(std::move(origin)) {
  const auto& req = probe_.request;
  hop_ = NextHop{req.url, req.method.empty() ? "GET" : req.method, req.body, true};
  if (req.capture) result_.captured.emplace();
}

NextTransfer HttpRunDriver::plan() const {
  TransferPlan p;
  p.request = &probe_.request;
  p.secrets = &check_->secrets;
  p.url = hop_.url;
  p.method = hop_.method;
  p.body = hop_.body;
  p.same_origin = hop_.same_origin;
  p.configured_host = configured_host_;
  p.buffer_body = compiled_->needs_full_body;
  p.keep_headers = !probe_.expect.headers.empty();
  p.contains = probe_.expect.body_contains;
  p.not_contains = probe_.expect.body_not_contains;
  p.capture = probe_.request.capture;
  return NextTransfer{std::move(p)};
}

Decision HttpRunDriver::start() { return plan(); }

Finish HttpRunDriver::fail(FailureReason reason, std::string message) {
  result_.success = false;
  result_.failure = reason;
  result_.message = std::move(message);
  return Finish{std::move(result_)};
}

Decision HttpRunDriver::onTransferDone(TransferOutcome out) {
  if (!first_start_) first_start_ = out.started;
  auto& r = result_;
  r.duration = std::chrono::duration_cast<core::Micros>(out.ended - *first_start_);
  recordHop(r, out);
  r.cert_not_after = out.cert_not_after;
  if (r.captured) {
    // The last hop's response so far (a failed hop keeps the headers it received).
    r.captured->http_version = out.http_version;
    r.captured->headers = std::move(out.raw_headers);
    r.captured->wire_bytes = out.wire_bytes;
  }
  if (out.error) return fail(out.error->reason, std::move(out.error->message));

  if (out.redirect_to) {
    const auto& secrets = check_->secrets;
    ++r.redirects;
    if (r.captured) r.captured->redirect_chain.push_back(hop_.url);
    if (r.redirects > probe_.request.max_redirects) {
      return fail(FailureReason::Redirects,
                  "more than " + std::to_string(probe_.request.max_redirects) +
                      " redirects (last to " + shownLocation(*out.redirect_to, secrets) + ")");
    }
    auto next =
        followRedirect(out.status, *out.redirect_to, hop_.method, hop_.body, origin_, secrets);
    if (auto* refusal = std::get_if<RedirectRefusal>(&next)) {
      return fail(FailureReason::Redirects, std::move(refusal->message));
    }
    hop_ = std::get<NextHop>(std::move(next));
    return plan();
  }

  evaluation_ = std::make_shared<Evaluation>();
  evaluation_->check = check_;
  evaluation_->compiled = compiled_;
  evaluation_->response = std::move(out);
  evaluation_->result = result_;
  if (auto& captured = evaluation_->result.captured) {
    // The evaluation still reads the body when it needs it whole; the run's own result_ (what a
    // cut reports) goes without it.
    auto& body = evaluation_->response.body;
    captured->body = compiled_->needs_full_body ? body : std::move(body);
  }
  if (!compiled_->needs_full_body) return evaluateInline();
  // Parsing JSON or running RE2 over a buffered body can take milliseconds: not on the event
  // thread, where it would delay every other run's timings.
  return Evaluate{[evaluation = evaluation_] { evaluation->run(); }};
}

void HttpRunDriver::Evaluation::run() {
  const auto& http = *check->http();
  ResponseView view;
  view.status = response.status;
  view.headers = &response.headers;
  view.body = response.body;
  view.contains_at = response.contains_at;
  view.not_contains_at = response.not_contains_at;
  view.duration = result.duration;
  evaluateExpectations(http.expect, check->secrets, *compiled, view, result);
  response.body.clear();
  response.body.shrink_to_fit();
}

Decision HttpRunDriver::evaluateInline() {
  evaluation_->run();
  return afterEvaluation();
}

Decision HttpRunDriver::afterEvaluation() {
  auto evaluation = std::move(evaluation_);
  core::ProbeResult r = std::move(evaluation->result);
  if (r.failure == FailureReason::HttpStatus) {
    r.message += droppedCredentialsHint(probe_.request, check_->secrets, hop_.same_origin,
                                        r.status_code, r.final_url);
  }
  r.success = r.failure == FailureReason::None;
  return Finish{std::move(r)};
}

core::ProbeResult HttpRunDriver::cut(FailureReason reason, std::string message, bool cancelled) {
  // result_, never evaluation_->result: a worker may be writing that one right now.
  core::ProbeResult r = result_;
  r.success = false;
  r.failure = reason;
  r.cancelled = cancelled;
  r.message = std::move(message);
  r.assertions.clear();
  return r;
}

}  // namespace shopwatch::probes::detail
