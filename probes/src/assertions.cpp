#include "assertions.h"

#include <re2/re2.h>

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "shopwatch/core/duration.h"

namespace shopwatch::probes::detail {
namespace {

constexpr std::size_t kMaxShown = 120;

std::string shorten(std::string_view text) {
  if (text.size() <= kMaxShown) return std::string(text);
  return std::string(text.substr(0, kMaxShown)) + "...";
}

std::string inQuotes(std::string_view text) { return "\"" + shorten(text) + "\""; }

bool statusAccepted(int status, const std::vector<std::pair<int, int>>& ranges) {
  if (ranges.empty()) return status >= 200 && status <= 299;
  for (const auto& [lo, hi] : ranges) {
    if (status >= lo && status <= hi) return true;
  }
  return false;
}

void fail(core::ProbeResult& result, core::FailureReason reason, std::string message) {
  if (result.failure != core::FailureReason::None) return;
  result.failure = reason;
  result.message = std::move(message);
}

void record(core::ProbeResult& result, std::string name, bool passed, std::string detail) {
  result.assertions.push_back(core::AssertionOutcome{std::move(name), passed, std::move(detail)});
}

const char* opName(core::JsonExpectation::Op op) {
  switch (op) {
    case core::JsonExpectation::Op::Equals: return "equals";
    case core::JsonExpectation::Op::OneOf: return "one_of";
    case core::JsonExpectation::Op::Exists: return "exists";
    case core::JsonExpectation::Op::Gt: return "gt";
    case core::JsonExpectation::Op::Lt: return "lt";
  }
  return "?";
}

std::string formatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Evaluates one JSON expectation; returns {passed, detail, failure message}.
struct JsonVerdict {
  bool passed = false;
  std::string detail;
  std::string message;
};

JsonVerdict evaluateJson(const nlohmann::json& doc, const core::JsonExpectation& e) {
  using Op = core::JsonExpectation::Op;
  nlohmann::json::json_pointer ptr;
  try {
    ptr = nlohmann::json::json_pointer(e.path);
  } catch (const nlohmann::json::exception&) {
    return {false, "invalid JSON pointer", "json path " + inQuotes(e.path) + " is not a valid JSON pointer"};
  }
  const bool present = doc.contains(ptr);
  if (e.op == Op::Exists) {
    bool ok = present == e.exists;
    std::string detail = present ? "present" : "missing";
    return {ok, detail,
            "json " + e.path + (present ? " exists, expected it to be missing" : " is missing")};
  }
  if (!present) return {false, "missing", "json " + e.path + " is missing"};
  const nlohmann::json& seen = doc.at(ptr);
  const std::string seen_text = shorten(seen.dump());
  auto parseLiteral = [](const std::string& text) {
    return nlohmann::json::parse(text, nullptr, false);
  };
  switch (e.op) {
    case Op::Equals: {
      auto want = parseLiteral(e.value);
      if (want.is_discarded()) want = nlohmann::json(e.value);  // a bare word means a string
      bool ok = seen == want;
      return {ok, seen_text, "json " + e.path + " is " + seen_text + ", expected " + shorten(want.dump())};
    }
    case Op::OneOf: {
      std::string wanted;
      for (const auto& v : e.values) {
        auto want = parseLiteral(v);
        if (want.is_discarded()) want = nlohmann::json(v);
        if (seen == want) return {true, seen_text, ""};
        if (!wanted.empty()) wanted += ", ";
        wanted += want.dump();
      }
      return {false, seen_text, "json " + e.path + " is " + seen_text + ", expected one of [" + shorten(wanted) + "]"};
    }
    case Op::Gt:
    case Op::Lt: {
      const char* sym = e.op == Op::Gt ? ">" : "<";
      if (!seen.is_number()) {
        return {false, seen_text, "json " + e.path + " is " + seen_text + ", not a number"};
      }
      double v = seen.get<double>();
      bool ok = e.op == Op::Gt ? v > e.number : v < e.number;
      return {ok, seen_text,
              "json " + e.path + " is " + seen_text + ", expected " + sym + " " + formatNumber(e.number)};
    }
    case Op::Exists: break;
  }
  return {false, "", "internal: unknown json op"};
}

}  // namespace

CompiledChecks::CompiledChecks() = default;
CompiledChecks::~CompiledChecks() = default;

std::shared_ptr<const CompiledChecks> compileChecks(const core::HttpCheckSpec& spec) {
  auto out = std::make_shared<CompiledChecks>();
  RE2::Options opts;
  opts.set_log_errors(false);
  if (spec.expect.body_regex) {
    out->body_regex = std::make_unique<re2::RE2>(*spec.expect.body_regex, opts);
  }
  for (const auto& [name, pattern] : spec.expect.headers) {
    out->header_regexes.push_back(std::make_unique<re2::RE2>(pattern, opts));
  }
  out->needs_full_body = spec.expect.body_regex.has_value() || !spec.expect.json.empty();
  return out;
}

void evaluateExpectations(const core::HttpCheckSpec& spec, const CompiledChecks& checks,
                          const ResponseView& response, core::ProbeResult& result) {
  const auto& expect = spec.expect;

  const bool status_ok = statusAccepted(response.status, expect.status);
  record(result, "status", status_ok, std::to_string(response.status));
  if (!status_ok) {
    fail(result, core::FailureReason::HttpStatus,
         "status " + std::to_string(response.status) + " not in " + formatStatusSet(expect.status));
  }

  // Assertion failures must not hide an http_status failure, so they are collected after it.
  if (expect.body_contains) {
    const auto& at = response.contains_at;
    record(result, "body_contains", at.has_value(),
           at ? "found at offset " + std::to_string(*at) : "not found");
    if (!at) fail(result, core::FailureReason::Assertion, "body does not contain " + inQuotes(*expect.body_contains));
  }
  if (expect.body_not_contains) {
    const auto& at = response.not_contains_at;
    record(result, "body_not_contains", !at.has_value(),
           at ? "found at offset " + std::to_string(*at) : "not found");
    if (at) {
      fail(result, core::FailureReason::Assertion,
           "body contains " + inQuotes(*expect.body_not_contains) + " at offset " + std::to_string(*at));
    }
  }
  if (expect.body_regex && checks.body_regex) {
    const auto& re = *checks.body_regex;
    if (!re.ok()) {
      record(result, "body_regex", false, "invalid regex: " + re.error());
      fail(result, core::FailureReason::Assertion,
           "body_regex /" + shorten(*expect.body_regex) + "/ is invalid: " + re.error());
    } else {
      re2::StringPiece match;
      bool ok = re.Match(response.body, 0, response.body.size(), RE2::UNANCHORED, &match, 1);
      record(result, "body_regex", ok, ok ? "matched " + inQuotes(std::string(match.data(), match.size())) : "no match");
      if (!ok) fail(result, core::FailureReason::Assertion, "body does not match /" + shorten(*expect.body_regex) + "/");
    }
  }
  for (std::size_t i = 0; i < expect.headers.size(); ++i) {
    const auto& [name, pattern] = expect.headers[i];
    std::string lname = name;
    for (auto& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const re2::RE2& re = *checks.header_regexes.at(i);
    const std::string* first_seen = nullptr;
    bool ok = false;
    if (response.headers) {
      for (const auto& [hname, hvalue] : *response.headers) {
        if (hname != lname) continue;
        if (!first_seen) first_seen = &hvalue;
        if (re.ok() && RE2::PartialMatch(hvalue, re)) {
          ok = true;
          first_seen = &hvalue;
          break;
        }
      }
    }
    std::string aname = "header " + name;
    if (!re.ok()) {
      record(result, aname, false, "invalid regex: " + re.error());
      fail(result, core::FailureReason::Assertion, "header " + name + " regex /" + shorten(pattern) + "/ is invalid");
    } else if (!first_seen) {
      record(result, aname, false, "missing");
      fail(result, core::FailureReason::Assertion, "header " + name + " is missing");
    } else {
      record(result, aname, ok, *first_seen);
      if (!ok) {
        fail(result, core::FailureReason::Assertion,
             "header " + name + " value " + inQuotes(*first_seen) + " does not match /" + shorten(pattern) + "/");
      }
    }
  }
  if (!expect.json.empty()) {
    auto doc = nlohmann::json::parse(response.body, nullptr, false);
    for (const auto& e : expect.json) {
      std::string aname = "json " + e.path + " " + opName(e.op);
      if (doc.is_discarded()) {
        record(result, aname, false, "body is not valid JSON");
        fail(result, core::FailureReason::Assertion, "body is not valid JSON (" + std::to_string(response.body.size()) + " bytes)");
        continue;
      }
      auto v = evaluateJson(doc, e);
      record(result, aname, v.passed, v.detail);
      if (!v.passed) fail(result, core::FailureReason::Assertion, v.message);
    }
  }
  if (expect.max_duration) {
    bool ok = response.duration <= *expect.max_duration;
    record(result, "max_duration", ok, "took " + formatElapsed(response.duration));
    if (!ok) {
      fail(result, core::FailureReason::Assertion,
           "took " + formatElapsed(response.duration) + ", more than max_duration " +
               core::formatDuration(*expect.max_duration));
    }
  }
}

std::string formatStatusSet(const std::vector<std::pair<int, int>>& ranges) {
  if (ranges.empty()) return "[200-299]";
  std::string out = "[";
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(ranges[i].first);
    if (ranges[i].second != ranges[i].first) out += "-" + std::to_string(ranges[i].second);
  }
  return out + "]";
}

std::string formatElapsed(core::Micros d) {
  const auto us = d.count();
  char buf[64];
  if (us < 1000) {
    std::snprintf(buf, sizeof buf, "%lldus", static_cast<long long>(us));
  } else if (us < 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(us) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.2fs", static_cast<double>(us) / 1e6);
  }
  return buf;
}

}  // namespace shopwatch::probes::detail
