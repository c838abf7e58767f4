#include <cstdio>
#include <string>


#include "cli.h"
#include "shopwatch/agent/config/config_loader.h"
#include "shopwatch/agent/status/result_json.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/probes/http_probe_engine.h"

namespace shopwatch::cli {
namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Builds a spec from `shopwatch probe URL` flags; on a bad flag prints why and returns false.
bool specFromFlags(const ProbeOptions& o, core::HttpCheckSpec& spec) {
  auto fail = [](const std::string& what) {
    std::fprintf(stderr, "shopwatch probe: %s\n", what.c_str());
    return false;
  };
  if (o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
    return fail("URL must start with http:// or https:// (got \"" + o.url + "\")");
  }
  spec.key = {"cli", "production", "probe"};
  spec.url = o.url;
  spec.method = o.method;
  spec.body = o.body;
  for (const auto& h : o.headers) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) return fail("--header needs \"Name: value\" (got \"" + h + "\")");
    spec.headers.emplace_back(trim(h.substr(0, colon)), trim(h.substr(colon + 1)));
  }
  auto timeout = core::parseDuration(o.timeout);
  if (!timeout) return fail("--timeout: " + timeout.error().message);
  spec.timeout = *timeout;
  auto max_body = core::parseSize(o.max_body);
  if (!max_body) return fail("--max-body: " + max_body.error().message);
  spec.max_body = *max_body;
  if (!o.max_duration.empty()) {
    auto d = core::parseDuration(o.max_duration);
    if (!d) return fail("--max-duration: " + d.error().message);
    spec.expect.max_duration = *d;
  }
  for (const auto& s : o.expect_status) {
    if (s.size() == 3 && s[1] == 'x' && s[2] == 'x' && s[0] >= '1' && s[0] <= '5') {
      int base = (s[0] - '0') * 100;
      spec.expect.status.emplace_back(base, base + 99);
      continue;
    }
    try {
      std::size_t used = 0;
      int code = std::stoi(s, &used);
      if (used != s.size() || code < 100 || code > 599) throw std::invalid_argument(s);
      spec.expect.status.emplace_back(code, code);
    } catch (const std::exception&) {
      return fail("--expect-status: \"" + s + "\" is not a status code (100-599) or class like 2xx");
    }
  }
  if (!o.body_contains.empty()) spec.expect.body_contains = o.body_contains;
  if (!o.body_not_contains.empty()) spec.expect.body_not_contains = o.body_not_contains;
  if (!o.body_regex.empty()) spec.expect.body_regex = o.body_regex;
  for (const auto& r : o.resolve) {
    auto colon = r.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == r.size()) {
      return fail("--resolve needs HOST:IP (got \"" + r + "\")");
    }
    spec.resolve.emplace_back(r.substr(0, colon), r.substr(colon + 1));
  }
  spec.tls.verify = !o.insecure;
  spec.tls.ca_file = o.ca_file;
  spec.follow_redirects = !o.no_follow;
  if (o.max_redirects < 0) return fail("--max-redirects must be >= 0");
  spec.max_redirects = o.max_redirects;
  if (!o.user_agent.empty()) spec.user_agent = o.user_agent;
  if (o.ip_version == "4") spec.ip_version = core::IpVersion::V4;
  else if (o.ip_version == "6") spec.ip_version = core::IpVersion::V6;
  else if (o.ip_version != "any") return fail("--ip-version must be any, 4 or 6");
  spec.confirm = false;
  return true;
}

std::string ms(core::Micros d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

void printHuman(const core::HttpCheckSpec& spec, const core::ProbeResult& r) {
  auto red = [&](const std::string& s) { return core::redact(s, spec.secrets); };
  std::printf("URL         %s\n", red(spec.url).c_str());
  if (r.success) {
    std::printf("Result      ok\n");
  } else {
    std::printf("Result      FAIL (%s): %s\n", std::string(core::toString(r.failure)).c_str(),
                red(r.message).c_str());
  }
  if (r.status_code != 0) {
    std::printf("Status      %d  HTTP/%s  redirects %d  body %llu bytes", r.status_code,
                r.http_version.c_str(), r.redirects, static_cast<unsigned long long>(r.bytes));
    if (r.content_length >= 0) std::printf("  content-length %lld", static_cast<long long>(r.content_length));
    std::printf("\n");
  }
  if (!r.final_url.empty() && r.final_url != spec.url) std::printf("Final URL   %s\n", red(r.final_url).c_str());
  std::printf("Duration    %s\n", ms(r.duration).c_str());
  std::printf("Phases      resolve %s | connect %s | tls %s | processing %s | transfer %s\n",
              ms(r.phases.resolve).c_str(), ms(r.phases.connect).c_str(), ms(r.phases.tls).c_str(),
              ms(r.phases.processing).c_str(), ms(r.phases.transfer).c_str());
  if (r.cert_not_after) {
    auto left = std::chrono::duration_cast<std::chrono::hours>(*r.cert_not_after - r.started).count();
    std::printf("Certificate earliest expiry %s (%s%lld days)\n", core::formatRfc3339(*r.cert_not_after).c_str(),
                left < 0 ? "expired " : "in ", static_cast<long long>((left < 0 ? -left : left) / 24));
  }
  if (!r.assertions.empty()) {
    std::printf("Assertions\n");
    for (const auto& a : r.assertions) {
      std::printf("  %s %s: %s\n", a.passed ? "ok  " : "FAIL", a.name.c_str(), red(a.detail).c_str());
    }
  }
}

}  // namespace

int probeCommand(const ProbeOptions& o) {
  core::HttpCheckSpec spec;
  if (!o.config.empty()) {
    if (o.check.empty()) {
      std::fprintf(stderr, "shopwatch probe: -c needs --check SHOP/CHECK\n");
      return kExitUsage;
    }
    auto loaded = agent::loadConfigFile(o.config);
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.format().c_str());
      return kExitFailed;
    }
    const core::HttpCheckSpec* found = nullptr;
    int matches = 0;
    for (const auto& c : loaded.config->checks) {
      if (o.check == c->key.shop + "/" + c->key.check || o.check == c->key.shop + "/" + c->key.env + "/" + c->key.check) {
        found = c.get();
        ++matches;
      }
    }
    if (matches == 0) {
      std::fprintf(stderr, "shopwatch probe: no check \"%s\" in %s (use SHOP/CHECK)\n", o.check.c_str(),
                   o.config.c_str());
      return kExitUsage;
    }
    if (matches > 1) {
      std::fprintf(stderr, "shopwatch probe: \"%s\" exists in several envs; use SHOP/ENV/CHECK\n", o.check.c_str());
      return kExitUsage;
    }
    spec = *found;
  } else {
    if (o.url.empty()) {
      std::fprintf(stderr, "shopwatch probe: give a URL, or -c FILE --check SHOP/CHECK\n");
      return kExitUsage;
    }
    if (!specFromFlags(o, spec)) return kExitUsage;
  }

  core::ProbeResult result = probes::probeOnce(spec);
  if (o.json) {
    std::printf("%s\n", agent::status::probeResultJson(result, spec.secrets, 2).c_str());
  } else {
    printHuman(spec, result);
  }
  return result.success ? kExitOk : kExitFailed;
}

}  // namespace shopwatch::cli
