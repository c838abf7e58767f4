#include "atomic_file.h"

#include <unistd.h>

#include <fstream>

namespace shopwatch::cli {

core::Status writeAtomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return core::makeError(core::ErrorCode::Io, "cannot write " + tmp.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return core::makeError(core::ErrorCode::Io, "cannot write " + path.string() + ": " + ec.message());
  }
  return {};
}

}  // namespace shopwatch::cli
