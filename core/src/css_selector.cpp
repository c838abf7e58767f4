#include "shopwatch/core/css_selector.h"

#include "shopwatch/core/text.h"

#include <cctype>

namespace shopwatch::core {
namespace {

bool identChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '-' || c == '_' || u >= 0x80;
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view text) : text_(text) {}

  core::Result<CssSelector> parse() {
    CssSelector out;
    skipSpace();
    if (atEnd()) return fail("an empty selector selects nothing");
    while (!atEnd()) {
      auto compound = parseCompound();
      if (!compound) return compound.error();
      out.compounds.push_back(std::move(*compound));
      const std::size_t before = pos_;
      skipSpace();
      // Anything but a space between compounds is a combinator we do not support; parseCompound
      // reports it when it finds no compound start.
      if (!atEnd() && pos_ == before) return unsupported();
    }
    return out;
  }

 private:
  core::Result<CssCompound> parseCompound() {
    CssCompound compound;
    bool any = false;
    if (!atEnd() && identChar(peek())) {
      compound.tag = asciiLower(ident());
      any = true;
    }
    while (!atEnd() && !space(peek())) {
      const char c = peek();
      if (c == '#' || c == '.') {
        ++pos_;
        if (atEnd() || !identChar(peek())) {
          return fail(std::string("`") + c + "` must be followed by a name");
        }
        std::string name = ident();
        if (c == '#')
          compound.id = std::move(name);
        else
          compound.classes.push_back(std::move(name));
      } else if (c == '[') {
        auto attribute = parseAttribute();
        if (!attribute) return attribute.error();
        compound.attributes.push_back(std::move(*attribute));
      } else {
        return unsupported();
      }
      any = true;
    }
    if (!any) return unsupported();
    return compound;
  }

  core::Result<CssAttributeTest> parseAttribute() {
    ++pos_;  // '['
    skipSpace();
    if (atEnd() || !identChar(peek())) return fail("`[` must be followed by an attribute name");
    CssAttributeTest test;
    test.name = asciiLower(ident());
    skipSpace();
    if (!atEnd() && peek() == '=') {
      ++pos_;
      skipSpace();
      auto value = parseValue();
      if (!value) return value.error();
      test.value = std::move(*value);
      skipSpace();
    }
    if (atEnd()) return fail("missing `]`");
    if (peek() != ']') return unsupported();
    ++pos_;
    return test;
  }

  core::Result<std::string> parseValue() {
    if (atEnd()) return fail("`=` must be followed by a value");
    const char quote = peek();
    if (quote != '"' && quote != '\'') {
      if (!identChar(quote)) return unsupported();
      return ident();
    }
    ++pos_;
    std::string value;
    while (!atEnd() && peek() != quote) {
      if (peek() == '\\' && pos_ + 1 < text_.size()) ++pos_;
      value += text_[pos_++];
    }
    if (atEnd()) return fail(std::string("unterminated quoted value (missing `") + quote + "`)");
    ++pos_;
    return value;
  }

  std::string ident() {
    const std::size_t start = pos_;
    while (!atEnd() && identChar(peek())) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  void skipSpace() {
    while (!atEnd() && space(peek())) ++pos_;
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  core::Error unsupported() const {
    return fail("`" + std::string(1, text_[pos_]) + "` at column " + std::to_string(pos_ + 1) +
                " is not supported");
  }
  core::Error fail(const std::string& why) const {
    return core::makeError(core::ErrorCode::Invalid,
                           "CSS selector `" + std::string(text_) + "`: " + why +
                               " (supported: " + std::string(kCssSubset) + ")");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

core::Result<CssSelector> parseCssSelector(std::string_view selector) {
  return SelectorParser(selector).parse();
}

}  // namespace shopwatch::core
