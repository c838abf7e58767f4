#include "shopwatch/agent/config/config_loader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "backlog_draft.h"
#include "insights_keys.h"
#include "load_state.h"
#include "sla_keys.h"
#include "web_keys.h"
#include "shopwatch/core/redact.h"

namespace shopwatch::agent {
namespace {

using detail::LoadState;

LoadResult finish(LoadState& state) {
  LoadResult result;
  result.errors = state.ctx.takeErrors();
  // Messages quote offending values, which may hold an expanded secret (a URL with a token).
  result.warnings = state.ctx.takeWarnings();
  for (auto& error : result.errors)
    error.message = core::redact(error.message, state.ctx.secrets());
  for (auto& warning : result.warnings)
    warning.message = core::redact(warning.message, state.ctx.secrets());
  if (result.errors.empty()) {
    state.config.secrets = state.ctx.secrets();
    result.config = std::move(state.config);
  }
  return result;
}

LoadResult parse(const std::string& yaml, LoadState& state) {
  detail::ParseContext& ctx = state.ctx;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    ctx.reportAtMark(e.mark, "", "YAML syntax error: " + e.msg);
    return finish(state);
  }
  auto top = detail::topKeyTable().entries(ctx, root, "", true);
  if (!top) return finish(state);
  detail::topKeyTable().apply(ctx, *top, state);
  // Targets, maintenance shops and depends_on name checks: every shop must be loaded first.
  detail::finalizeRules(state);
  // notify: names sinks of `backlog:`, which may come after `rules:`.
  detail::finalizeBacklog(state);
  detail::finalizeWeb(state, root);
  // SLA shops and checks: every shop must be loaded first.
  detail::finalizeSla(state);
  // insights.backlog names a `backlog:` sink, its weights checks and steps: both may come later.
  detail::finalizeInsights(state);
  if (!state.has_agent && state.options.require_client) {
    ctx.reportAtMark(YAML::Mark(), "agent.client",
                     "missing required key `client` (the client this agent monitors, e.g. "
                     "`agent: {client: acme}`)");
  }
  AgentSettings& agent = state.config.agent;
  if (agent.database.empty()) {
    agent.database = agent.client.empty() ? "shopwatch.db" : "shopwatch-" + agent.client + ".db";
  }
  return finish(state);
}

LoadResult singleError(const std::string& file, std::string message) {
  LoadResult result;
  result.errors.push_back(ConfigError{file, 0, 0, "", std::move(message)});
  return result;
}

LoadResult load(const std::string& yaml, const std::string& name, const LoadOptions& options,
                std::filesystem::path base_dir) {
  try {
    LoadState state(name, options, std::move(base_dir));
    return parse(yaml, state);
  } catch (const std::exception& e) {
    // yaml-cpp throws on misuse we did not foresee; a config problem must never crash the agent.
    return singleError(name, std::string("internal error while reading the config: ") + e.what());
  }
}

}  // namespace

LoadResult loadConfigString(const std::string& yaml, const std::string& name,
                            const LoadOptions& options) {
  std::error_code ec;
  return load(yaml, name, options, std::filesystem::current_path(ec));
}

LoadResult loadConfigFile(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return singleError(path, "cannot read config file: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return singleError(path, std::string("cannot read config file: ") + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return singleError(path, "cannot read config file: read error");
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return load(content.str(), path, options, absolute.parent_path());
}

}  // namespace shopwatch::agent
