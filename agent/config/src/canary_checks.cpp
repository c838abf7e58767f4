// `agent.canary: [URL, ...]` — the monitoring host's own connectivity checks, built as ordinary
// HTTP checks through the check finalize path, so their request defaults are a normal check's.
#include "check_appliers.h"
#include "check_finalize.h"
#include "load_state.h"

namespace shopwatch::agent::detail {
namespace {

// The fixed schedule of every canary (README, "Configuration reference").
constexpr core::Micros kCanaryInterval = std::chrono::seconds{30};

}  // namespace

void applyCanaries(ParseContext& ctx, const MapEntry& entry, LoadState& state) {
  if (entry.value.IsNull()) return;
  if (!entry.value.IsSequence()) {
    ctx.report(entry.value, entry.path,
               "expected a list of http(s) URLs (`[https://www.google.com/generate_204]`)");
    return;
  }
  for (std::size_t i = 0; i < entry.value.size(); ++i) {
    const YAML::Node item = entry.value[i];
    const std::string path = ParseContext::index(entry.path, i);
    // Values under `agent:` are not expanded: a canary is a public URL, never a secret.
    auto url = ctx.scalar(item, path, "an http(s) URL");
    if (!url) continue;
    std::string problem;
    if (!validHttpUrl(*url, problem)) {
      ctx.report(item, path, problem);
      continue;
    }
    const std::size_t errors_before = ctx.errorCount();
    CheckDraft draft;
    draft.check.key = core::CheckKey{"shopwatch", "agent", "canary-" + std::to_string(i + 1)};
    draft.check.schedule.interval = kCanaryInterval;
    draft.check.schedule.confirm = true;
    draft.request().url = *url;
    draft.request().method = "GET";
    finalizeCheck(ctx, item, path, draft);
    if (ctx.errorCount() != errors_before) continue;
    state.config.agent.canary.push_back(*url);
    state.config.canaries.push_back(std::make_shared<const core::Check>(std::move(draft.check)));
  }
}

}  // namespace shopwatch::agent::detail
