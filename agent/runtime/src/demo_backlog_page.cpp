#include "demo_backlog_page.h"

#include "demo_backlog_support.h"
#include "shopwatch/core/text.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::runtime::detail {

namespace {

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:60em;color:#172b4d}"
    "section{border:1px solid #dfe1e6;border-radius:4px;padding:0 1em 1em;margin:1em 0}"
    "h2 a{text-decoration:none}.status{padding:0 .4em;border-radius:3px;font-weight:600}"
    ".new{background:#dfe1e6}.indeterminate{background:#deebff}.done{background:#e3fcef}"
    "code{background:#f4f5f7;padding:0 .3em;margin-right:.3em}pre{white-space:pre-wrap;"
    "background:#f4f5f7;padding:.5em;margin:.3em 0}time{color:#6b778c}";

std::string flavorName(JiraSettings::Flavor flavor) {
  return flavor == JiraSettings::Flavor::Cloud ? "Jira Cloud (REST v3)"
                                               : "Jira Data Center (REST v2)";
}

std::string head(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"refresh\" content=\"5\"><title>" +
         core::htmlEscape(title) + "</title><style>" + kStyle + "</style></head><body>\n";
}

std::string timeText(core::SystemTime t) {
  return "<time>" + core::htmlEscape(core::formatRfc3339(t)) + "</time>";
}

std::string issueSection(const DemoIssue& issue) {
  std::string out = "<section class=\"issue\" id=\"" + core::htmlEscape(issue.key) +
                    "\">\n<h2><a href=\"/issues/" + core::htmlEscape(issue.key) + "\">" +
                    core::htmlEscape(issue.key) + "</a> " + core::htmlEscape(issue.summary) +
                    "</h2>\n<p>Status <span class=\"status " + core::htmlEscape(issue.status_category) +
                    "\">" + core::htmlEscape(issue.status) + "</span>";
  if (!issue.resolution.empty()) out += " · Resolution " + core::htmlEscape(issue.resolution);
  if (!issue.priority.empty()) out += " · Priority " + core::htmlEscape(issue.priority);
  out += " · " + core::htmlEscape(issue.issue_type) + " · created " + timeText(issue.created);
  if (issue.resolved) out += " · resolved " + timeText(*issue.resolved);
  out += "</p>\n<p>Labels ";
  if (issue.labels.empty()) out += "none";
  for (const auto& label : issue.labels) out += "<code>" + core::htmlEscape(label) + "</code>";
  out += "</p>\n";
  if (!issue.description.empty()) {
    out += "<h3>Description</h3>\n<pre>" + core::htmlEscape(issue.description) + "</pre>\n";
  }
  out += "<h3>Comments (" + std::to_string(issue.comments.size()) + ")</h3>\n";
  if (!issue.comments.empty()) {
    out += "<ol class=\"comments\">\n";
    for (const auto& c : issue.comments) {
      out += "<li>" + timeText(c.created) + "<pre>" + core::htmlEscape(c.body) + "</pre></li>\n";
    }
    out += "</ol>\n";
  }
  out += "<h3>Transitions (" + std::to_string(issue.transitions.size()) + ")</h3>\n";
  if (!issue.transitions.empty()) {
    out += "<ol class=\"transitions\">\n";
    for (const auto& t : issue.transitions) {
      out += "<li>" + timeText(t.at) + " " + core::htmlEscape(t.name) + ": " + core::htmlEscape(t.from) +
             " → " + core::htmlEscape(t.to);
      if (!t.resolution.empty()) out += " (" + core::htmlEscape(t.resolution) + ")";
      out += "</li>\n";
    }
    out += "</ol>\n";
  }
  if (!issue.links.empty()) {
    out += "<h3>Links</h3>\n<ul>\n";
    for (const auto& l : issue.links) {
      const std::string& other = l.inward == issue.key ? l.outward : l.inward;
      out += "<li>" + core::htmlEscape(l.type) + " <a href=\"/issues/" + core::htmlEscape(other) + "\">" +
             core::htmlEscape(other) + "</a></li>\n";
    }
    out += "</ul>\n";
  }
  return out + "</section>\n";
}

}  // namespace

std::string renderBacklogPage(const std::vector<DemoIssue>& issues, JiraSettings::Flavor flavor) {
  std::string out = head("shopwatch demo backlog");
  out += "<h1>shopwatch demo backlog</h1>\n<p>A fake " + flavorName(flavor) +
         " that the agent's Jira sink files incidents into. " + std::to_string(issues.size()) +
         (issues.size() == 1 ? " issue" : " issues") +
         ", newest first; this page refreshes every 5 s.</p>\n";
  if (issues.empty())
    out += "<p class=\"empty\">No issues yet. Break the demo shop's checkout to file one.</p>\n";
  for (auto it = issues.rbegin(); it != issues.rend(); ++it) out += issueSection(*it);
  return out + "</body></html>\n";
}

std::string renderIssuePage(const DemoIssue& issue, JiraSettings::Flavor flavor) {
  std::string out = head(issue.key + " · shopwatch demo backlog");
  out += "<p><a href=\"/\">← all issues</a> · " + flavorName(flavor) + "</p>\n";
  out += issueSection(issue);
  return out + "</body></html>\n";
}

std::string renderMissingIssuePage(const std::string& key) {
  return head("not found · shopwatch demo backlog") +
         "<p><a href=\"/\">← all issues</a></p>\n<p>No issue " + core::htmlEscape(key) +
         ".</p>\n</body></html>\n";
}

}  // namespace shopwatch::agent::runtime::detail
