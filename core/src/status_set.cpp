#include "shopwatch/core/status_set.h"

#include <string>

namespace shopwatch::core {

namespace {

int code(std::string_view t) {
  if (t.size() != 3) return -1;
  int v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return (v >= 100 && v <= 599) ? v : -1;
}

}  // namespace

Result<std::pair<int, int>> parseStatusItem(std::string_view s) {
  auto bad = [&] {
    return makeError(ErrorCode::Invalid,
                     "invalid status `" + std::string(s) +
                         "`: expected a code 100-599, a class such as \"2xx\", or a range such as "
                         "\"200-299\"");
  };
  if (s.size() == 3 && (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X') && s[0] >= '1' &&
      s[0] <= '5') {
    const int base = (s[0] - '0') * 100;
    return std::pair{base, base + 99};
  }
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    const int lo = code(s.substr(0, dash));
    const int hi = code(s.substr(dash + 1));
    if (lo < 0 || hi < 0 || lo > hi) return bad();
    return std::pair{lo, hi};
  }
  const int v = code(s);
  if (v < 0) return bad();
  return std::pair{v, v};
}

}  // namespace shopwatch::core
