#pragma once
// Scans rendered HTML for references to anything outside the file: src= / href= / xlink:href=
// values that are not fragments (or one of the allowed ticket links), and CSS url(...).

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace shopwatch::report_html_test {

inline std::size_t countOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size()))
    ++n;
  return n;
}

/// One message per reference that would make the browser (or a click) leave the file, except the
/// `allowed_links` in <a href>.
inline std::vector<std::string> externalReferences(const std::string& page,
                                                   const std::set<std::string>& allowed_links) {
  std::vector<std::string> problems;
  for (const std::string attr :
       {" src=", " href=", ":href=", " srcset=", " poster=", " data=", " action="}) {
    for (auto pos = page.find(attr); pos != std::string::npos; pos = page.find(attr, pos + 1)) {
      std::size_t v = pos + attr.size();
      const char quote = v < page.size() ? page[v] : '\0';
      std::string value;
      if (quote == '"' || quote == '\'') {
        const auto end = page.find(quote, v + 1);
        value = page.substr(v + 1, end == std::string::npos ? std::string::npos : end - v - 1);
      } else {
        const auto end = page.find_first_of(" >", v);
        value = page.substr(v, end == std::string::npos ? std::string::npos : end - v);
      }
      if (!value.empty() && value[0] == '#') continue;
      if (attr == " href=" && allowed_links.count(value) != 0) continue;
      problems.push_back("external reference" + attr + value);
    }
  }
  for (auto pos = page.find("url("); pos != std::string::npos; pos = page.find("url(", pos + 1))
    problems.push_back("CSS url(): " + page.substr(pos, 60));
  return problems;
}

}  // namespace shopwatch::report_html_test
