// The key tables of a journey step and the step-only keys that are not extractions: bodies,
// cookies, the step's own timeout and `places_order`.
#include "journey_keys.h"

#include <algorithm>
#include <array>
#include <vector>

#include "json_value.h"

namespace shopwatch::agent::detail {
namespace {

constexpr KeyPlace kStep = KeyPlace::CheckOnly;

// The check keys a step takes over, applied by the check's own appliers (check_keys.cpp).
constexpr std::array<std::string_view, 13> kRequestKeys = {
    "method",     "headers",          "body",          "auth", "proxy",    "resolve", "ip_version",
    "user_agent", "follow_redirects", "max_redirects", "tls",  "max_body", "expect"};

constexpr std::array<CheckKeyRow, 8> kStepOnlyRows = {{
    {"form", applyForm, "urlencoded body {field: value}, fields in order (default method POST)",
     kStep},
    {"json", applyJsonBody,
     "JSON body from a YAML mapping or list; a string that is exactly \"${name}\" takes the "
     "variable's JSON type",
     kStep},
    {"graphql", applyGraphql,
     "{query, variables}: a GraphQL request; a non-empty `errors` fails the step", kStep},
    {"cookies", applyCookies, "{NAME: VALUE} set into the run's cookie jar before the request",
     kStep},
    {"extract", applyExtract,
     "{variable: {regex|json|json_find|header|cookie|css: ..., optional: bool}}", kStep},
    {"repeat_until", applyRepeatUntil,
     "{json: POINTER, one_of: [...], max_attempts: 10, delay: 1s}: repeat the step until it "
     "matches",
     kStep},
    {"skip_if", applySkipIf, "{var: NAME, equals: VALUE}: skip the step (not a failure)", kStep},
    {"places_order", applyPlacesOrder,
     "true: this step places a real order (silences check-config's warning)", kStep},
}};

constexpr std::array<CheckKeyRow, 2> kGraphqlRows = {{
    {"query", nullptr, "the GraphQL document (required)", kStep},
    {"variables", nullptr, "a mapping, sent as the JSON `variables` object", kStep},
}};

constexpr std::array<CheckKeyRow, 8> kExtractRows = {{
    {"regex", nullptr, "RE2 over the body; the value is the first capturing group", kStep},
    {"json", nullptr, "JSON pointer into the body (\"\" = the whole body, e.g. a bare string)",
     kStep},
    {"json_find", nullptr, "{path, where: {field: value}, take}: pick an array element by a field",
     kStep},
    {"header", nullptr, "response header (case-insensitive)", kStep},
    {"cookie", nullptr, "cookie in the run's jar after the response", kStep},
    {"css", nullptr, "CSS selector (tag, #id, .class, [attr], [attr=\"v\"], descendants)", kStep},
    {"attr", nullptr, "with css: the attribute to read (default: the element's text)", kStep},
    {"optional", nullptr, "true: keep the previous value when absent instead of failing", kStep},
}};

constexpr std::array<CheckKeyRow, 3> kJsonFindRows = {{
    {"path", nullptr, "JSON pointer of the array to search", kStep},
    {"where", nullptr, "{field: value}: the element whose field (name or pointer) equals value",
     kStep},
    {"take", nullptr, "JSON pointer into the element (default: the element)", kStep},
}};

constexpr std::array<CheckKeyRow, 4> kRepeatUntilRows = {{
    {"json", nullptr, "JSON pointer of the value to poll (required)", kStep},
    {"one_of", nullptr, "the values that end the polling (required, compared as text)", kStep},
    {"max_attempts", nullptr, "attempts at most, 1-100 (default 10); then the step fails", kStep},
    {"delay", nullptr, "wait between attempts (default 1s)", kStep},
}};

constexpr std::array<CheckKeyRow, 2> kSkipIfRows = {{
    {"var", nullptr, "a variable extracted by an earlier step", kStep},
    {"equals", nullptr, "the value (as text) that skips the step", kStep},
}};

std::vector<CheckKeyRow> stepRows() {
  std::vector<CheckKeyRow> rows;
  rows.push_back({"name", nullptr,
                  "identity, lowercase [a-z0-9._-], unique within the journey (cleanup included)",
                  kStep});
  rows.push_back({"url", nullptr,
                  "relative to the shop's base_url, or an absolute http(s):// URL; may use "
                  "${variables}",
                  kStep});
  for (const auto& row : checkKeyTable().rows()) {
    if (isStepRequestKey(row.key)) rows.push_back(row);
  }
  rows.push_back({"timeout", applyStepTimeout,
                  "this request's limit (default: the journey_timeout); at most journey_timeout",
                  kStep});
  rows.insert(rows.end(), kStepOnlyRows.begin(), kStepOnlyRows.end());
  return rows;
}

}  // namespace

bool isStepRequestKey(std::string_view key) {
  return std::find(kRequestKeys.begin(), kRequestKeys.end(), key) != kRequestKeys.end();
}

bool defaultAppliesToSteps(std::string_view key) {
  const std::string_view top = key.substr(0, key.find('.'));
  return isStepRequestKey(top) && top != "body" && top != "expect";
}

const CheckKeyTable& stepKeyTable() {
  static const std::vector<CheckKeyRow> rows = stepRows();
  static const CheckKeyTable table("check.steps[]", rows);
  return table;
}
const CheckKeyTable& graphqlKeyTable() {
  static const CheckKeyTable table("check.steps[].graphql", kGraphqlRows);
  return table;
}
const CheckKeyTable& extractKeyTable() {
  static const CheckKeyTable table("check.steps[].extract.*", kExtractRows);
  return table;
}
const CheckKeyTable& jsonFindKeyTable() {
  static const CheckKeyTable table("check.steps[].extract.*.json_find", kJsonFindRows);
  return table;
}
const CheckKeyTable& repeatUntilKeyTable() {
  static const CheckKeyTable table("check.steps[].repeat_until", kRepeatUntilRows);
  return table;
}
const CheckKeyTable& skipIfKeyTable() {
  static const CheckKeyTable table("check.steps[].skip_if", kSkipIfRows);
  return table;
}

void applyStepTimeout(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.request().timeout = *v;
}

void applyForm(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path, "expected a map of form field to value ({sku: sku-123, qty: 1})");
    return;
  }
  std::vector<std::pair<std::string, std::string>> fields;
  bool ok = true;
  for (const auto& pair : e.value) {
    const std::string key = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, key);
    if (key.empty()) {
      ctx.report(pair.first, path, "form field names must be non-empty strings");
      ok = false;
      continue;
    }
    auto value = ctx.string(pair.second, path, &d.secrets());
    if (!value) {
      ok = false;
      continue;
    }
    fields.emplace_back(key, std::move(*value));
  }
  if (ok) stepOf(d).step.form = std::move(fields);
}

