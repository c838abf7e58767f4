#include "recipe_runner.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::test {

std::string recipePath(const std::string& file) {
  return std::string(SHOPWATCH_SOURCE_DIR) + "/examples/journeys/" + file;
}

std::string recipeText(const std::string& file) {
  std::ifstream in(recipePath(file), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + recipePath(file));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

void replaceAll(std::string& text, const std::string& what, const std::string& with) {
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

}  // namespace

RecipeRun runRecipe(const std::string& file, const std::string& default_origin,
                    const std::string& base_url,
                    const std::vector<std::pair<std::string, std::string>>& replacements) {
  std::string yaml = recipeText(file);
  if (yaml.find(default_origin) == std::string::npos) {
    throw std::runtime_error(file + " does not mention its default origin " + default_origin);
  }
  replaceAll(yaml, default_origin, base_url);
  for (const auto& [what, with] : replacements) {
    if (yaml.find(what) == std::string::npos) {
      throw std::runtime_error(file + " has no text \"" + what + "\" to replace");
    }
    replaceAll(yaml, what, with);
  }
  RecipeRun run;
  auto loaded = agent::loadConfigString(yaml, recipePath(file));
  for (const auto& w : loaded.warnings) run.warnings.push_back(w.formatWarning());
  for (const auto& e : loaded.errors) run.errors.push_back(e.format());
  if (!loaded.ok()) return run;
  for (const auto& c : loaded.config->checks) {
    if (c->key.shop == "demo" && c->key.check == "checkout") {
      run.result = probes::probeOnce(*c);
      return run;
    }
  }
  run.errors.push_back(file + ": no check demo/checkout");
  return run;
}

const core::StepResult* findStep(const core::ProbeResult& journey, const std::string& name) {
  for (const auto& s : journey.steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string describeRun(const core::ProbeResult& journey) {
  std::string out = std::string(journey.success ? "journey passed" : "journey FAILED") +
                    (journey.failed_step.empty() ? "" : " at " + journey.failed_step) + ": " +
                    journey.message + "\n";
  for (const auto& s : journey.steps) {
    out += "  " + s.name + (s.cleanup ? " (cleanup)" : "") + ": ";
    if (s.skipped) {
      out += "skipped";
    } else if (s.result.success) {
      out += "passed, status " + std::to_string(s.result.status_code);
    } else {
      out += "FAILED (" + std::string(core::toString(s.result.failure)) + ", status " +
             std::to_string(s.result.status_code) + ": " + s.result.message + ")";
    }
    out += "\n";
  }
  return out;
}

namespace {

std::string withRun(const std::string& problems, const core::ProbeResult& journey) {
  return problems.empty() ? problems : problems + describeRun(journey);
}

}  // namespace

std::string configProblems(const RecipeRun& run) {
  std::string out;
  for (const auto& e : run.errors) out += "error: " + e + "\n";
  for (const auto& w : run.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string failedAtProblems(const core::ProbeResult& journey, const std::string& step,
                             core::FailureReason reason, const std::vector<std::string>& steps,
                             const std::vector<std::string>& cleanup_steps) {
  std::string out;
  if (journey.success) out += "the journey passed\n";
  if (journey.failed_step != step) out += "failed step is '" + journey.failed_step + "', not '" + step + "'\n";
  const auto* failed = findStep(journey, step);
  if (failed == nullptr) {
    out += "no step '" + step + "'\n";
  } else if (failed->result.failure != reason) {
    out += "'" + step + "' failed for " + std::string(core::toString(failed->result.failure)) +
           ", not " + std::string(core::toString(reason)) + "\n";
  }
  for (const auto& name : steps) {
    if (findStep(journey, name) == nullptr) out += "no step '" + name + "'\n";
  }
  for (const auto& name : cleanup_steps) {
    const auto* s = findStep(journey, name);
    if (s == nullptr) out += "no cleanup step '" + name + "'\n";
    else if (!s->cleanup) out += "'" + name + "' is no cleanup step\n";
  }
  bool after = false;
  for (const auto& s : journey.steps) {
    if (s.cleanup && s.skipped) out += "cleanup step '" + s.name + "' was skipped\n";
    else if (!s.cleanup && after && !s.skipped) out += "'" + s.name + "' after '" + step + "' was not skipped\n";
    if (s.name == step) after = true;
  }
  return withRun(out, journey);
}

std::string stepsRanProblems(const core::ProbeResult& journey, const std::vector<std::string>& names,
                             bool must_pass) {
  std::string out;
  for (const auto& name : names) {
    const auto* s = findStep(journey, name);
    if (s == nullptr) out += "no step '" + name + "'\n";
    else if (s->skipped) out += "'" + name + "' was skipped\n";
    else if (must_pass && !s->result.success) out += "'" + name + "' failed\n";
  }
  return withRun(out, journey);
}

}  // namespace shopwatch::test
