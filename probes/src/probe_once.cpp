#include <future>
#include <memory>
#include <utility>

#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::probes {

core::ProbeResult probeOnce(const core::Check& check, EngineOptions options) {
  std::promise<core::ProbeResult> promise;
  auto future = promise.get_future();
  HttpProbeEngine engine(std::move(options));
  engine.submit(std::make_shared<const core::Check>(check),
                [&promise](core::ProbeResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace shopwatch::probes
