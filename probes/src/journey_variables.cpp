#include "journey_variables.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

namespace shopwatch::probes::detail {
namespace {

// Test markers and nonces, not keys: a per-thread Mersenne Twister seeded once is enough.
std::mt19937_64& generator() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

std::string randomFrom(std::string_view alphabet, std::size_t n) {
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out += alphabet[pick(generator())];
  return out;
}

std::string uuidV4() {
  std::array<std::uint8_t, 16> b{};
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& x : b) x = static_cast<std::uint8_t>(byte(generator()));
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

std::string nowIso() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

core::Error unset(std::string_view name) {
  return core::Error{core::ErrorCode::NotFound, "variable ${" + std::string(name) + "} is not set"};
}

}  // namespace

VariableValue textValue(std::string text) {
  VariableValue v;
  v.json = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  v.text = std::move(text);
  return v;
}

core::Result<VariableValue> journeyVarValue(const std::string& value, bool typed,
                                            const Variables& vars) {
  auto text = substitute(value, vars);
  if (!text) return text.error();
  VariableValue v = textValue(std::move(text).value());
  if (typed) v.json = v.text;  // the config checked it is a JSON number or boolean literal
  v.secret = false;
  return v;
}

void Variables::set(const std::string& name, VariableValue value) {
  values_[name] = std::move(value);
}

const VariableValue* Variables::find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

std::vector<std::string> Variables::secretValues() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : values_) {
    if (value.secret && value.text.size() >= kMinSecretLength) out.push_back(value.text);
  }
  return out;
}

bool hasReferences(std::string_view text) { return text.find("${") != std::string_view::npos; }

core::Result<VariableValue> resolveReference(std::string_view name, const Variables& vars) {
  if (const auto* v = vars.find(name)) return *v;
  static constexpr std::string_view kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  if (name == "random") return textValue(randomFrom(kAlnum, 16));
  if (name == "uuid") return textValue(uuidV4());
  if (name == "now") {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
    return VariableValue{std::to_string(secs), std::to_string(secs)};
  }
  if (name == "now_iso") return textValue(nowIso());
  constexpr std::string_view kHexPrefix = "random_hex:";
  if (name.starts_with(kHexPrefix)) {
    const auto digits = name.substr(kHexPrefix.size());
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && end == digits.data() + digits.size() && n > 0 && n <= 1024) {
      return textValue(randomFrom("0123456789abcdef", n));
    }
  }
  return unset(name);
}

core::Result<std::string> substitute(std::string_view text, const Variables& vars) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (true) {
    const auto open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    auto value = resolveReference(text.substr(open + 2, close - open - 2), vars);
    if (!value) return value.error();
    out += value->text;
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

bool substituteInPlace(std::string& text, const Variables& vars, core::Error& error) {
  if (!hasReferences(text)) return true;
  auto out = substitute(text, vars);
  if (!out) {
    error = out.error();
    return false;
  }
  text = std::move(out).value();
  return true;
}

}  // namespace shopwatch::probes::detail
