#pragma once
// The [B1] journey benchmark: journeys beside plain checks in one process (see mixed_bench.cpp).

#include <cstddef>
#include <string>

namespace shopwatch::bench {

struct MixedOptions {
  std::string plain_base;    ///< http://127.0.0.1:PORT serving /p/<n> (small page with "ok")
  std::string journey_base;  ///< another port serving /j/<n>/<step> (small page with a _csrf input)
  std::string big_url;       ///< a ~5 MiB HTML page with <input name="_csrf"> near its end
  std::size_t journeys = 100;
  std::size_t steps = 8;
  std::size_t checks = 1000;
  int concurrency = 32;        ///< per-host limit of the plain checks
  double stall_seconds = 5;    ///< length of each stall sub-phase
  double plain_every_ms = 10;  ///< pacing of the plain checks in the stall phase
  std::size_t big_in_flight = 2;
  int evaluation_threads = 2;  ///< EngineOptions::evaluation_threads of the stall phase's engine
};

/// Runs the phases and prints one summary block; returns 0 when every run succeeded.
int runMixedBench(const MixedOptions& options);

}  // namespace shopwatch::bench
