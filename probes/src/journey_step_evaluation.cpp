#include "journey_step_evaluation.h"

#include <re2/re2.h>

#include <algorithm>

#include "journey_evidence.h"
#include "journey_request.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"

namespace shopwatch::probes::detail {
namespace {

using core::FailureReason;
using Json = nlohmann::json;
using Kind = core::Extraction::Kind;

constexpr std::size_t kMaxShownValue = 120;

CompiledStep compileStep(const core::JourneyStep& step) {
  CompiledStep c;
  if (!expectationsHaveReferences(step.expect)) c.checks = compileChecks(step.expect);
  RE2::Options opts;
  opts.set_log_errors(false);
  for (const auto& x : step.extract) {
    if (x.kind == Kind::Regex) {
      c.extract_regexes.push_back(std::make_shared<const re2::RE2>(x.expression, opts));
    } else {
      c.extract_regexes.push_back(nullptr);
    }
    if (x.kind == Kind::Regex || x.kind == Kind::Json || x.kind == Kind::JsonFind ||
        x.kind == Kind::Css) {
      c.needs_body = true;
    }
    if (x.kind == Kind::Cookie) c.read_cookies = true;
  }
  const auto& e = step.expect;
  if (step.body_kind == core::BodyKind::Graphql || step.repeat_until || e.body_regex ||
      !e.json.empty()) {
    c.needs_body = true;
  }
  return c;
}

void fail(core::ProbeResult& r, FailureReason reason, std::string message) {
  if (r.failure != FailureReason::None) return;
  r.failure = reason;
  r.message = std::move(message);
}

std::string shownValue(std::string text) {
  core::truncateUtf8(text, kMaxShownValue);
  return text;
}

}  // namespace

std::shared_ptr<const CompiledJourney> compileJourney(const core::JourneyProbe& journey) {
  auto out = std::make_shared<CompiledJourney>();
  for (const auto& s : journey.steps) out->steps.push_back(compileStep(s));
  for (const auto& s : journey.cleanup) out->steps.push_back(compileStep(s));
  return out;
}

const core::JourneyStep& journeyStepAt(const core::JourneyProbe& journey, std::size_t index) {
  return index < journey.steps.size() ? journey.steps[index]
                                      : journey.cleanup[index - journey.steps.size()];
}

void StepEvaluation::run() {
  ResponseView view;
  view.status = response.status;
  view.headers = &response.headers;
  view.body = response.body;
  view.contains_at = response.contains_at;
  view.not_contains_at = response.not_contains_at;
  view.duration = result.duration;
  evaluateExpectations(expect, secrets, *checks, view, result);

  JsonBody json(response.body);
  auto ok = [this] { return result.failure == FailureReason::None; };
  if (ok() && step->body_kind == core::BodyKind::Graphql) {
    const Json* doc = json.document();
    const Json* errors =
        doc && doc->is_object() && doc->contains("errors") ? &(*doc)["errors"] : nullptr;
    if (errors && errors->is_array() && !errors->empty()) {
      const Json& first = errors->front();
      std::string message =
          first.is_object() && first.contains("message") && first["message"].is_string()
              ? first["message"].get<std::string>()
              : first.dump(-1, ' ', false, Json::error_handler_t::replace);
      message = shownValue(core::redact(message, secrets));
      result.assertions.push_back({"graphql errors", false, message});
      fail(result, FailureReason::Assertion, "graphql errors: " + message);
    } else {
      result.assertions.push_back({"graphql errors", true, "none"});
    }
  }
  if (ok() && step->repeat_until) {
    const auto& until = *step->repeat_until;
    const Json* doc = json.document();
    const Json* v = doc ? atPointer(*doc, until.json_pointer) : nullptr;
    repeat_value = v ? variableFromJson(*v).text : "(absent)";
    repeat_pending = !v || std::find(until.one_of.begin(), until.one_of.end(), repeat_value) ==
                               until.one_of.end();
    result.assertions.push_back({"repeat_until " + until.json_pointer, !repeat_pending,
                                 shownValue(core::redact(repeat_value, secrets))});
  }
  const auto& extractions = extract ? *extract : step->extract;
  if (ok() && !repeat_pending && !extractions.empty()) {
    ExtractionSource source;
    source.headers = &response.headers;
    source.body = response.body;
    source.jar = &response.cookies;
    source.json = &json;
    extraction = extractAll(extractions, compiled->extract_regexes, source);
    for (const auto& [name, value] : extraction.values) {
      result.extracted.push_back(name);
      if (value.text.size() >= Variables::kMinSecretLength) secrets.push_back(value.text);
    }
    if (extraction.missing) {
      const auto& [name, why] = *extraction.missing;
      result.assertions.push_back({"extract " + name, false, why});
      fail(result, FailureReason::Extraction, "extraction of ${" + name + "} failed: " + why);
    }
  }
  if (!ok()) {
    result.evidence = makeEvidence(response.headers, response.body_prefix, secrets);
  }
  response.body.clear();
  response.body.shrink_to_fit();
}

}  // namespace shopwatch::probes::detail
