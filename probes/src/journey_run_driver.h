#pragma once
// The driver of a journey ([B1]): its steps in order in one RunSession (a shared cookie jar and
// kept-alive connections), each a full request with its own redirect chain and timeout, bounded
// by the journey's; variables extracted by one step and substituted into later ones; cleanup
// steps after the steps, also after a failure.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "journey_request.h"
#include "journey_step_evaluation.h"
#include "journey_variables.h"
#include "redirect_policy.h"
#include "run_driver.h"
#include "shopwatch/core/check.h"

namespace shopwatch::probes::detail {

class JourneyRunDriver final : public RunDriver {
 public:
  /// `check` must hold a JourneyProbe with at least one step. `base_origin` is the first step's
  /// origin (relative step URLs resolve against it); `host_key` its host:port.
  JourneyRunDriver(std::shared_ptr<const core::Check> check,
                   std::shared_ptr<const CompiledJourney> compiled, std::string host_key,
                   std::string base_origin);

  const std::string& hostKey() const override { return host_key_; }
  RunSession::Sharing sharing() const override { return {true, true}; }
  Decision start() override;
  Decision onTransferDone(TransferOutcome outcome) override;
  Decision afterEvaluation() override;
  Decision afterWait() override;
  core::ProbeResult cut(core::FailureReason reason, std::string message, bool cancelled) override;
  /// Once the journey has reached its cleanup: the cleanup steps not yet run, each within its own
  /// timeout, at most max(journey timeout, 10 s) in all — cleanup runs after a journey timeout, or
  /// with too little time left, too (the run may take that much longer). Zero before the cleanup
  /// and once none is left.
  core::Micros graceAfterDeadline() const override;

 private:
  const core::JourneyStep& step() const { return journeyStepAt(journey_, index_); }
  bool inCleanup() const { return index_ >= journey_.steps.size(); }
  std::size_t total() const { return journey_.steps.size() + journey_.cleanup.size(); }

  Decision advance();
  Decision beginAttempt();
  NextTransfer plan() const;
  Decision stepFailed(core::FailureReason reason, std::string message,
                      std::optional<core::Evidence> evidence);
  Decision finishStep();
  void recordSkipped();
  void refreshSecrets();
  core::ProbeResult journeyResult();

  std::shared_ptr<const core::Check> check_;
  const core::JourneyProbe& journey_;
  std::shared_ptr<const CompiledJourney> compiled_;
  std::string host_key_;
  std::string base_origin_;

  Variables vars_;
  std::vector<std::string> secrets_;  // the check's, the run's values, the step's cookies
  std::vector<core::StepResult> steps_;
  std::optional<std::size_t> failed_;  // index into steps_ of the failing (non-cleanup) step
  std::optional<core::SteadyTime> first_start_;
  std::optional<core::SteadyTime> last_end_;

  // The step being run (index_ over steps, then cleanup).
  std::size_t index_ = 0;
  bool step_active_ = false;
  int attempt_ = 1;
  PreparedStep current_;
  std::shared_ptr<const CompiledChecks> current_checks_;
  NextHop hop_;
  bool first_hop_ = true;
  int hop_redirects_ = 0;
  std::string origin_;
  std::string configured_host_;
  core::ProbeResult step_result_;
  std::optional<core::SteadyTime> step_start_;
  std::optional<core::SteadyTime> attempt_start_;
  std::shared_ptr<StepEvaluation> evaluation_;
};

}  // namespace shopwatch::probes::detail
