#pragma once
// The driver of a plain HTTP check: one request and its redirect chain, then the expectations.

#include <memory>
#include <string>

#include "assertions.h"
#include "redirect_policy.h"
#include "run_driver.h"
#include "shopwatch/core/check.h"

namespace shopwatch::probes::detail {

class HttpRunDriver final : public RunDriver {
 public:
  /// `check` must hold an HttpProbe whose URL parses (see makeRunDriver).
  HttpRunDriver(std::shared_ptr<const core::Check> check,
                std::shared_ptr<const CompiledChecks> compiled, std::string host_key,
                std::string configured_host, std::string origin);

  const std::string& hostKey() const override { return host_key_; }
  RunSession::Sharing sharing() const override { return {}; }
  Decision start() override;
  Decision onTransferDone(TransferOutcome outcome) override;
  Decision afterEvaluation() override;
  core::ProbeResult cut(core::FailureReason reason, std::string message, bool cancelled) override;

 private:
  // What the worker evaluates: owned by the job, so a cancelled run may go away meanwhile.
  struct Evaluation {
    std::shared_ptr<const core::Check> check;
    std::shared_ptr<const CompiledChecks> compiled;
    TransferOutcome response;
    core::ProbeResult result;
    void run();
  };

  NextTransfer plan() const;
  Finish fail(core::FailureReason reason, std::string message);
  Decision evaluateInline();

  std::shared_ptr<const core::Check> check_;
  const core::HttpProbe& probe_;
  std::shared_ptr<const CompiledChecks> compiled_;
  std::string host_key_;
  std::string configured_host_;
  std::string origin_;
  NextHop hop_;
  core::ProbeResult result_;
  std::optional<core::SteadyTime> first_start_;
  std::shared_ptr<Evaluation> evaluation_;
};

}  // namespace shopwatch::probes::detail
