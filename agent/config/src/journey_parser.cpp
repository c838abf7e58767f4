#include "journey_parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <utility>

#include "check_finalize.h"
#include "journey_keys.h"
#include "json_value.h"
#include "journey_variables.h"
#include "load_state.h"
#include "order_placement.h"

namespace shopwatch::agent::detail {
namespace {

/// A step as read, with the places its later checks report at.
struct ReadStep {
  core::JourneyStep step;
  YAML::Node node;
  std::string path;
  YAML::Node skip_var;  ///< `skip_if.var`, when given
};

struct JourneyReader {
  ParseContext& ctx;
  const ShopConfig& shop;
  CheckDraft& journey;
  std::map<std::string, std::string> step_positions;  ///< step name → "LINE:COL"
  std::size_t steps_read = 0;                          ///< steps, then cleanup steps
};

core::BodyKind bodyKindOf(std::string_view key) {
  if (key == "form") return core::BodyKind::Form;
  if (key == "json") return core::BodyKind::Json;
  if (key == "graphql") return core::BodyKind::Graphql;
  return core::BodyKind::Raw;
}

std::string_view urlPath(std::string_view url) {
  const std::size_t scheme = url.find("://");
  const std::size_t slash = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  return slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
}

// The body, method and timeout rules of one step, once all its keys are applied.
void finalizeStep(JourneyReader& r, const YAML::Node& node, const std::string& path, StepDraft& d) {
  ParseContext& ctx = r.ctx;
  core::JourneyStep& step = d.step;
  const KeyOrigin* first_body = nullptr;
  std::string first_key;
  for (std::string_view key : kBodyKeys) {
    const KeyOrigin* origin = d.origin(key);
    if (!origin || origin->source != ValueSource::Set) continue;
    if (!first_body) {
      first_body = origin;
      first_key = std::string(key);
      step.body_kind = bodyKindOf(key);
    } else {
      ctx.report(origin->node, origin->path,
                 "a step has at most one body: `" + first_key + "` and `" + std::string(key) +
                     "` are both given");
    }
  }
  const KeyOrigin* method = d.origin("method");
  if (step.body_kind != core::BodyKind::None && (!method || method->source != ValueSource::Set)) {
    d.request().method = "POST";
  }
  const core::Micros journey_timeout = r.journey.check.schedule.timeout;
  if (const KeyOrigin* timeout = d.origin("timeout")) {
    if (d.request().timeout > journey_timeout) {
      ctx.report(timeout->node, timeout->path,
                 "timeout " + core::formatDuration(d.request().timeout) + " of step `" + step.name +
                     "` exceeds journey_timeout " + core::formatDuration(journey_timeout) +
                     " (which bounds the whole run)");
    }
  } else {
    d.request().timeout = journey_timeout;
  }
  const core::TlsOptions& tls = d.request().tls;
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    ctx.report(node, ParseContext::child(path, "tls.cert_file"),
               "tls.key_file needs tls.cert_file");
  }
}

void warnOrderPlacement(ParseContext& ctx, const ReadStep& read, bool cleanup) {
  const core::JourneyStep& step = read.step;
  if (step.places_order) return;
  struct Candidate {
    const char* key;
    std::string_view text;
  };
  // A GET (or HEAD) reads: only a request that sends something places an order by its URL.
  const bool reads = step.request.method == "GET" || step.request.method == "HEAD";
  const Candidate candidates[] = {{"url", reads ? std::string_view{} : urlPath(step.request.url)},
                                  {"graphql", step.graphql_query},
                                  {"json", step.json},
                                  {"body", step.request.body}};
  for (const auto& candidate : candidates) {
    auto marker = orderPlacementMarker(candidate.text);
    if (!marker) continue;
    const YAML::Node at = read.node[candidate.key];
    ctx.warn(at, ParseContext::child(read.path, candidate.key),
             std::string(cleanup ? "cleanup step `" : "step `") + step.name +
                 "` looks like it places an order (`" + std::string(*marker) +
                 "`): every run would place a real order; add `places_order: true` to the step "
                 "if that is intended");
    return;
  }
}

ReadStep readStep(JourneyReader& r, const YAML::Node& node, const std::string& path) {
  ParseContext& ctx = r.ctx;
  ReadStep out{{}, node, path, {}};
  auto entries = stepKeyTable().entries(ctx, node, path);
  if (!entries) return out;
  StepDraft d;
  d.check.key = r.journey.check.key;
  d.check.secrets = r.journey.check.secrets;
  // The shop's defaults reach a step through the journey's request; a default body does not.
  core::HttpRequest request = r.journey.request();
  request.body.clear();
  d.check.probe = core::HttpProbe{std::move(request), {}};
  for (const auto& [key, origin] : r.journey.origins) {
    if (origin.source == ValueSource::FromDefaults && defaultAppliesToSteps(key))
      d.origins.emplace(key, origin);
  }
  const MapEntry* name = nullptr;
  const MapEntry* url = nullptr;
  for (const auto& e : *entries) {
    if (e.key == "name") name = &e;
    if (e.key == "url") url = &e;
    // A const lookup: a missing key must stay an undefined node, not become an invalid one.
    if (e.key == "skip_if" && e.value.IsMap()) {
      const YAML::Node var = std::as_const(e.value)["var"];
      if (var.IsDefined() && var.IsScalar()) out.skip_var = var;
    }
  }
  if (!name) {
    ctx.report(node, ParseContext::child(path, "name"), "missing required key `name`");
  } else if (auto v = ctx.name(name->value, name->path)) {
    d.step.name = *v;
    auto [it, inserted] = r.step_positions.emplace(*v, position(name->value));
    if (!inserted) {
      ctx.report(name->value, name->path,
                 "duplicate step name `" + *v + "` in journey `" + r.journey.check.key.check +
                     "` (first defined at " + it->second + "; cleanup steps included)");
    }
  }
  applyTracked(ctx, stepKeyTable(), *entries, d);
  if (!url) {
    ctx.report(node, ParseContext::child(path, "url"),
               "missing required key `url` (a path relative to base_url, or an absolute URL)");
  } else if (auto v = ctx.string(url->value, url->path, &d.secrets())) {
    if (!v->starts_with("${")) {
      resolveUrl(ctx, *v, *url, r.shop, d);
    } else if (r.steps_read == 0) {
      ctx.report(url->value, url->path,
                 "the first step's url cannot start with a variable: it names the host whose "
                 "per-host limit the journey counts against");
    } else {
      // A URL that is a variable (a captured `Location`): a path is taken relative to the
      // journey's origin, anything else must be an absolute http(s) URL when the step runs.
      d.request().url = *v;
      d.origins["url"] = KeyOrigin{url->value, url->path, ValueSource::Set};
    }
  }
  ++r.steps_read;
  finalizeStep(r, node, path, d);
  out.step = std::move(d.step);
  out.step.request = std::move(d.request());
  out.step.expect = std::move(d.expect());
  for (auto& secret : d.check.secrets) {
    auto& secrets = r.journey.check.secrets;
    if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end())
      secrets.push_back(secret);
  }
  return out;
}

