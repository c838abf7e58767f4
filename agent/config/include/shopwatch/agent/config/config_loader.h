#pragma once
/// Loading and validating the YAML config file. Never throws: every problem comes back as a
/// ConfigError with file, line, column and key path, and all problems are collected, not just the
/// first.
///
/// Secrets: any string value of a shop or check may contain `${env:NAME}` or `${file:PATH}` (file
/// content, trailing newline stripped; a relative PATH is taken relative to the config file's
/// directory). They are expanded at load time and every expanded value is recorded in the check's
/// `secrets` and in AgentConfig::secrets. `auth.basic.password` and `auth.bearer` must be exactly
/// one such reference. Other `${...}` text is left untouched (in a journey step it must be a
/// variable an earlier step extracts, or a built-in: see core/journey.h and the README's
/// "Journeys"). Values under `agent:` are not expanded, except `agent.api_token`, which must be
/// exactly one such reference (a literal token is an error) and is recorded in AgentConfig::secrets.
///
/// `rules:`, `slos:` and `maintenance:` are validated against the whole file: a target must match a
/// loaded check or journey step, a maintenance shop must exist, `depends_on:` must name an existing
/// check without forming a cycle.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "shopwatch/agent/config/agent_config.h"
#include "shopwatch/agent/config/config_error.h"

namespace shopwatch::agent {

struct LoadOptions {
  /// `agent.client` must be present (every command except `demo`).
  bool require_client = true;
  /// Environment lookup for `${env:NAME}`; when empty, ::getenv is used. Tests inject their own.
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

struct LoadResult {
  std::optional<AgentConfig> config;  ///< set exactly when `errors` is empty
  std::vector<ConfigError> errors;    ///< sorted by position in the file
  /// Problems that do not make the config invalid (a journey step that looks like it places an
  /// order without `places_order: true`, a rule window that holds at most one run, a `depends_on`
  /// whose parent no availability rule watches), sorted by position; set whether or not `errors` is
  /// empty. Show them with ConfigError::formatWarning() (check-config, agent start).
  std::vector<ConfigError> warnings;

  bool ok() const { return config.has_value(); }
};

/// Reads and validates the file at `path`. A missing or unreadable file gives one error naming it.
LoadResult loadConfigFile(const std::string& path, const LoadOptions& options = {});

/// Validates `yaml`; `name` stands for the file name in errors and AgentConfig::source.
LoadResult loadConfigString(const std::string& yaml, const std::string& name,
                            const LoadOptions& options = {});

}  // namespace shopwatch::agent
