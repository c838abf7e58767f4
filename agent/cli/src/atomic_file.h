#pragma once
// Writing a command's output file without leaving a half-written one behind (report, insights).

#include <filesystem>
#include <string>

#include "shopwatch/core/result.h"

namespace shopwatch::cli {

/// Writes `text` to `path` atomically (a temporary file next to it, then rename).
core::Status writeAtomically(const std::filesystem::path& path, const std::string& text);

}  // namespace shopwatch::cli
