// The `expect` section of a check: what a response must show. (`expect.json` is
// json_expectation.cpp.)
#include <re2/re2.h>

#include <algorithm>

#include "check_appliers.h"
#include "shopwatch/core/status_set.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::detail {
namespace {

bool validRegex(ParseContext& ctx, const YAML::Node& node, const std::string& path,
                const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) {
    ctx.report(node, path, "invalid RE2 regular expression `" + pattern + "`: " + re.error());
    return false;
  }
  return true;
}

std::optional<std::pair<int, int>> statusItem(ParseContext& ctx, const YAML::Node& node,
                                              const std::string& path) {
  auto raw =
      ctx.scalar(node, path, "a status code (200), a class (\"2xx\") or a range (\"200-299\")");
  if (!raw) return std::nullopt;
  auto item = core::parseStatusItem(*raw);
  if (!item) {
    ctx.report(node, path, item.error().message);
    return std::nullopt;
  }
  return *item;
}

}  // namespace

void applyExpect(ParseContext& ctx, const MapEntry& section, CheckDraft& d) {
  auto entries = expectKeyTable().entries(ctx, section.value, section.path, true);
  if (!entries) return;
  applyTracked(ctx, expectKeyTable(), *entries, d, "expect.");
}

void applyStatus(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  std::vector<std::pair<int, int>> ranges;
  bool ok = true;
  if (e.value.IsSequence()) {
    if (e.value.size() == 0) {
      ctx.report(e.value, e.path, "must list at least one status (omit it for any 2xx)");
      return;
    }
    for (std::size_t i = 0; i < e.value.size(); ++i) {
      auto item = statusItem(ctx, e.value[i], ParseContext::index(e.path, i));
      if (item)
        ranges.push_back(*item);
      else
        ok = false;
    }
  } else {
    auto item = statusItem(ctx, e.value, e.path);
    if (item)
      ranges.push_back(*item);
    else
      ok = false;
  }
  if (ok) d.expect().status = std::move(ranges);
}

void applyBodyContains(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.string(e.value, e.path, &d.secrets())) d.expect().body_contains = *v;
}

void applyBodyNotContains(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.string(e.value, e.path, &d.secrets())) d.expect().body_not_contains = *v;
}

void applyBodyRegex(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  auto v = ctx.string(e.value, e.path, &d.secrets());
  if (v && validRegex(ctx, e.value, e.path, *v)) d.expect().body_regex = *v;
}

void applyExpectHeaders(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path, "expected a map of header name to RE2 regular expression");
    return;
  }
  auto& headers = d.expect().headers;
  for (const auto& pair : e.value) {
    const std::string name = pair.first.IsScalar() ? pair.first.Scalar() : std::string();
    const std::string path = ParseContext::child(e.path, name);
    if (!validToken(name)) {
      ctx.report(pair.first, path, "invalid header name `" + name + "`");
      continue;
    }
    auto pattern = ctx.string(pair.second, path, &d.secrets());
    if (!pattern || !validRegex(ctx, pair.second, path, *pattern)) continue;
    auto same = std::find_if(headers.begin(), headers.end(),
                             [&](const auto& h) { return core::asciiIEquals(h.first, name); });
    if (same != headers.end())
      same->second = *pattern;
    else
      headers.emplace_back(name, *pattern);
  }
}

void applyMaxDuration(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.expect().max_duration = *v;
}

}  // namespace shopwatch::agent::detail
