#pragma once
// The response audits one by one (audits.h documents each rule). Each returns the page's finding
// or nullopt. Private to agent/insights; auditPage() runs them all.

#include <optional>
#include <string>

#include "shopwatch/agent/insights/audits.h"

namespace shopwatch::agent::insights::detail {

/// A finding for the audit's key and step with id `id` (summary and savings left to the caller).
Finding pageFinding(const PageAudit& audit, const char* id);
/// `shop/check[/step]` as summaries name the page.
std::string pageName(const PageAudit& audit);

// audits.cpp: what the responses carry.
std::optional<Finding> auditCompression(const PageAudit& audit, const AuditLimits& limits);
std::optional<Finding> auditCacheHeaders(const PageAudit& audit, const AuditLimits& limits);
std::optional<Finding> auditPageWeight(const PageAudit& audit, const AuditLimits& limits);
std::optional<Finding> auditCookiesOnStatic(const PageAudit& audit);
std::optional<Finding> auditLargeImages(const PageAudit& audit, const AuditLimits& limits);

// audit_connection.cpp: how they were delivered.
std::optional<Finding> auditHttp2(const PageAudit& audit, const AuditLimits& limits);
std::optional<Finding> auditRedirects(const PageAudit& audit);
std::optional<Finding> auditSlowTls(const PageAudit& audit, const AuditLimits& limits);
std::optional<Finding> auditTlsResumption(const PageAudit& audit, const AuditLimits& limits);
std::optional<Finding> auditCertificate(const PageAudit& audit, const AuditLimits& limits);

}  // namespace shopwatch::agent::insights::detail
