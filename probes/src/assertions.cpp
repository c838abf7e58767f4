#include "assertions.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"

namespace shopwatch::probes::detail {
namespace {

constexpr std::size_t kMaxShown = 120;
// Hard cap for any one assertion detail: a hostile server must not be able to bloat results.
constexpr std::size_t kMaxDetail = 200;
constexpr int kMaxJsonDepth = 128;

using core::utf8Prefix;

std::string shorten(std::string_view text, std::size_t limit = kMaxShown) {
  if (text.size() <= limit) return std::string(text);
  return std::string(utf8Prefix(text, limit)) + "...";
}

// Server data and configured values shown in a result: secrets are redacted before cutting,
// because a cut could leave part of a secret behind that the later whole-text redaction no longer
// recognises.
class Quoter {
 public:
  explicit Quoter(const std::vector<std::string>& secrets) : secrets_(secrets) {
    for (const auto& s : secrets_) longest_ = std::max(longest_, s.size());
  }

  /// At most kMaxShown bytes of `text`, redacted, with "..." when cut.
  std::string shown(std::string_view text) const {
    if (secrets_.empty()) return shorten(text);
    const std::size_t end = safeEnd(text, kMaxShown + longest_);
    std::string redacted = core::redact(text.substr(0, end), secrets_);
    if (redacted.size() > kMaxShown) return shorten(redacted);
    return end < text.size() ? redacted + "..." : redacted;
  }
  std::string quoted(std::string_view text) const { return "\"" + shown(text) + "\""; }
  /// Configured text that is shown whole (names, JSON paths): only redacted.
  std::string redacted(std::string_view text) const { return core::redact(text, secrets_); }

  /// Bytes of input that shown() may look at: anything longer is cut anyway. A text cut to this
  /// size still holds whole every secret that crosses where shown() cuts.
  std::size_t window() const { return kMaxShown + 2 * longest_ + 1; }

  /// Where to cut `text` to at most `limit` bytes without splitting a UTF-8 sequence or an
  /// occurrence of a secret (the cut moves back to where that occurrence starts); `text` must
  /// run on for longest-1 bytes past `limit` or be whole.
  std::size_t safeEnd(std::string_view text, std::size_t limit) const {
    std::size_t end = utf8Prefix(text, limit).size();
    if (end >= text.size()) return text.size();
    for (bool moved = true; moved && end > 0;) {
      moved = false;
      for (const auto& secret : secrets_) {
        if (secret.size() < 2) continue;
        // Occurrences that start before `end` and run past it start in this range.
        const std::size_t from = end > secret.size() - 1 ? end - (secret.size() - 1) : 0;
        const std::string_view near = text.substr(from, end - from + secret.size() - 1);
        for (std::size_t at = near.find(secret); at != std::string_view::npos;
             at = near.find(secret, at + 1)) {
          if (from + at < end && from + at + secret.size() > end) {
            end = from + at;
            moved = true;
            break;
          }
        }
      }
      end = utf8Prefix(text, end).size();
    }
    return end;
  }

  /// `text` redacted, then cut to about `limit` bytes by safeEnd(); `cut` tells whether it was.
  std::string redactedPrefix(std::string_view text, std::size_t limit, bool& cut) const {
    const std::size_t end = safeEnd(text, limit);
    cut = end < text.size();
    return core::redact(text.substr(0, end), secrets_);
  }