void applyJsonBody(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap() && !e.value.IsSequence()) {
    ctx.report(e.value, e.path, "expected a YAML mapping or list (the JSON body)");
    return;
  }
  auto value = yamlToJson<nlohmann::ordered_json>(ctx, e.value, e.path, &d.secrets());
  if (!value) return;
  if (auto text = jsonText(ctx, e.value, e.path, *value)) stepOf(d).step.json = std::move(*text);
}

void applyGraphql(ParseContext& ctx, const MapEntry& section, CheckDraft& d) {
  auto entries = graphqlKeyTable().entries(ctx, section.value, section.path);
  if (!entries) return;
  core::JourneyStep& step = stepOf(d).step;
  bool has_query = false;
  bool ok = true;
  for (const auto& e : *entries) {
    if (e.key == "query") {
      auto query = ctx.string(e.value, e.path, &d.secrets());
      if (query && !query->empty()) {
        step.graphql_query = std::move(*query);
        has_query = true;
      } else {
        if (query) ctx.report(e.value, e.path, "must not be empty");
        ok = false;
      }
      continue;
    }
    if (!e.value.IsMap()) {
      ctx.report(e.value, e.path, "expected a mapping of GraphQL variable to value");
      ok = false;
      continue;
    }
    auto value = yamlToJson<nlohmann::ordered_json>(ctx, e.value, e.path, &d.secrets());
    auto text = value ? jsonText(ctx, e.value, e.path, *value) : std::nullopt;
    if (text)
      step.graphql_variables = std::move(*text);
    else
      ok = false;
  }
  if (ok && !has_query) {
    ctx.report(section.value, ParseContext::child(section.path, "query"),
               "missing required key `query` (the GraphQL document)");
  }
}

void applyCookies(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path, "expected a map of cookie name to value");
    return;
  }
  std::vector<std::pair<std::string, std::string>> cookies;
  bool ok = true;
  for (const auto& pair : e.value) {
    const std::string name = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, name);
    if (!validToken(name)) {
      ctx.report(pair.first, path, "invalid cookie name `" + name + "`");
      ok = false;
      continue;
    }
    auto value = ctx.string(pair.second, path, &d.secrets());
    if (value && value->find_first_of(";\r\n") != std::string::npos) {
      ctx.report(pair.second, path, "cookie values must not contain `;` or line breaks");
      value.reset();
    }
    if (!value) {
      ok = false;
      continue;
    }
    cookies.emplace_back(name, std::move(*value));
  }
  if (ok) stepOf(d).step.cookies = std::move(cookies);
}

void applyPlacesOrder(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.boolean(e.value, e.path)) stepOf(d).step.places_order = *v;
}

}  // namespace shopwatch::agent::detail
