#pragma once
// A section's keys as one table: {key, applier, one-line doc, where it may be written}. The table
// is what the unknown-key check, its "did you mean" and the key reference (config_reference.h)
// read, so adding a key is a row plus its applier.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parse_context.h"
#include "shopwatch/agent/config/config_reference.h"

namespace shopwatch::agent::detail {

template <typename Target>
struct KeyRow {
  std::string_view key;
  /// Applies one entry to `target`, reporting problems through the context. nullptr: the section's
  /// own parser reads the key (a sub-map with rules across keys, e.g. `auth`).
  void (*apply)(ParseContext& ctx, const MapEntry& entry, Target& target);
  std::string_view doc;
  KeyPlace place = KeyPlace::Section;
};

template <typename Target>
class KeyTable {
 public:
  KeyTable(std::string_view section, std::span<const KeyRow<Target>> rows)
      : section_(section), rows_(rows) {
    names_.reserve(rows.size());
    for (const auto& row : rows) names_.push_back(row.key);
  }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  std::span<const std::string_view> names() const { return names_; }
  std::span<const KeyRow<Target>> rows() const { return rows_; }

  const KeyRow<Target>* find(std::string_view key) const {
    for (const auto& row : rows_) {
      if (row.key == key) return &row;
    }
    return nullptr;
  }

  /// The known entries of mapping `node` (ParseContext::entries against this table's keys).
  std::optional<std::vector<MapEntry>> entries(ParseContext& ctx, const YAML::Node& node,
                                               const std::string& path,
                                               bool allow_null = false) const {
    return ctx.entries(node, path, names_, allow_null);
  }

  /// Runs each entry's applier (entries come from entries(), so every key has a row).
  void apply(ParseContext& ctx, const std::vector<MapEntry>& entries, Target& target) const {
    for (const auto& entry : entries) {
      const KeyRow<Target>* row = find(entry.key);
      if (row && row->apply) row->apply(ctx, entry, target);
    }
  }

  void appendDocs(std::vector<KeyDoc>& out) const {
    for (const auto& row : rows_) {
      out.push_back(
          KeyDoc{std::string(section_), std::string(row.key), std::string(row.doc), row.place});
    }
  }

 private:
  std::string_view section_;
  std::span<const KeyRow<Target>> rows_;
  std::vector<std::string_view> names_;
};

}  // namespace shopwatch::agent::detail