std::vector<ReadStep> readSteps(JourneyReader& r, const MapEntry& list, bool required) {
  std::vector<ReadStep> out;
  if (list.value.IsNull() && !required) return out;
  if (!list.value.IsSequence() || list.value.size() == 0) {
    r.ctx.report(list.value, list.path, "expected a non-empty list of steps (`- name: ...`)");
    return out;
  }
  for (std::size_t i = 0; i < list.value.size(); ++i) {
    out.push_back(readStep(r, list.value[i], ParseContext::index(list.path, i)));
  }
  return out;
}

// Every string of the step but its name and its extraction patterns may use variables.
void checkVariables(ParseContext& ctx, const ReadStep& read, const VariableScope& scope) {
  if (!read.node.IsMap()) return;
  for (const auto& pair : read.node) {
    const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    if (key == "name" || key == "extract") continue;
    checkReferences(ctx, pair.second, ParseContext::child(read.path, key), scope);
  }
  if (read.step.skip_if && !scope.defined.contains(read.step.skip_if->variable)) {
    ctx.report(
        read.skip_var, ParseContext::child(read.path, "skip_if.var"),
        "undefined variable `" + read.step.skip_if->variable + "`: no earlier step extracts it");
  }
}

void checkJourneyTopLevel(ParseContext& ctx, const std::vector<MapEntry>& entries) {
  for (const auto& e : entries) {
    if (e.key == "url") {
      ctx.report(e.key_node, e.path,
                 "a journey (a check with `steps:`) has no check-level `url`: each step has its "
                 "own");
    } else if (e.key == "timeout") {
      ctx.report(e.key_node, e.path,
                 "a journey's run limit is `journey_timeout`; a step's own limit is its "
                 "`timeout`");
    } else if (isStepRequestKey(e.key)) {
      ctx.report(e.key_node, e.path,
                 "`" + e.key +
                     "` belongs in a step of a journey (the shop's `defaults:` still apply to "
                     "every step)");
    }
  }
}

