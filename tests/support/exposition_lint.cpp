#include "exposition_lint.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace shopwatch::testing {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isBlank(char c) { return c == ' ' || c == '\t'; }
bool isMetricNameStart(char c) { return isAsciiAlpha(c) || c == '_' || c == ':'; }
bool isMetricNameChar(char c) { return isMetricNameStart(c) || isDigit(c); }
bool isLabelNameStart(char c) { return isAsciiAlpha(c) || c == '_'; }
bool isLabelNameChar(char c) { return isLabelNameStart(c) || isDigit(c); }

/// A cursor over one line; every parse step reports failure by message, never by exception.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[pos_]; }
  void advance() { ++pos_; }
  std::size_t skipBlanks() {
    const auto start = pos_;
    while (!atEnd() && isBlank(text_[pos_])) ++pos_;
    return pos_ - start;
  }
  std::string_view take(bool (*first)(char), bool (*rest)(char)) {
    const auto start = pos_;
    if (atEnd() || !first(text_[pos_])) return {};
    ++pos_;
    while (!atEnd() && rest(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  std::string_view rest() const { return atEnd() ? std::string_view{} : text_.substr(pos_); }
  std::string_view takeUntilBlank() {
    const auto start = pos_;
    while (!atEnd() && !isBlank(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

/// Go's strconv.ParseFloat as the text format uses it: decimal floats, [+-]Inf, NaN.
std::optional<double> parseValue(std::string_view token) {
  if (token.empty()) return std::nullopt;
  if (token.front() == '+') {
    token.remove_prefix(1);
    if (token.empty() || token.front() == '-' || token.front() == '+') return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc{} || end != token.data() + token.size()) return std::nullopt;
  // from_chars also takes "nan(...)"; Go does not.
  if (token.find('(') != std::string_view::npos) return std::nullopt;
  return value;
}

bool isTimestamp(std::string_view token) {
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  return !token.empty() && std::all_of(token.begin(), token.end(), isDigit);
}

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

/// The label value after its opening quote; "" on success, else what is wrong.
std::string parseLabelValue(Cursor& c, std::string& out) {
  for (;;) {
    if (c.atEnd()) return "unterminated label value";
    const char ch = c.peek();
    c.advance();
    if (ch == '"') return "";
    if (ch != '\\') {
      out.push_back(ch);
      continue;
    }
    const char esc = c.peek();
    if (esc == '\\' || esc == '"') {
      out.push_back(esc);
    } else if (esc == 'n') {
      out.push_back('\n');
    } else {
      return std::string("invalid escape \\") + (c.atEnd() ? std::string{} : std::string(1, esc)) +
             " in a label value (only \\\\, \\\" and \\n)";
    }
    c.advance();
  }
}

/// The label set after '{'; "" on success, else what is wrong.
std::string parseLabels(Cursor& c, Labels& labels) {
  for (;;) {
    c.skipBlanks();
    if (c.peek() == '}') {
      c.advance();
      return "";
    }
    const auto name = c.take(isLabelNameStart, isLabelNameChar);
    if (name.empty()) return "expected a label name or '}'";
    for (const auto& [seen, value] : labels) {
      if (seen == name) return "label " + std::string(name) + " given twice";
    }
    c.skipBlanks();
    if (c.peek() != '=') return "expected '=' after label " + std::string(name);
    c.advance();
    c.skipBlanks();
    if (c.peek() != '"') return "expected '\"' to open the value of label " + std::string(name);
    c.advance();
    std::string value;
    if (auto err = parseLabelValue(c, value); !err.empty()) return err;
    labels.emplace_back(std::string(name), std::move(value));
    c.skipBlanks();
    if (c.peek() == ',') {
      c.advance();
    } else if (c.peek() != '}') {
      return "expected ',' or '}' after the value of label " + std::string(name);
    }
  }
}

/// One sample line; "" on success, else what is wrong.
std::string parseSample(std::string_view line, Sample& out) {
  Cursor c(line);
  const auto name = c.take(isMetricNameStart, isMetricNameChar);
  if (name.empty()) return "expected a metric name";
  out.name = std::string(name);
  if (c.peek() == '{') {
    c.advance();
    if (auto err = parseLabels(c, out.labels); !err.empty()) return err;
  }
  if (c.skipBlanks() == 0) return "expected a blank before the value";
  const auto value_token = c.takeUntilBlank();
  const auto value = parseValue(value_token);
  if (!value) return "value \"" + std::string(value_token) + "\" is not a number";
  out.value = *value;
  c.skipBlanks();
  if (c.atEnd()) return "";
  const auto ts = c.takeUntilBlank();
  if (!isTimestamp(ts)) return "timestamp \"" + std::string(ts) + "\" is not an integer";
  c.skipBlanks();
  if (!c.atEnd()) return "unexpected text after the timestamp";
  return "";
}

/// HELP text after its blank; only \\ and \n are escapes there.
std::string checkHelpText(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') continue;
    if (i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
      ++i;
      continue;
    }
    return "invalid escape in HELP text (only \\\\ and \\n)";
  }
  return "";
}

struct Metadata {
  enum class Kind { Help, Type, Comment };
  Kind kind = Kind::Comment;
  std::string family;
  std::string type;
};

/// A '#' line; "" on success, else what is wrong. Comments other than HELP/TYPE are free text.
std::string parseComment(std::string_view line, Metadata& out) {
  Cursor c(line.substr(1));
  c.skipBlanks();
  const auto word = c.takeUntilBlank();
  if (word != "HELP" && word != "TYPE") return "";
  out.kind = word == "HELP" ? Metadata::Kind::Help : Metadata::Kind::Type;
  if (c.skipBlanks() == 0) return "expected a metric name after " + std::string(word);
  const auto name = c.take(isMetricNameStart, isMetricNameChar);
  if (name.empty() || (!c.atEnd() && !isBlank(c.peek()))) {
    return "expected a metric name after " + std::string(word);
  }
  out.family = std::string(name);
  const bool blank = c.skipBlanks() > 0;
  if (out.kind == Metadata::Kind::Help) {
    if (c.atEnd()) return "";
    if (!blank) return "expected a blank before the HELP text";
    return checkHelpText(c.rest());
  }
  out.type = std::string(c.takeUntilBlank());
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                               "untyped"};
  if (!kTypes.contains(out.type)) return "unknown metric type \"" + out.type + "\"";
  c.skipBlanks();
  if (!c.atEnd()) return "unexpected text after the metric type";
  return "";
}

std::string formatLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ",";
    out += name + "=\"" + value + "\"";
  }
  return out + "}";
}

std::string formatNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

struct FamilyState {
  std::size_t help_line = 0;
  std::size_t type_line = 0;
  std::string type;
  std::size_t first_sample_line = 0;
  std::size_t block_end_line = 0;  ///< last sample line of a block that has ended; 0 while open
  bool reported_missing_type = false;
};

struct Bucket {
  double le = 0;
  double count = 0;
};

struct HistogramSeries {
  std::string family;
  Labels labels;                ///< without le
  std::vector<Bucket> buckets;  ///< in exposition order
  std::optional<double> count;
  bool has_sum = false;
};

class Linter {
 public:
  std::vector<LintProblem> run(std::string_view text) {
    std::size_t line_no = 0;
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      const bool terminated = end != std::string_view::npos;
      if (!terminated) end = text.size();
      ++line_no;
      lintLine(text.substr(start, end - start), line_no);
      if (!terminated) {
        add(LintCheck::MissingFinalNewline, line_no, "the last line does not end with \\n");
      }
      start = end + 1;
    }
    lintHistograms();
    return std::move(problems_);
  }

 private:
  void add(LintCheck check, std::size_t line, std::string message) {
    if (line != 0) message = "line " + std::to_string(line) + ": " + message;
    problems_.push_back({check, line, std::move(message)});
  }

  void lintLine(std::string_view line, std::size_t line_no) {
    if (std::all_of(line.begin(), line.end(), isBlank)) return;
    if (line.front() == '#') {
      Metadata meta;
      if (auto err = parseComment(line, meta); !err.empty()) {
        add(LintCheck::MalformedLine, line_no, err + ": " + std::string(line.substr(0, 80)));
        return;
      }
      if (meta.kind != Metadata::Kind::Comment) onMetadata(meta, line_no);
      return;
    }
    Sample sample;
    if (auto err = parseSample(line, sample); !err.empty()) {
      add(LintCheck::MalformedLine, line_no, err + ": " + std::string(line.substr(0, 80)));
      return;
    }
    onSample(std::move(sample), line_no);
  }

  void onMetadata(const Metadata& meta, std::size_t line_no) {
    const bool help = meta.kind == Metadata::Kind::Help;
    const char* what = help ? "HELP" : "TYPE";
    auto& fam = families_[meta.family];
    std::size_t& seen = help ? fam.help_line : fam.type_line;
    if (seen != 0) {
      add(LintCheck::DuplicateMetadata, line_no,
          std::string("second ") + what + " for " + meta.family + " (first at line " +
              std::to_string(seen) + ")");
    } else if (fam.first_sample_line != 0) {
      add(LintCheck::MetadataAfterSamples, line_no,
          std::string(what) + " for " + meta.family + " after its samples (first at line " +
              std::to_string(fam.first_sample_line) + ")");
    }
    if (seen == 0) seen = line_no;
    if (!help && fam.type.empty()) fam.type = meta.type;
    // Metadata of another family ends the current family's block.
    if (meta.family != current_family_) closeCurrentBlock();
    pending_meta_family_ = meta.family;
    pending_meta_line_ = line_no;
  }

  void closeCurrentBlock() {
    if (current_family_.empty()) return;
    families_[current_family_].block_end_line = last_sample_line_;
    current_family_.clear();
  }

  /// The family a sample belongs to: its own name when that has metadata, else the histogram or
  /// summary whose _bucket/_sum/_count it is, else its own name (untyped).
  std::string familyOf(const std::string& name) const {
    if (families_.contains(name)) return name;
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (name.size() <= suffix.size() || !name.ends_with(suffix)) continue;
      const auto base = name.substr(0, name.size() - suffix.size());
      const auto it = families_.find(base);
      if (it == families_.end()) continue;
      if (it->second.type == "histogram") return base;
      if (it->second.type == "summary" && suffix != "_bucket") return base;
    }
    return name;
  }

  void onSample(Sample sample, std::size_t line_no) {
    const auto family = familyOf(sample.name);
    if (!pending_meta_family_.empty() && pending_meta_family_ != family) {
      add(LintCheck::MetadataWrongFamily, line_no,
          "samples of " + family + " follow the HELP/TYPE of " + pending_meta_family_ + " (line " +
              std::to_string(pending_meta_line_) + ")");
    }
    pending_meta_family_.clear();

    if (family != current_family_) {
      closeCurrentBlock();
      auto& fam = families_[family];
      if (fam.block_end_line != 0) {
        add(LintCheck::SplitFamily, line_no,
            "family " + family + " is not contiguous (its earlier block ended at line " +
                std::to_string(fam.block_end_line) + ")");
      }
      fam.block_end_line = 0;
      current_family_ = family;
    }
    auto& fam = families_[family];
    if (fam.first_sample_line == 0) fam.first_sample_line = line_no;
    last_sample_line_ = line_no;
    if (fam.type.empty() && !fam.reported_missing_type) {
      fam.reported_missing_type = true;
      add(LintCheck::MissingType, line_no, "samples of " + family + " without a # TYPE line");
    }

    Labels sorted = sample.labels;
    std::sort(sorted.begin(), sorted.end());
    std::string key = sample.name;
    for (const auto& [n, v] : sorted) key += '\0' + n + '\x01' + v;
    const auto [it, inserted] = series_.emplace(std::move(key), line_no);
    if (!inserted) {
      add(LintCheck::DuplicateSeries, line_no,
          "duplicate series " + sample.name + formatLabels(sorted) + " (first at line " +
              std::to_string(it->second) + ")");
    }

    if (fam.type == "histogram" && family != sample.name) {
      onHistogramSample(family, sample, std::move(sorted), line_no);
    }
  }

  void onHistogramSample(const std::string& family, const Sample& sample, Labels sorted,
                         std::size_t line_no) {
    std::optional<std::string> le;
    std::erase_if(sorted, [&](const auto& kv) {
      if (kv.first != "le") return false;
      le = kv.second;
      return true;
    });
    std::string key = family;
    for (const auto& [n, v] : sorted) key += '\0' + n + '\x01' + v;
    auto [it, inserted] = histogram_index_.emplace(key, histograms_.size());
    if (inserted) histograms_.push_back({family, sorted, {}, std::nullopt, false});
    auto& h = histograms_[it->second];
    const std::string_view suffix = std::string_view(sample.name).substr(family.size());
    if (suffix == "_sum") {
      h.has_sum = true;
    } else if (suffix == "_count") {
      h.count = sample.value;
    } else if (suffix == "_bucket") {
      const auto bound = le ? parseValue(*le) : std::nullopt;
      if (!bound || std::isnan(*bound)) {
        add(LintCheck::HistogramBadBucket, line_no,
            "bucket of " + family + " without a numeric le label");
        return;
      }
      h.buckets.push_back({*bound, sample.value});
    }
  }

  void lintHistograms() {
    for (const auto& h : histograms_) {
      const auto name = "histogram " + h.family + formatLabels(h.labels) + ": ";
      const auto& b = h.buckets;
      for (std::size_t i = 1; i < b.size(); ++i) {
        if (b[i].le <= b[i - 1].le) {
          add(LintCheck::HistogramUnsortedBuckets, 0,
              name + "bucket le=" + formatNumber(b[i].le) +
                  " follows le=" + formatNumber(b[i - 1].le) + " (buckets must be sorted by le)");
          break;
        }
      }
      for (std::size_t i = 1; i < b.size(); ++i) {
        if (b[i].count < b[i - 1].count) {
          add(LintCheck::HistogramNotCumulative, 0,
              name + "bucket le=" + formatNumber(b[i].le) + " counts " + formatNumber(b[i].count) +
                  ", less than le=" + formatNumber(b[i - 1].le) + " with " +
                  formatNumber(b[i - 1].count));
          break;
        }
      }
      const auto inf = std::find_if(b.begin(), b.end(),
                                    [](const Bucket& x) { return std::isinf(x.le) && x.le > 0; });
      if (inf == b.end()) add(LintCheck::HistogramMissingInf, 0, name + "no le=\"+Inf\" bucket");
      if (!h.has_sum) add(LintCheck::HistogramMissingSum, 0, name + "no _sum");
      if (!h.count) {
        add(LintCheck::HistogramMissingCount, 0, name + "no _count");
      } else if (inf != b.end() && *h.count != inf->count) {
        add(LintCheck::HistogramCountMismatch, 0,
            name + "_count " + formatNumber(*h.count) + " differs from the +Inf bucket " +
                formatNumber(inf->count));
      }
    }
  }

  std::vector<LintProblem> problems_;
  std::map<std::string, FamilyState> families_;
  std::map<std::string, std::size_t> series_;  ///< series key → first line
  std::map<std::string, std::size_t> histogram_index_;
  std::vector<HistogramSeries> histograms_;  ///< in order of first appearance
  std::string current_family_;
  std::size_t last_sample_line_ = 0;
  std::string pending_meta_family_;
  std::size_t pending_meta_line_ = 0;
};

}  // namespace

std::vector<LintProblem> lintExposition(std::string_view text) { return Linter{}.run(text); }

std::string formatLintProblems(const std::vector<LintProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.message + "\n";
  return out;
}

bool hasProblem(const std::vector<LintProblem>& problems, LintCheck check) {
  return std::any_of(problems.begin(), problems.end(),
                     [check](const LintProblem& p) { return p.check == check; });
}

}  // namespace shopwatch::testing
