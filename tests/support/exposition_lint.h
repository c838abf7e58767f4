#pragma once
/// lintExposition: checks a Prometheus text exposition (format 0.0.4) for the mistakes that
/// `promtool check metrics` (2.42) lets through and that Prometheus then drops or misreads at
/// scrape time: duplicate series, a family split into several blocks, broken histograms, HELP/TYPE
/// lines given twice, late or for the wrong family, and malformed lines. Tests run it next to
/// promtool; it is the project's own, so a clone needs nothing beside it. Plain C++, no
/// dependencies.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace shopwatch::testing {

/// What a problem is about; tests assert the kind, humans read the message.
enum class LintCheck {
  MalformedLine,             ///< a sample, HELP or TYPE line that does not parse
  MissingFinalNewline,       ///< the last line does not end with '\n'
  DuplicateSeries,           ///< the same name and label set (in any label order) twice
  SplitFamily,               ///< a family's samples are not one contiguous block
  DuplicateMetadata,         ///< HELP or TYPE given twice for one family
  MetadataAfterSamples,      ///< HELP or TYPE for a family after samples of it
  MetadataWrongFamily,       ///< HELP/TYPE for one family directly followed by samples of another
  MissingType,               ///< samples of a family that has no TYPE line
  HistogramUnsortedBuckets,  ///< bucket `le` values not strictly increasing as exposed
  HistogramMissingInf,       ///< no le="+Inf" bucket (or it is not the last one)
  HistogramNotCumulative,    ///< a bucket's count below the previous bucket's
  HistogramCountMismatch,    ///< _count differs from the +Inf bucket
  HistogramMissingSum,       ///< no _sum series
  HistogramMissingCount,     ///< no _count series
  HistogramBadBucket,        ///< a _bucket sample without a numeric `le` label
};

struct LintProblem {
  LintCheck check;
  std::size_t line = 0;  ///< 1-based line of the offending line; 0 for a whole histogram series
  std::string message;   ///< "line N: ..." or "histogram NAME{labels}: ..."
};

/// Every problem in `text`, in line order (histogram problems last). Empty means clean. Never
/// throws on bad input: a line it cannot parse is itself a problem and is otherwise skipped.
std::vector<LintProblem> lintExposition(std::string_view text);

/// The problems' messages, one per line (for INFO()/failure output); "" when there are none.
std::string formatLintProblems(const std::vector<LintProblem>& problems);

/// True when `problems` holds at least one of `check`.
bool hasProblem(const std::vector<LintProblem>& problems, LintCheck check);

}  // namespace shopwatch::testing
