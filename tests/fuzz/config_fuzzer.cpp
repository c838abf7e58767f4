// libFuzzer target: arbitrary bytes as config YAML. The loader must never crash, leak, hang or hit UB,
// and must answer with either a config or a list of errors that each say something.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/config/config_loader.h"

namespace {

constexpr std::string_view kFileReference = "${file:";

// A `${file:...}` reference would make the loader read whatever path the fuzzer invents. YAML escapes
// ("\x24{file:..") can spell one without the raw bytes, so every scalar is checked as yaml-cpp decodes it
// (the loader parses with the same YAML::Load).
// Aliases make the node graph a DAG or even a cycle (`&a [*a]`): containers already seen are skipped.
bool containsScalar(const YAML::Node& node, std::string_view needle, std::vector<YAML::Node>& seen) {
  if (node.IsScalar()) return node.Scalar().find(needle) != std::string::npos;
  if (!node.IsSequence() && !node.IsMap()) return false;
  for (const auto& old : seen) {
    if (old.is(node)) return false;
  }
  seen.push_back(node);
  for (const auto& child : node) {
    if (node.IsSequence() ? containsScalar(child, needle, seen)
                          : containsScalar(child.first, needle, seen) || containsScalar(child.second, needle, seen)) {
      return true;
    }
  }
  return false;
}

bool mayReadFiles(const std::string& text) {
  if (text.find(kFileReference) != std::string::npos) return true;
  try {
    std::vector<YAML::Node> seen;
    return containsScalar(YAML::Load(text), kFileReference, seen);
  } catch (const std::exception&) {
    return false;  // the loader's own YAML::Load fails the same way, before any expansion
  }
}

[[noreturn]] void fail(const char* what, const shopwatch::agent::LoadResult& result) {
  std::fprintf(stderr, "config_fuzzer: %s\n", what);
  for (const auto& e : result.errors) std::fprintf(stderr, "  %s\n", e.format().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (mayReadFiles(text)) return 0;

  shopwatch::agent::LoadOptions options;
  options.require_client = false;
  options.getenv = [](const std::string&) -> std::optional<std::string> { return "fuzz-value"; };
  const auto result = shopwatch::agent::loadConfigString(text, "<fuzz>", options);

  // CONFIG_FUZZER_PRINT=1 shows what the loader said (to check that the seeds test what they mean to).
  static const bool kPrint = std::getenv("CONFIG_FUZZER_PRINT") != nullptr;
  if (kPrint) {
    std::fprintf(stderr, "config_fuzzer: %s, %zu error(s)\n", result.ok() ? "config" : "no config",
                 result.errors.size());
    for (const auto& e : result.errors) std::fprintf(stderr, "  %s\n", e.format().c_str());
  }

  if (result.config.has_value() == !result.errors.empty()) fail("config and errors disagree", result);
  for (const auto& e : result.errors) {
    if (e.message.empty()) fail("an error without a message", result);
    // The loader turns unforeseen exceptions into this error: a bug of ours, not of the input.
    // CONFIG_FUZZER_ALLOW_INTERNAL_ERROR waives it while such a bug is known and not fixed yet.
    static const bool kAllowInternal = std::getenv("CONFIG_FUZZER_ALLOW_INTERNAL_ERROR") != nullptr;
    if (!kAllowInternal && e.message.starts_with("internal error")) fail("internal error", result);
  }
  return 0;
}
