#include "journey_run_driver.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "steady_time.h"
#include "journey_evidence.h"
#include "shopwatch/core/redact.h"
#include "url.h"

namespace shopwatch::probes::detail {
namespace {

using core::FailureReason;
using core::Micros;

// A secret that crosses the evidence cut must still be seen whole by the redaction.
constexpr std::size_t kEvidencePrefix = core::kEvidenceBodyBytes + 512;


core::SystemTime wallAt(core::SteadyTime t) {
  return core::SystemClock::instance().now() -
         std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - t);
}

void redactResult(core::ProbeResult& r, const std::vector<std::string>& secrets) {
  r.message = core::redact(r.message, secrets);
  r.final_url = core::redact(r.final_url, secrets);
  for (auto& a : r.assertions) a.detail = core::redact(a.detail, secrets);
  if (r.evidence) {
    for (auto& h : r.evidence->headers) h.second = core::redact(h.second, secrets);
    r.evidence->body_snippet = core::redact(r.evidence->body_snippet, secrets);
  }
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return "[" + out + "]";
}

}  // namespace

JourneyRunDriver::JourneyRunDriver(std::shared_ptr<const core::Check> check,
                                   std::shared_ptr<const CompiledJourney> compiled,
                                   std::string host_key, std::string base_origin)
    : check_(std::move(check)),
      journey_(*check_->journey()),
      compiled_(std::move(compiled)),
      host_key_(std::move(host_key)),
      base_origin_(std::move(base_origin)) {}

Decision JourneyRunDriver::start() {
  // `vars:` first, in order: each may use the built-ins and the vars before it. The config
  // checked every reference, so an error here can only be a reference that does not resolve.
  for (const auto& var : journey_.vars) {
    auto value = journeyVarValue(var.value, var.typed, vars_);
    vars_.set(var.name, value ? std::move(value).value() : textValue(var.value));
  }
  return advance();
}

