#include "driver_factory.h"

#include <type_traits>
#include <variant>

#include "http_run_driver.h"
#include "journey_run_driver.h"
#include "journey_variables.h"
#include "url.h"

namespace shopwatch::probes::detail {
namespace {

core::Error internalError(std::string message) {
  return core::Error{core::ErrorCode::Internal, std::move(message)};
}

}  // namespace

std::shared_ptr<const CompiledChecks> DriverFactory::compiled(
    const std::shared_ptr<const core::Check>& check, const core::Expectations& expect) {
  auto it = cache_.find(check.get());
  if (it != cache_.end() && it->second.check.lock() == check) return it->second.compiled;
  if (cache_.size() > 2 * cache_pruned_size_ + 64) {
    std::erase_if(cache_, [](const auto& kv) { return kv.second.check.expired(); });
    cache_pruned_size_ = cache_.size();
  }
  auto out = compileChecks(expect);
  cache_[check.get()] = CacheEntry{check, out};
  return out;
}

std::shared_ptr<const CompiledJourney> DriverFactory::compiledJourney(
    const std::shared_ptr<const core::Check>& check, const core::JourneyProbe& journey) {
  auto it = journeys_.find(check.get());
  if (it != journeys_.end() && it->second.check.lock() == check) return it->second.compiled;
  if (journeys_.size() > 2 * journeys_pruned_size_ + 64) {
    std::erase_if(journeys_, [](const auto& kv) { return kv.second.check.expired(); });
    journeys_pruned_size_ = journeys_.size();
  }
  auto out = compileJourney(journey);
  journeys_[check.get()] = JourneyEntry{check, out};
  return out;
}

core::Result<std::unique_ptr<RunDriver>> DriverFactory::create(
    const std::shared_ptr<const core::Check>& check) {
  if (!check) return internalError("no check given");
  return std::visit(
      [&](const auto& probe) -> core::Result<std::unique_ptr<RunDriver>> {
        using Kind = std::decay_t<decltype(probe)>;
        if constexpr (std::is_same_v<Kind, core::HttpProbe>) {
          const std::string& url = probe.request.url;
          auto parts = parseUrl(url);
          if (!parts) return internalError("invalid URL \"" + url + "\"");
          std::unique_ptr<RunDriver> driver =
              std::make_unique<HttpRunDriver>(check, compiled(check, probe.expect),
                                              hostPort(*parts), parts->host, originOf(*parts));
          return driver;
        } else if constexpr (std::is_same_v<Kind, core::JourneyProbe>) {
          if (probe.steps.empty()) return internalError("a journey without steps");
          // The per-host limit of a journey is its first step's host. Built-ins may stand in
          // the URL; for a run-time variable the part before it must name the host.
          const std::string& raw = probe.steps.front().request.url;
          auto url = substitute(raw, Variables{});
          auto parts = parseUrl(url ? *url : raw.substr(0, raw.find("${")));
          if (!parts) return internalError("invalid URL of the first step \"" + raw + "\"");
          std::unique_ptr<RunDriver> driver = std::make_unique<JourneyRunDriver>(
              check, compiledJourney(check, probe), hostPort(*parts), originOf(*parts));
          return driver;
        } else {
          return internalError("this engine cannot run this kind of check");
        }
      },
      check->probe);
}

}  // namespace shopwatch::probes::detail
