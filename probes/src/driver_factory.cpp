#include "driver_factory.h"

#include <type_traits>
#include <variant>

#include "http_run_driver.h"
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
        } else {
          return internalError("this engine cannot run this kind of check");
        }
      },
      check->probe);
}

}  // namespace shopwatch::probes::detail