 private:
  const std::vector<std::string>& secrets_;
  std::size_t longest_ = 0;
};

// Parses into a DOM but refuses nesting deeper than kMaxJsonDepth: the DOM's own recursion (dump,
// comparison) would otherwise let a small hostile body overflow the event thread's stack.
class DepthLimitedDom {
 public:
  using Json = nlohmann::json;
  explicit DepthLimitedDom(Json& out) : dom_(out, false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) {
    return dom_.number_float(v, s);
  }
  bool string(Json::string_t& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool key(Json::string_t& v) { return dom_.key(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t pos, const std::string& token, const nlohmann::json::exception& ex) {
    return dom_.parse_error(pos, token, ex);
  }

  bool tooDeep() const { return too_deep_; }

 private:
  bool enter() {
    if (++depth_ > kMaxJsonDepth) too_deep_ = true;
    return !too_deep_;
  }
  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int depth_ = 0;
  bool too_deep_ = false;
};

struct ParsedBody {
  nlohmann::json doc;
  bool ok = false;
  bool too_deep = false;
};

ParsedBody parseBody(std::string_view body) {
  ParsedBody out;
  DepthLimitedDom sax(out.doc);
  const bool parsed = nlohmann::json::sax_parse(body.begin(), body.end(), &sax);
  out.too_deep = sax.tooDeep();
  out.ok = parsed && !out.too_deep;
  if (!out.ok) out.doc = nlohmann::json();
  return out;
}

std::string dumpScalar(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Serialises with a byte budget instead of dump(), which would copy a whole subtree (up to
// max_body) just to show its first bytes. Keys and strings are redacted raw, before escaping:
// the escaped form of a secret holding '"', '\\' or control characters would not be recognised.
class BoundedWriter {
 public:
  BoundedWriter(const Quoter& q, std::size_t budget) : q_(q), budget_(budget) {}

  void append(const nlohmann::json& v) {
    if (full()) return;
    if (v.is_object() || v.is_array()) {
      const bool object = v.is_object();
      out_ += object ? '{' : '[';
      bool first = true;
      for (auto it = v.begin(); it != v.end() && !full(); ++it) {
        if (!first) out_ += ',';
        first = false;
        if (object) {
          appendString(it.key());
          if (full()) return;
          out_ += ':';
        }
        append(*it);
      }
      if (!full()) out_ += object ? '}' : ']';
      return;
    }
    if (v.is_string()) return appendString(v.get_ref<const std::string&>());
    out_ += dumpScalar(v);
  }

  const std::string& text() const { return out_; }

 private:
  bool full() const { return stopped_ || out_.size() >= budget_; }

  void appendString(const std::string& s) {
    bool cut = false;
    const std::string part = q_.redactedPrefix(s, budget_ - std::min(budget_, out_.size()), cut);
    out_ += dumpScalar(nlohmann::json(part));
    if (cut) {
      out_ += "...";
      stopped_ = true;  // nothing after a cut string: the text would look complete otherwise
    }
  }

  const Quoter& q_;
  std::size_t budget_;
  std::string out_;
  bool stopped_ = false;
};

// Scalars as JSON text, containers as their size plus the start of their text; at most about
// kMaxShown bytes of server data either way, redacted before being cut.
std::string describeJson(const nlohmann::json& v, const Quoter& q) {
  BoundedWriter writer(q, q.window());
  writer.append(v);
  std::string shown = q.shown(writer.text());
  if (v.is_array()) return "array of " + std::to_string(v.size()) + " " + shown;
  if (v.is_object()) return "object of " + std::to_string(v.size()) + " keys " + shown;
  return shown;
}

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
  if (detail.size() > kMaxDetail) detail = shorten(detail, kMaxDetail);
  result.assertions.push_back(core::AssertionOutcome{std::move(name), passed, std::move(detail)});
}

const char* opName(core::JsonExpectation::Op op) {
  switch (op) {
    case core::JsonExpectation::Op::Equals:
      return "equals";
    case core::JsonExpectation::Op::OneOf:
      return "one_of";
    case core::JsonExpectation::Op::Exists:
      return "exists";
    case core::JsonExpectation::Op::Gt:
      return "gt";
    case core::JsonExpectation::Op::Lt:
      return "lt";
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

JsonVerdict evaluateJson(const nlohmann::json& doc, const core::JsonExpectation& e,
                         const Quoter& q) {
  using Op = core::JsonExpectation::Op;
  nlohmann::json::json_pointer ptr;
  try {
    ptr = nlohmann::json::json_pointer(e.path);
  } catch (const nlohmann::json::exception&) {
    return {false, "invalid JSON pointer",
            "json path " + q.quoted(e.path) + " is not a valid JSON pointer"};
  }
  const std::string path = q.redacted(e.path);
  const bool present = doc.contains(ptr);
  if (e.op == Op::Exists) {
    bool ok = present == e.exists;
    std::string detail = present ? "present" : "missing";
    return {ok, detail,
            "json " + path + (present ? " exists, expected it to be missing" : " is missing")};
  }
  if (!present) return {false, "missing", "json " + path + " is missing"};
  const nlohmann::json& seen = doc.at(ptr);
  const std::string seen_text = describeJson(seen, q);
  auto parseLiteral = [](const std::string& text) {
    return nlohmann::json::parse(text, nullptr, false);
  };
  switch (e.op) {
    case Op::Equals: {
      auto want = parseLiteral(e.value);
      if (want.is_discarded()) want = nlohmann::json(e.value);  // a bare word means a string
      bool ok = seen == want;
      return {ok, seen_text,
              "json " + path + " is " + seen_text + ", expected " + describeJson(want, q)};
    }
    case Op::OneOf: {
      std::string wanted;
      for (const auto& v : e.values) {
        auto want = parseLiteral(v);
        if (want.is_discarded()) want = nlohmann::json(v);
        if (seen == want) return {true, seen_text, ""};
        if (wanted.size() > kMaxShown) continue;  // shortened below anyway
        if (!wanted.empty()) wanted += ", ";
        wanted += describeJson(want, q);
      }
      return {false, seen_text,
              "json " + path + " is " + seen_text + ", expected one of [" + shorten(wanted) + "]"};
    }
    case Op::Gt:
    case Op::Lt: {
      const char* sym = e.op == Op::Gt ? ">" : "<";
      if (!seen.is_number()) {
        return {false, seen_text, "json " + path + " is " + seen_text + ", not a number"};
      }
      double v = seen.get<double>();
      bool ok = e.op == Op::Gt ? v > e.number : v < e.number;
      return {
          ok, seen_text,
          "json " + path + " is " + seen_text + ", expected " + sym + " " + formatNumber(e.number)};
    }
    case Op::Exists:
      break;
  }
  return {false, "", "internal: unknown json op"};
}

}  // namespace

CompiledChecks::CompiledChecks() = default;
CompiledChecks::~CompiledChecks() = default;

std::shared_ptr<const CompiledChecks> compileChecks(const core::Expectations& expect) {
  auto out = std::make_shared<CompiledChecks>();
  RE2::Options opts;
  opts.set_log_errors(false);
  if (expect.body_regex) {
    out->body_regex = std::make_unique<re2::RE2>(*expect.body_regex, opts);
  }
  for (const auto& [name, pattern] : expect.headers) {
    out->header_regexes.push_back(std::make_unique<re2::RE2>(pattern, opts));
  }
  out->needs_full_body = expect.body_regex.has_value() || !expect.json.empty();
  return out;
}

void evaluateExpectations(const core::Expectations& expect, const std::vector<std::string>& secrets,
                          const CompiledChecks& checks, const ResponseView& response,
                          core::ProbeResult& result) {
  const Quoter q(secrets);

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
    if (!at)
      fail(result, core::FailureReason::Assertion,
           "body does not contain " + q.quoted(*expect.body_contains));
  }
  if (expect.body_not_contains) {
    const auto& at = response.not_contains_at;
    record(result, "body_not_contains", !at.has_value(),
           at ? "found at offset " + std::to_string(*at) : "not found");
    if (at) {
      fail(result, core::FailureReason::Assertion,
           "body contains " + q.quoted(*expect.body_not_contains) + " at offset " +
               std::to_string(*at));
    }
  }
  if (expect.body_regex && checks.body_regex) {
    const auto& re = *checks.body_regex;
    if (!re.ok()) {
      record(result, "body_regex", false, "invalid regex: " + q.shown(re.error()));
      fail(result, core::FailureReason::Assertion,
           "body_regex /" + q.shown(*expect.body_regex) + "/ is invalid: " + q.shown(re.error()));
    } else {
      re2::StringPiece match;
      bool ok = re.Match(response.body, 0, response.body.size(), RE2::UNANCHORED, &match, 1);
      record(result, "body_regex", ok,
             ok ? "matched " + q.quoted(std::string_view(match.data(), match.size())) : "no match");
      if (!ok)
        fail(result, core::FailureReason::Assertion,
             "body does not match /" + q.shown(*expect.body_regex) + "/");
    }
  }
  for (std::size_t i = 0; i < expect.headers.size(); ++i) {
    const auto& [name, pattern] = expect.headers[i];
    const std::string lname = core::asciiLower(name);
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
    const std::string shown_name = q.redacted(name);
    std::string aname = "header " + shown_name;
    if (!re.ok()) {
      record(result, aname, false, "invalid regex: " + q.shown(re.error()));
      fail(result, core::FailureReason::Assertion,
           "header " + shown_name + " regex /" + q.shown(pattern) + "/ is invalid");
    } else if (!first_seen) {
      record(result, aname, false, "missing");
      fail(result, core::FailureReason::Assertion, "header " + shown_name + " is missing");
    } else {
      record(result, aname, ok, q.shown(*first_seen));
      if (!ok) {
        fail(result, core::FailureReason::Assertion,
             "header " + shown_name + " value " + q.quoted(*first_seen) + " does not match /" +
                 q.shown(pattern) + "/");
      }
    }
  }
  if (!expect.json.empty()) {
    const auto parsed = parseBody(response.body);
    for (const auto& e : expect.json) {
      std::string aname = "json " + q.redacted(e.path) + " " + opName(e.op);
      if (parsed.too_deep) {
        const std::string why =
            "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
        record(result, aname, false, why);
        fail(result, core::FailureReason::Assertion, "body is " + why);
        continue;
      }
      if (!parsed.ok) {
        record(result, aname, false, "body is not valid JSON");
        fail(result, core::FailureReason::Assertion,
             "body is not valid JSON (" + std::to_string(response.body.size()) + " bytes)");
        continue;
      }
      auto v = evaluateJson(parsed.doc, e, q);
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
