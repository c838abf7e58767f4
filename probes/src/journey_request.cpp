#include "journey_request.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "shopwatch/core/text.h"
#include "url.h"

namespace shopwatch::probes::detail {
namespace {

using Json = nlohmann::json;

bool isWholeReference(const std::string& s) {
  return s.size() > 3 && s.starts_with("${") && s.back() == '}' && s.find('}') == s.size() - 1;
}

core::Status substituteTree(Json& node, const Variables& vars) {
  if (node.is_string()) {
    const auto& s = node.get_ref<const std::string&>();
    if (!hasReferences(s)) return {};
    if (isWholeReference(s)) {
      auto value = resolveReference(std::string_view(s).substr(2, s.size() - 3), vars);
      if (!value) return value.error();
      Json typed = Json::parse(value->json, nullptr, false);
      node = typed.is_discarded() ? Json(value->text) : std::move(typed);
      return {};
    }
    auto text = substitute(s, vars);
    if (!text) return text.error();
    node = std::move(text).value();
    return {};
  }
  if (node.is_array()) {
    for (auto& item : node) {
      if (auto st = substituteTree(item, vars); !st) return st;
    }
    return {};
  }
  if (node.is_object()) {
    Json out = Json::object();
    for (auto& [key, value] : node.items()) {
      auto name = substitute(key, vars);
      if (!name) return name.error();
      if (auto st = substituteTree(value, vars); !st) return st;
      out[std::move(name).value()] = std::move(value);
    }
    node = std::move(out);
  }
  return {};
}

core::Result<Json> substitutedDocument(const std::string& json_text, const Variables& vars) {
  if (json_text.empty()) return Json(nullptr);
  Json doc = Json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) {
    return core::Error{core::ErrorCode::Invalid, "the step's JSON body is not valid JSON"};
  }
  if (auto st = substituteTree(doc, vars); !st) return st.error();
  return doc;
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

void percentEncode(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
}

bool hasHeader(const core::HttpRequest& req, std::string_view name) {
  for (const auto& h : req.headers) {
    if (core::asciiIEquals(h.first, name)) return true;
  }
  return false;
}

// A cookie-file line must not be split by the value: tabs and line ends are dropped.
std::string cookieField(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

}  // namespace

bool expectationsHaveReferences(const core::Expectations& e) {
  auto opt = [](const std::optional<std::string>& s) { return s && hasReferences(*s); };
  if (opt(e.body_contains) || opt(e.body_not_contains) || opt(e.body_regex)) return true;
  for (const auto& h : e.headers) {
    if (hasReferences(h.second)) return true;
  }
  for (const auto& j : e.json) {
    if (hasReferences(j.value)) return true;
    for (const auto& v : j.values) {
      if (hasReferences(v)) return true;
    }
  }
  return false;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    percentEncode(out, name);
    out += '=';
    percentEncode(out, value);
  }
  return out;
}

core::Result<std::string> substituteJson(const std::string& json_text, const Variables& vars) {
  auto doc = substitutedDocument(json_text, vars);
  if (!doc) return doc.error();
  return dump(*doc);
}

core::Result<PreparedStep> prepareStep(const core::JourneyStep& step, const Variables& vars,
                                       const std::string& base_origin) {
  PreparedStep out;
  out.request = step.request;
  out.expect = step.expect;
  core::HttpRequest& req = out.request;
  core::Error error;
  auto sub = [&](std::string& text) { return substituteInPlace(text, vars, error); };

  bool ok = sub(req.url);
  if (ok && req.url.starts_with("/")) req.url = base_origin + req.url;
  for (auto& h : req.headers) ok = ok && sub(h.second);
  if (req.basic_auth) ok = ok && sub(req.basic_auth->user) && sub(req.basic_auth->password);
  if (req.bearer_token) ok = ok && sub(*req.bearer_token);
  auto& e = out.expect;
  for (auto* text : {&e.body_contains, &e.body_not_contains, &e.body_regex}) {
    if (*text) ok = ok && sub(**text);
  }
  for (auto& h : e.headers) ok = ok && sub(h.second);
  // A JSON literal that is exactly one reference (`"${total}"`) takes the variable's JSON type, as
  // a `json:` body's value does: a number extracted by a JSON pointer compares as that number.
  auto subLiteral = [&](std::string& literal) {
    const std::string_view text = literal;
    if (text.size() > 5 && text.starts_with("\"${") && text.ends_with("}\"") &&
        text.find('}') == text.size() - 2) {
      auto value = resolveReference(text.substr(3, text.size() - 5), vars);
      if (!value) {
        error = value.error();
        return false;
      }
      literal = value->json;
      return true;
    }
    return sub(literal);
  };
  for (auto& j : e.json) {
    ok = ok && subLiteral(j.value);
    for (auto& v : j.values) ok = ok && subLiteral(v);
  }
  // Copied only when a `where` value needs substituting: most steps use their list as configured.
  if (std::any_of(step.extract.begin(), step.extract.end(),
                  [](const core::Extraction& x) { return hasReferences(x.where_value); })) {
    out.extract = step.extract;
    for (auto& x : *out.extract) ok = ok && sub(x.where_value);
  }
  if (!ok) return error;

  const char* content_type = nullptr;
  switch (step.body_kind) {
    case core::BodyKind::None:
    case core::BodyKind::Raw:
      if (!sub(req.body)) return error;
      break;
    case core::BodyKind::Form: {
      auto fields = step.form;
      for (auto& f : fields) {
        if (!sub(f.first) || !sub(f.second)) return error;
      }
      req.body = formEncode(fields);
      content_type = "application/x-www-form-urlencoded";
      break;
    }
    case core::BodyKind::Json: {
      auto body = substituteJson(step.json, vars);
      if (!body) return body.error();
      req.body = std::move(body).value();
      content_type = "application/json";
      break;
    }
    case core::BodyKind::Graphql: {
      std::string query = step.graphql_query;
      if (!sub(query)) return error;
      auto variables = substitutedDocument(step.graphql_variables, vars);
      if (!variables) return variables.error();
      Json body = Json::object();
      body["query"] = std::move(query);
      if (!variables->is_null()) body["variables"] = std::move(*variables);
      req.body = dump(body);
      content_type = "application/json";
      break;
    }
  }
  if (content_type && !hasHeader(req, "content-type")) {
    req.headers.emplace_back("Content-Type", content_type);
  }

  if (!step.cookies.empty()) {
    auto parts = parseUrl(req.url);
    if (!parts) {
      return core::Error{core::ErrorCode::Invalid, "invalid URL for cookies \"" + req.url + "\""};
    }
    for (const auto& [name, value] : step.cookies) {
      std::string v = value;
      if (!sub(v)) return error;
      if (v.size() >= Variables::kMinSecretLength) out.cookie_values.push_back(v);
      // Netscape cookie-file fields: domain, include subdomains, path, secure, expiry, name, value.
      out.cookie_lines.push_back(cookieField(parts->host) + "\tFALSE\t/\tFALSE\t0\t" +
                                 cookieField(name) + "\t" + cookieField(v));
    }
  }
  return out;
}

}  // namespace shopwatch::probes::detail
