#pragma once
/// `insights:` — how performance findings ([F]) are audited, weighted and filed. Plain data; every
/// field has its built-in default when the section or the key is absent (insights_keys.cpp reads
/// and validates it).

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/duration.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::agent {

struct InsightsSettings {
  /// `asset_hosts:` hosts besides each page's own whose assets the audits fetch (a CDN): lower-case
  /// host names, no scheme, port or path; each once.
  std::vector<std::string> asset_hosts;
  /// `backlog:` the sink findings are filed into as improvement items: "jira", "redmine" or
  /// "webhook", configured under `backlog:`. Empty: findings are not filed.
  std::string backlog;
  /// `issue_type:` the filed items' Jira issue type / Redmine tracker; empty: the sink's own.
  std::string issue_type;
  /// `min_priority:` findings below this priority are not filed.
  rules::Severity min_priority = rules::Severity::Warning;
  /// A check's (`shop/check`) or a step's (`shop/check/step`) importance; the most specific entry
  /// wins. Unlisted: checkout_weight for checks and steps whose name contains checkout, cart,
  /// basket, payment or order; else 1. Each name is a loaded check or journey step, each weight >
  /// 0, in file order.
  std::vector<std::pair<std::string, double>> weights;
  double checkout_weight = 3.0;  ///< > 0
  /// `audit_interval:` how often the running agent audits pages and their assets; 0: never.
  core::Micros audit_interval = std::chrono::hours{6};
  /// `max_assets:` assets fetched per audited page (0: the page alone).
  int max_assets = 60;
  /// `max_asset_bytes:` the largest asset body read (larger ones are cut and counted as this much).
  std::uint64_t max_asset_bytes = 10ull * 1024 * 1024;
  /// `page_weight_limit:` page + assets (wire bytes) above this is a `page-weight` finding.
  std::uint64_t page_weight_limit = 3ull * 1024 * 1024;
  /// `image_limit:` one image (wire bytes) above this is a `large-image` finding.
  std::uint64_t image_limit = 300ull * 1024;
  /// `close_after:` a filed item whose finding has been gone this long is closed.
  core::Micros close_after = std::chrono::hours{24 * 7};
  int line = 0;  ///< where `insights:` starts in the config file (1-based; 0: not written)
};

}  // namespace shopwatch::agent