/// Whether a plain YAML scalar is a number or a boolean (YAML 1.2 core schema, as json_value.cpp
/// reads `json:` bodies): such a var keeps its JSON type in an exact "${name}" substitution.
bool typedScalar(const YAML::Node& node) {
  if (node.Tag() != "?") return false;  // quoted or explicitly tagged: a string
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
    return true;
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '+'))
    return false;
  char* end = nullptr;
  (void)std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() + s.size()) return true;
  const double real = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(real);
}

/// `vars:` — read in order; each value may use built-ins and the vars before it.
std::vector<core::JourneyVar> readVars(ParseContext& ctx, const MapEntry& e, CheckDraft& draft,
                                       VariableScope& scope) {
  std::vector<core::JourneyVar> out;
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path, "expected a map of variable name to value");
    return out;
  }
  for (const auto& pair : e.value) {
    const std::string name = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, name);
    if (!validVariableName(name)) {
      ctx.report(pair.first, path,
                 "invalid variable name `" + name + "`: lowercase letters, digits and _");
      continue;
    }
    if (builtinVariable(name)) {
      ctx.report(pair.first, path, "`" + name + "` is a built-in and cannot be set in `vars`");
      continue;
    }
    if (scope.defined.contains(name)) {
      ctx.report(pair.first, path, "duplicate variable `" + name + "` in `vars`");
      continue;
    }
    if (!pair.second.IsScalar()) {
      ctx.report(pair.second, path, "expected a text, number or boolean value");
      continue;
    }
    checkReferences(ctx, pair.second, path, scope);
    auto value = ctx.string(pair.second, path, &draft.secrets());
    if (!value) continue;
    const bool typed = typedScalar(pair.second);
    if (typed) {
      // The JSON literal as JSON spells it (`True` → true, `+1` → 1), for text and JSON alike.
      if (auto json = yamlToJson<nlohmann::json>(ctx, pair.second, path)) *value = json->dump();
    }
    out.push_back(core::JourneyVar{name, std::move(*value), typed});
    scope.defined.insert(name);
  }
  return out;
}

}  // namespace

void parseJourney(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                  const ShopConfig& shop, const std::vector<MapEntry>& entries, CheckDraft& draft) {
  checkJourneyTopLevel(ctx, entries);
  const MapEntry* steps = nullptr;
  const MapEntry* cleanup = nullptr;
  const MapEntry* vars = nullptr;
  for (const auto& e : entries) {
    if (e.key == "steps") steps = &e;
    if (e.key == "cleanup") cleanup = &e;
    if (e.key == "vars") vars = &e;
  }
  if (!steps) {
    ctx.report(node, ParseContext::child(path, "steps"),
               "`cleanup` needs `steps`: a journey's steps come first");
  }
  finalizeCheck(ctx, node, path, draft, true);
  const core::Schedule& schedule = draft.check.schedule;
  if (schedule.interval >= std::chrono::seconds{1} && schedule.interval < kMinJourneyInterval) {
    const KeyOrigin* interval = draft.origin("interval");
    ctx.report(
        interval ? interval->node : node,
        interval ? interval->path : ParseContext::child(path, "interval"),
        "a journey's interval must be at least " + core::formatDuration(kMinJourneyInterval) +
            ", got " + core::formatDuration(schedule.interval) + " for check `" +
            draft.check.key.check + "`: each run drives a real cart and checkout of the shop");
  }
  JourneyReader reader{ctx, shop, draft, {}};
  std::vector<ReadStep> main_steps;
  std::vector<ReadStep> cleanup_steps;
  if (steps) main_steps = readSteps(reader, *steps, true);
  if (cleanup) cleanup_steps = readSteps(reader, *cleanup, false);

  VariableScope scope;
  std::vector<core::JourneyVar> journey_vars;
  if (vars) journey_vars = readVars(ctx, *vars, draft, scope);
  for (const auto* list : {&main_steps, &cleanup_steps}) {
    for (const auto& read : *list) {
      for (const auto& x : read.step.extract)
        scope.extracted_by.emplace(x.variable, read.step.name);
    }
  }
  // A step sees what earlier steps extract; cleanup runs after every step, so it sees them all.
  for (const auto* list : {&main_steps, &cleanup_steps}) {
    for (const auto& read : *list) {
      checkVariables(ctx, read, scope);
      for (const auto& x : read.step.extract) scope.defined.insert(x.variable);
      warnOrderPlacement(ctx, read, list == &cleanup_steps);
    }
  }

  core::JourneyProbe journey;
  journey.vars = std::move(journey_vars);
  for (auto& read : main_steps) journey.steps.push_back(std::move(read.step));
  for (auto& read : cleanup_steps) journey.cleanup.push_back(std::move(read.step));
  draft.check.probe = std::move(journey);
}

}  // namespace shopwatch::agent::detail
