#include "journey_extraction.h"

#include <re2/re2.h>

#include "html_select.h"
#include "shopwatch/core/text.h"

namespace shopwatch::probes::detail {
namespace {

using Json = nlohmann::json;
using Kind = core::Extraction::Kind;
constexpr int kMaxJsonDepth = 128;

// Result of one extraction: a value, nothing (absent), or why it could not be tried.
struct Found {
  std::optional<VariableValue> value;
  std::string problem;  // non-empty: invalid configuration (e.g. a bad selector)
};

std::string jsonText(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Found byRegex(const re2::RE2* re, std::string_view body) {
  if (!re || !re->ok()) return {std::nullopt, "invalid regex"};
  std::string group;
  if (re->NumberOfCapturingGroups() >= 1) {
    if (!RE2::PartialMatch(body, *re, &group)) return {};
  } else {
    if (!RE2::PartialMatch(body, *re)) return {};
    RE2::Extract(body, *re, "\\0", &group);
  }
  return {textValue(std::move(group)), {}};
}

Found byHeader(const core::Extraction& x, const ExtractionSource& s) {
  if (!s.headers) return {};
  for (const auto& [name, value] : *s.headers) {
    if (core::asciiIEquals(name, x.expression)) return {textValue(value), {}};
  }
  return {};
}

// The response's Set-Cookie wins (the value this answer set); else the run's jar.
Found byCookie(const core::Extraction& x, const ExtractionSource& s) {
  if (s.headers) {
    for (const auto& [name, value] : *s.headers) {
      if (name != "set-cookie") continue;
      std::string_view pair(value);
      pair = pair.substr(0, pair.find(';'));
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      auto trim = [](std::string_view t) {
        while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
        while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
        return t;
      };
      if (trim(pair.substr(0, eq)) == x.expression) {
        return {textValue(std::string(trim(pair.substr(eq + 1)))), {}};
      }
    }
  }
  if (s.jar) {
    for (const auto& line : *s.jar) {
      // domain, subdomains, path, secure, expiry, name, value
      std::vector<std::string_view> fields;
      std::string_view rest(line);
      for (std::size_t tab; (tab = rest.find('\t')) != std::string_view::npos;) {
        fields.push_back(rest.substr(0, tab));
        rest.remove_prefix(tab + 1);
      }
      fields.push_back(rest);
      if (fields.size() >= 7 && fields[5] == x.expression) {
        return {textValue(std::string(fields[6])), {}};
      }
    }
  }
  return {};
}

Found byJson(const core::Extraction& x, JsonBody* body) {
  const Json* doc = body ? body->document() : nullptr;
  if (!doc) return {};
  const Json* v = atPointer(*doc, x.expression);
  if (!v) return {};
  return {variableFromJson(*v), {}};
}

std::string comparable(const Json& v) { return v.is_string() ? v.get<std::string>() : jsonText(v); }

Found byJsonFind(const core::Extraction& x, JsonBody* body) {
  const Json* doc = body ? body->document() : nullptr;
  if (!doc) return {};
  const Json* array = atPointer(*doc, x.expression);
  if (!array || !array->is_array()) return {};
  for (const auto& element : *array) {
    const Json* field = atPointer(element, x.where_field);
    if (!field || comparable(*field) != x.where_value) continue;
    const Json* taken = x.take.empty() ? &element : atPointer(element, x.take);
    if (!taken) return {};
    return {variableFromJson(*taken), {}};
  }
  return {};
}

Found byCss(const core::Extraction& x, std::string_view body) {
  // The same parser the config loader validated the selector with, so this fails only for a
  // check built without the loader (a test, a hand-made core::Check).
  auto selector = core::parseCssSelector(x.expression);
  if (!selector) return {std::nullopt, selector.error().message};
  auto selected = selectFirst(body, *selector, x.attribute);
  if (!selected) return {};
  return {textValue(std::move(*selected)), {}};
}

}  // namespace

const Json* JsonBody::document() {
  if (!parsed_) {
    parsed_ = true;
    // The depth callback keeps a hostile deeply nested body from exhausting the worker's stack.
    doc_ = Json::parse(
        body_.begin(), body_.end(),
        [](int depth, Json::parse_event_t, Json&) { return depth <= kMaxJsonDepth; }, false);
  }
  return doc_.is_discarded() ? nullptr : &doc_;
}

VariableValue variableFromJson(const Json& value) {
  if (value.is_string()) return textValue(value.get<std::string>());
  std::string text = jsonText(value);
  return VariableValue{text, text};
}

const Json* atPointer(const Json& doc, const std::string& pointer) {
  if (pointer.empty()) return &doc;
  try {
    Json::json_pointer p(pointer);
    if (!doc.contains(p)) return nullptr;
    return &doc.at(p);
  } catch (const Json::exception&) {
    return nullptr;
  }
}

ExtractionOutcome extractAll(const std::vector<core::Extraction>& extract,
                             const std::vector<std::shared_ptr<const re2::RE2>>& regexes,
                             const ExtractionSource& source) {
  ExtractionOutcome out;
  for (std::size_t i = 0; i < extract.size(); ++i) {
    const auto& x = extract[i];
    Found f;
    switch (x.kind) {
      case Kind::Regex:
        f = byRegex(i < regexes.size() ? regexes[i].get() : nullptr, source.body);
        break;
      case Kind::Json:
        f = byJson(x, source.json);
        break;
      case Kind::JsonFind:
        f = byJsonFind(x, source.json);
        break;
      case Kind::Header:
        f = byHeader(x, source);
        break;
      case Kind::Cookie:
        f = byCookie(x, source);
        break;
      case Kind::Css:
        f = byCss(x, source.body);
        break;
    }
    if (f.value) {
      out.values.emplace_back(x.variable, std::move(*f.value));
    } else if (!f.problem.empty()) {
      if (!out.missing) out.missing.emplace(x.variable, f.problem);
    } else if (!x.optional && !out.missing) {
      out.missing.emplace(x.variable, "not found in the response");
    }
  }
  return out;
}

}  // namespace shopwatch::probes::detail
