#include "demo_backlog_jql.h"

#include <cctype>
#include <optional>
#include <utility>

#include "shopwatch/core/text.h"

namespace shopwatch::agent::runtime::detail {

namespace {

enum class TokenKind { Word, String, Open, Close, Comma, Equals, Operator, End };

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  std::size_t at = 0;  ///< 0-based offset
};

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

bool isOperatorChar(char c) { return c == '!' || c == '~' || c == '<' || c == '>' || c == '='; }

core::Error jqlError(const std::string& what, std::size_t at) {
  return core::makeError(
      core::ErrorCode::Invalid,
      "Error in the JQL Query: " + what + " (line 1, character " + std::to_string(at + 1) + ")");
}

core::Result<std::vector<Token>> tokenize(std::string_view jql) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < jql.size()) {
    const char c = jql[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    Token t;
    t.at = i;
    if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? TokenKind::Open : c == ')' ? TokenKind::Close : TokenKind::Comma;
      t.text = std::string(1, c);
      ++i;
    } else if (c == '"' || c == '\'') {
      t.kind = TokenKind::String;
      ++i;
      bool closed = false;
      while (i < jql.size()) {
        if (jql[i] == '\\' && i + 1 < jql.size()) {
          t.text += jql[i + 1];
          i += 2;
        } else if (jql[i] == c) {
          closed = true;
          ++i;
          break;
        } else {
          t.text += jql[i++];
        }
      }
      if (!closed) return jqlError("The quoted string is not closed.", t.at);
    } else if (isOperatorChar(c)) {
      while (i < jql.size() && isOperatorChar(jql[i])) t.text += jql[i++];
      t.kind = t.text == "=" ? TokenKind::Equals : TokenKind::Operator;
    } else if (isWordChar(c)) {
      t.kind = TokenKind::Word;
      while (i < jql.size() && isWordChar(jql[i])) t.text += jql[i++];
    } else {
      return jqlError("The character '" + std::string(1, c) + "' is a reserved JQL character.", i);
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.at = jql.size();
  out.push_back(end);
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  core::Result<JqlQuery> parse() {
    JqlQuery query;
    if (peek().kind == TokenKind::End)
      return query;  // empty: every issue (Cloud calls it unbounded)
    if (!atKeyword("order")) {
      while (true) {
        auto clause = parseClause();
        if (!clause) return clause.error();
        query.clauses.push_back(std::move(*clause));
        if (!atKeyword("and")) break;
        ++pos_;
      }
    }
    if (atKeyword("order")) {
      ++pos_;
      if (!atKeyword("by")) return expected("'by'");
      ++pos_;
      while (true) {
        if (peek().kind != TokenKind::Word) return expected("a field name");
        const std::string field = core::asciiLower(peek().text);
        if (field != "created" && field != "key") {
          return jqlError("Ordering by '" + peek().text + "' is not supported here.", peek().at);
        }
        ++pos_;
        JqlOrder order{field, false};
        if (atKeyword("asc") || atKeyword("desc")) {
          order.descending = atKeyword("desc");
          ++pos_;
        }
        query.order.push_back(std::move(order));
        if (peek().kind != TokenKind::Comma) break;
        ++pos_;
      }
    }
    if (atKeyword("or")) {
      return jqlError("The operator 'OR' is not supported here.", peek().at);
    }
    if (peek().kind != TokenKind::End) {
      return jqlError("Expecting either 'OR' or 'AND' but got '" + peek().text + "'.", peek().at);
    }
    return query;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  bool atKeyword(std::string_view word) const {
    return peek().kind == TokenKind::Word && core::asciiIEquals(peek().text, word);
  }
  core::Error expected(const std::string& what) const {
    const std::string got =
        peek().kind == TokenKind::End ? "the end of the query" : "'" + peek().text + "'";
    return jqlError("Expecting " + what + " but got " + got + ".", peek().at);
  }

  std::optional<std::string> value() {
    if (peek().kind != TokenKind::String && peek().kind != TokenKind::Word) return std::nullopt;
    return tokens_[pos_++].text;
  }

  core::Result<JqlClause> parseClause() {
    if (peek().kind != TokenKind::Word) return expected("a field name");
    const Token& name = peek();
    JqlClause clause;
    const std::string field = core::asciiLower(name.text);
    if (field == "project") {
      clause.field = JqlField::Project;
    } else if (field == "labels") {
      clause.field = JqlField::Labels;
    } else if (field == "key" || field == "issuekey") {
      clause.field = JqlField::Key;
    } else {
      return jqlError("Field '" + name.text + "' is not supported by this backlog.", name.at);
    }
    ++pos_;
    if (peek().kind == TokenKind::Equals) {
      ++pos_;
      auto v = value();
      if (!v) return expected("a value");
      clause.values.push_back(std::move(*v));
      return clause;
    }
    if (!atKeyword("in")) {
      if (peek().kind == TokenKind::Operator || peek().kind == TokenKind::Word) {
        return jqlError("The operator '" + peek().text + "' is not supported here.", peek().at);
      }
      return expected("an operator");
    }
    ++pos_;
    if (peek().kind != TokenKind::Open) return expected("'('");
    ++pos_;
    while (true) {
      auto v = value();
      if (!v) return expected("a value");
      clause.values.push_back(std::move(*v));
      if (peek().kind == TokenKind::Close) break;
      if (peek().kind != TokenKind::Comma) return expected("',' or ')'");
      ++pos_;
    }
    ++pos_;
    return clause;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

}  // namespace

core::Result<JqlQuery> parseJql(std::string_view jql) {
  auto tokens = tokenize(jql);
  if (!tokens) return tokens.error();
  return Parser(std::move(*tokens)).parse();
}

}  // namespace shopwatch::agent::runtime::detail