void JourneyRunDriver::refreshSecrets() {
  secrets_ = check_->secrets;
  for (auto& v : vars_.secretValues()) secrets_.push_back(std::move(v));
  for (const auto& v : current_.cookie_values) secrets_.push_back(v);
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void JourneyRunDriver::recordSkipped() {
  core::StepResult s;
  s.name = step().name;
  s.skipped = true;
  s.cleanup = inCleanup();
  steps_.push_back(std::move(s));
  ++index_;
}

// The next step that runs: steps after a failure are skipped (cleanup steps never are), and so
// is a step whose skip_if holds.
Decision JourneyRunDriver::advance() {
  while (index_ < total()) {
    const auto& s = step();
    if (failed_ && !inCleanup()) {
      recordSkipped();
      continue;
    }
    if (s.skip_if) {
      const auto* v = vars_.find(s.skip_if->variable);
      if (v && v->text == s.skip_if->equals) {
        recordSkipped();
        continue;
      }
    }
    step_active_ = true;
    attempt_ = 1;
    step_result_ = core::ProbeResult{};
    step_start_.reset();
    return beginAttempt();
  }
  return Finish{journeyResult()};
}

Decision JourneyRunDriver::beginAttempt() {
  attempt_start_.reset();
  first_hop_ = true;
  hop_redirects_ = 0;
  step_result_.assertions.clear();
  const auto& s = step();
  auto prepared = prepareStep(s, vars_, base_origin_);
  if (!prepared) {
    const auto& e = prepared.error();
    step_result_.final_url = s.request.url;
    return stepFailed(
        e.code == core::ErrorCode::NotFound ? FailureReason::Extraction : FailureReason::Internal,
        e.message, std::nullopt);
  }
  current_ = std::move(prepared).value();
  const auto& compiled = compiled_->steps[index_];
  current_checks_ = compiled.checks ? compiled.checks : compileChecks(current_.expect);
  refreshSecrets();
  auto parts = parseUrl(current_.request.url);
  if (!parts) {
    step_result_.final_url = current_.request.url;
    return stepFailed(FailureReason::Internal, "invalid URL \"" + current_.request.url + "\"",
                      std::nullopt);
  }
  origin_ = originOf(*parts);
  configured_host_ = parts->host;
  const auto& req = current_.request;
  hop_ = NextHop{req.url, req.method.empty() ? "GET" : req.method, req.body, true};
  return plan();
}

NextTransfer JourneyRunDriver::plan() const {
  const auto& compiled = compiled_->steps[index_];
  TransferPlan p;
  p.request = &current_.request;
  p.secrets = &secrets_;
  p.url = hop_.url;
  p.method = hop_.method;
  p.body = hop_.body;
  p.same_origin = hop_.same_origin;
  p.configured_host = configured_host_;
  p.buffer_body = compiled.needs_body || current_checks_->needs_full_body;
  p.keep_headers = true;
  p.contains = current_.expect.body_contains;
  p.not_contains = current_.expect.body_not_contains;
  if (first_hop_) p.cookie_lines = current_.cookie_lines;
  p.read_cookies = compiled.read_cookies;
  p.keep_prefix = kEvidencePrefix;
  return NextTransfer{std::move(p)};
}

Decision JourneyRunDriver::onTransferDone(TransferOutcome out) {
  if (!first_start_) first_start_ = out.started;
  if (!step_start_) step_start_ = out.started;
  if (!attempt_start_) attempt_start_ = out.started;
  last_end_ = out.ended;
  first_hop_ = false;
  auto& r = step_result_;
  r.duration = between(*step_start_, out.ended);
  recordHop(r, out);
  if (out.cert_not_after) r.cert_not_after = out.cert_not_after;
  if (out.error) {
    std::optional<core::Evidence> evidence;
    if (out.status > 0) evidence = makeEvidence(out.headers, out.body_prefix, secrets_);
    return stepFailed(out.error->reason, std::move(out.error->message), std::move(evidence));
  }
  if (out.redirect_to) {
    ++r.redirects;
    const int max = current_.request.max_redirects;
    if (++hop_redirects_ > max) {
      return stepFailed(FailureReason::Redirects,
                        "more than " + std::to_string(max) + " redirects (last to " +
                            shownLocation(*out.redirect_to, secrets_) + ")",
                        std::nullopt);
    }
    auto next =
        followRedirect(out.status, *out.redirect_to, hop_.method, hop_.body, origin_, secrets_);
    if (auto* refusal = std::get_if<RedirectRefusal>(&next)) {
      return stepFailed(FailureReason::Redirects, std::move(refusal->message), std::nullopt);
    }
    hop_ = std::get<NextHop>(std::move(next));
    return plan();
  }

  auto ev = std::make_shared<StepEvaluation>();
  ev->check = check_;
  ev->step = &step();
  ev->expect = current_.expect;
  ev->extract = std::move(current_.extract);
  ev->checks = current_checks_;
  ev->compiled = std::shared_ptr<const CompiledStep>(compiled_, &compiled_->steps[index_]);
  ev->secrets = secrets_;
  ev->response = std::move(out);
  ev->result = r;
  // max_duration judges this attempt's request, not the polling before it.
  ev->result.duration = between(*attempt_start_, ev->response.ended);
  evaluation_ = ev;
  if (!ev->response.body.empty() || compiled_->steps[index_].needs_body) {
    // Parsing JSON or HTML, or RE2 over a buffered body, can take milliseconds: not on the
    // event thread, where it would delay every other run's timings.
    return Evaluate{[ev] { ev->run(); }};
  }
  ev->run();
  return afterEvaluation();
}

Decision JourneyRunDriver::afterEvaluation() {
  auto ev = std::move(evaluation_);
  core::ProbeResult r = std::move(ev->result);
  r.duration = step_result_.duration;
  const auto& s = step();
  if (r.failure == FailureReason::None && ev->repeat_pending) {
    const auto& until = *s.repeat_until;
    if (attempt_ < until.max_attempts) {
      ++attempt_;
      step_result_ = std::move(r);
      return Wait{until.delay};
    }
    r.failure = FailureReason::Assertion;
    r.message = "repeat_until " + until.json_pointer + ": last value \"" + ev->repeat_value +
                "\" not in " + joined(until.one_of) + " after " + std::to_string(attempt_) +
                (attempt_ == 1 ? " attempt" : " attempts");
    r.evidence = makeEvidence(ev->response.headers, ev->response.body_prefix, secrets_);
  }
  if (r.failure == FailureReason::None) {
    for (auto& [name, value] : ev->extraction.values) vars_.set(name, std::move(value));
  }
  step_result_ = std::move(r);
  return finishStep();
}

Decision JourneyRunDriver::afterWait() { return beginAttempt(); }

Decision JourneyRunDriver::stepFailed(FailureReason reason, std::string message,
                                      std::optional<core::Evidence> evidence) {
  step_result_.failure = reason;
  step_result_.message = std::move(message);
  step_result_.evidence = std::move(evidence);
  return finishStep();
}

Decision JourneyRunDriver::finishStep() {
  auto& r = step_result_;
  r.success = r.failure == FailureReason::None;
  if (r.success) {
    r.message.clear();
    r.evidence.reset();
  }
  r.started = step_start_ ? wallAt(*step_start_) : core::SystemClock::instance().now();
  core::StepResult s;
  s.name = step().name;
  s.cleanup = inCleanup();
  s.result = std::move(r);
  if (!s.result.success && !s.cleanup && !failed_) failed_ = steps_.size();
  steps_.push_back(std::move(s));
  step_active_ = false;
  current_.cookie_values.clear();
  ++index_;
  return advance();
}

core::Micros JourneyRunDriver::graceAfterDeadline() const {
  core::Micros grace{0};
  if (!inCleanup()) return grace;  // the main steps share the journey timeout
  for (std::size_t i = index_; i < total(); ++i) {
    grace += journeyStepAt(journey_, i).request.timeout;
  }
  // A short journey timeout must not starve cleanup on a busy host: at least 10 s are allowed.
  return std::min(grace, std::max(check_->schedule.timeout, core::Micros{std::chrono::seconds{10}}));
}

core::ProbeResult JourneyRunDriver::cut(FailureReason reason, std::string message, bool cancelled) {
  // step_result_, never evaluation_->result: a worker may be writing that one right now.
  if (step_active_ && index_ < total()) {
    core::StepResult s;
    s.name = step().name;
    s.cleanup = inCleanup();
    s.result = step_result_;
    s.result.success = false;
    s.result.assertions.clear();
    s.result.cancelled = cancelled;
    s.result.failure = cancelled ? FailureReason::None : reason;
    s.result.message = message;
    s.result.started = step_start_ ? wallAt(*step_start_) : core::SystemClock::instance().now();
    if (!s.cleanup && !failed_ && !cancelled) failed_ = steps_.size();
    steps_.push_back(std::move(s));
    step_active_ = false;
    ++index_;
  }
  while (index_ < total()) recordSkipped();
  core::ProbeResult r = journeyResult();
  if (cancelled) {
    r.cancelled = true;
    r.success = false;
    r.failure = FailureReason::None;
    r.message = std::move(message);
    r.evidence.reset();
  }
  return r;
}

core::ProbeResult JourneyRunDriver::journeyResult() {
  refreshSecrets();
  core::ProbeResult r;
  r.success = !failed_;
  const core::ProbeResult* shown = nullptr;  // the failing step, else the last step that ran
  for (const auto& s : steps_) {
    if (s.skipped) continue;
    addPhases(r.phases, s.result.phases);
    r.redirects += s.result.redirects;
    r.bytes += s.result.bytes;
    if (s.result.cert_not_after &&
        (!r.cert_not_after || *s.result.cert_not_after < *r.cert_not_after)) {
      r.cert_not_after = s.result.cert_not_after;
    }
    for (const auto& name : s.result.extracted) {
      if (std::find(r.extracted.begin(), r.extracted.end(), name) == r.extracted.end()) {
        r.extracted.push_back(name);
      }
    }
    if (!s.cleanup) shown = &s.result;
  }
  if (failed_) {
    const auto& f = steps_[*failed_];
    shown = &f.result;
    r.failed_step = f.name;
    r.failure = f.result.failure;
    r.message = "step " + f.name + ": " + f.result.message;
    r.assertions = f.result.assertions;
    r.evidence = f.result.evidence;
  }
  if (shown) {
    r.status_code = shown->status_code;
    r.http_version = shown->http_version;
    r.content_length = shown->content_length;
    r.ssl = shown->ssl;
    r.final_url = shown->final_url;
  }
  if (first_start_ && last_end_) r.duration = between(*first_start_, *last_end_);
  r.steps = steps_;
  for (auto& s : r.steps) redactResult(s.result, secrets_);
  redactResult(r, secrets_);
  return r;
}

}  // namespace shopwatch::probes::detail
