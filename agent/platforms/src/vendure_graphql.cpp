// The Vendure fake's GraphQL reader: a lexer and a recursive-descent parser for executable
// documents (operations with variable definitions, fields with aliases, arguments, directives and
// nested selection sets, fragments). Only the top-level fields of the chosen operation are kept;
// everything below them is parsed and dropped. Errors are phrased like graphql-js's.
#include "vendure_graphql.h"

#include <cctype>
#include <map>

namespace shopwatch::agent::platforms::detail::vendure {
namespace {

using Json = nlohmann::json;

enum class Kind { Punct, Name, String, Int, Float, End };

struct Token {
  Kind kind = Kind::End;
  std::string text;
};

struct Failure {
  DocumentError error;
};

[[noreturn]] void fail(std::string code, std::string message) {
  throw Failure{DocumentError{std::move(code), std::move(message)}};
}
[[noreturn]] void syntax(const std::string& message) {
  // Apollo answers a syntax error with GRAPHQL_PARSE_FAILED; research A1 only names
  // GRAPHQL_VALIDATION_FAILED (HTTP 400) for an invalid document, which is what the fake answers.
  fail("GRAPHQL_VALIDATION_FAILED", "Syntax Error: " + message);
}

void appendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::vector<Token> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto isNameStart = [](char c) { return c == '_' || std::isalpha(static_cast<unsigned char>(c)); };
  auto isDigit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
      ++i;
    } else if (c == '#') {
      while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
    } else if (s.substr(i, 3) == "...") {
      out.push_back({Kind::Punct, "..."});
      i += 3;
    } else if (std::string_view("!$&()=:@[]{|}").find(c) != std::string_view::npos) {
      out.push_back({Kind::Punct, std::string(1, c)});
      ++i;
    } else if (isNameStart(c)) {
      const std::size_t start = i;
      while (i < s.size() && (isNameStart(s[i]) || isDigit(s[i]))) ++i;
      out.push_back({Kind::Name, std::string(s.substr(start, i - start))});
    } else if (c == '-' || isDigit(c)) {
      const std::size_t start = i;
      bool is_float = false;
      if (c == '-') ++i;
      if (i >= s.size() || !isDigit(s[i])) syntax("Invalid number, expected digit.");
      while (i < s.size() && isDigit(s[i])) ++i;
      if (i < s.size() && s[i] == '.') {
        is_float = true;
        ++i;
        if (i >= s.size() || !isDigit(s[i])) syntax("Invalid number, expected digit.");
        while (i < s.size() && isDigit(s[i])) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        is_float = true;
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (i >= s.size() || !isDigit(s[i])) syntax("Invalid number, expected digit.");
        while (i < s.size() && isDigit(s[i])) ++i;
      }
      out.push_back({is_float ? Kind::Float : Kind::Int, std::string(s.substr(start, i - start))});
    } else if (s.substr(i, 3) == "\"\"\"") {
      const auto end = s.find("\"\"\"", i + 3);
      if (end == std::string_view::npos) syntax("Unterminated string.");
      out.push_back({Kind::String, std::string(s.substr(i + 3, end - i - 3))});
      i = end + 3;
    } else if (c == '"') {
      std::string text;
      ++i;
      for (;;) {
        if (i >= s.size() || s[i] == '\n' || s[i] == '\r') syntax("Unterminated string.");
        const char d = s[i++];
        if (d == '"') break;
        if (d != '\\') {
          text += d;
          continue;
        }
        if (i >= s.size()) syntax("Unterminated string.");
        const char e = s[i++];
        switch (e) {
          case '"': case '\\': case '/': text += e; break;
          case 'b': text += '\b'; break;
          case 'f': text += '\f'; break;
          case 'n': text += '\n'; break;
          case 'r': text += '\r'; break;
          case 't': text += '\t'; break;
          case 'u': {
            if (i + 4 > s.size()) syntax("Invalid Unicode escape sequence.");
            unsigned cp = 0;
            for (int k = 0; k < 4; ++k) {
              const char h = s[i++];
              if (!std::isxdigit(static_cast<unsigned char>(h))) {
                syntax("Invalid Unicode escape sequence.");
              }
              cp = cp * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(h))
                                                       ? h - '0'
                                                       : (std::tolower(h) - 'a' + 10));
            }
            appendUtf8(text, cp);
            break;
          }
          default:
            syntax(std::string("Invalid character escape sequence: \"\\") + e + "\".");
        }
      }
      out.push_back({Kind::String, std::move(text)});
    } else {
      syntax(std::string("Unexpected character: \"") + c + "\".");
    }
  }
  out.push_back({Kind::End, ""});
  return out;
}

struct VariableDefinition {
  std::string type;  ///< as written, "String!"
  bool required = false;
  std::optional<Json> value;  ///< provided, or the default
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const Json& variables)
      : t_(std::move(tokens)), variables_(variables) {}

  /// Every operation of the document, by name ("" for an anonymous one).
  std::vector<std::pair<std::string, Operation>> document() {
    std::vector<std::pair<std::string, Operation>> ops;
    if (peek().kind == Kind::End) syntax("Unexpected <EOF>.");
    while (peek().kind != Kind::End) {
      defs_.clear();
      if (isPunct("{")) {
        Operation op;
        op.fields = selectionSet(true);
        ops.emplace_back("", std::move(op));
        continue;
      }
      const Token& head = peek();
      if (head.kind == Kind::Name && head.text == "fragment") {
        advance();
        name();  // the fragment's name
        expectName("on");
        name();
        directives();
        selectionSet(false);
        continue;
      }
      if (head.kind != Kind::Name || (head.text != "query" && head.text != "mutation")) {
        if (head.kind == Kind::Name && head.text == "subscription") {
          fail("GRAPHQL_VALIDATION_FAILED", "Schema is not configured to execute subscription operation.");
        }
        unexpected();
      }
      Operation op;
      op.mutation = advance().text == "mutation";
      std::string op_name;
      if (peek().kind == Kind::Name) op_name = advance().text;
      if (isPunct("(")) variableDefinitions();
      directives();
      op.fields = selectionSet(true);
      ops.emplace_back(std::move(op_name), std::move(op));
    }
    return ops;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  const Token& advance() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
  bool isPunct(std::string_view p) const { return peek().kind == Kind::Punct && peek().text == p; }

  [[noreturn]] void unexpected() const {
    const Token& t = peek();
    if (t.kind == Kind::End) syntax("Unexpected <EOF>.");
    if (t.kind == Kind::Name) syntax("Unexpected Name \"" + t.text + "\".");
    syntax("Unexpected \"" + t.text + "\".");
  }
  void expectPunct(std::string_view p) {
    if (!isPunct(p)) {
      const Token& t = peek();
      syntax("Expected \"" + std::string(p) + "\", found " +
             (t.kind == Kind::End ? "<EOF>" : "\"" + t.text + "\"") + ".");
    }
    advance();
  }
  std::string name() {
    if (peek().kind != Kind::Name) {
      const Token& t = peek();
      syntax("Expected Name, found " + (t.kind == Kind::End ? "<EOF>" : "\"" + t.text + "\"") + ".");
    }
    return advance().text;
  }
  void expectName(std::string_view n) {
    if (peek().kind != Kind::Name || peek().text != n) unexpected();
    advance();
  }

  std::string type() {
    std::string out;
    if (isPunct("[")) {
      advance();
      out = "[" + type() + "]";
      expectPunct("]");
    } else {
      out = name();
    }
    if (isPunct("!")) {
      advance();
      out += "!";
    }
    return out;
  }

  void variableDefinitions() {
    expectPunct("(");
    do {
      expectPunct("$");
      const std::string var = name();
      expectPunct(":");
      VariableDefinition def;
      def.type = type();
      std::optional<Json> fallback;
      if (isPunct("=")) {
        advance();
        fallback = value(true);
      }
      directives();
      def.required = def.type.ends_with("!") && !fallback;
      if (variables_.is_object() && variables_.contains(var)) {
        def.value = variables_[var];
      } else {
        def.value = fallback;
      }
      if (def.required && (!def.value || def.value->is_null())) {
        // Not in research A1: graphql-js/Apollo reject a missing required variable (HTTP 400).
        fail("BAD_USER_INPUT", "Variable \"$" + var + "\" of required type \"" + def.type +
                                   "\" was not provided.");
      }
      defs_[var] = std::move(def);
    } while (!isPunct(")"));
    advance();
  }

  void directives() {
    while (isPunct("@")) {
      advance();
      name();
      if (isPunct("(")) arguments();
    }
  }

  Json arguments() {
    Json args = Json::object();
    expectPunct("(");
    do {
      const std::string arg = name();
      expectPunct(":");
      args[arg] = value(false);
    } while (!isPunct(")"));
    advance();
    return args;
  }

  Json value(bool constant) {
    const Token& t = peek();
    if (t.kind == Kind::Punct && t.text == "$" && !constant) {
      advance();
      const std::string var = name();
      const auto it = defs_.find(var);
      if (it == defs_.end()) {
        fail("GRAPHQL_VALIDATION_FAILED", "Variable \"$" + var + "\" is not defined.");
      }
      return it->second.value ? *it->second.value : Json(nullptr);
    }
    if (t.kind == Kind::Int) return Json::parse(advance().text);
    if (t.kind == Kind::Float) return Json::parse(advance().text);
    if (t.kind == Kind::String) return Json(advance().text);
    if (t.kind == Kind::Name) {
      const std::string word = advance().text;
      if (word == "true") return true;
      if (word == "false") return false;
      if (word == "null") return nullptr;
      return word;  // an enum value
    }
    if (isPunct("[")) {
      advance();
      Json list = Json::array();
      while (!isPunct("]")) list.push_back(value(constant));
      advance();
      return list;
    }
    if (isPunct("{")) {
      advance();
      Json obj = Json::object();
      while (!isPunct("}")) {
        const std::string key = name();
        expectPunct(":");
        obj[key] = value(constant);
      }
      advance();
      return obj;
    }
    unexpected();
  }

  /// A selection set; the fields are returned only when `keep` (the operation's top level).
  std::vector<Field> selectionSet(bool keep) {
    std::vector<Field> fields;
    expectPunct("{");
    do {
      if (isPunct("...")) {
        advance();
        if (peek().kind == Kind::Name && peek().text != "on") {
          advance();  // a fragment spread
          directives();
          continue;
        }
        if (peek().kind == Kind::Name) {
          advance();  // on
          name();
        }
        directives();
        selectionSet(false);
        continue;
      }
      Field f;
      f.name = name();
      if (isPunct(":")) {
        advance();
        f.alias = std::move(f.name);
        f.name = name();
      } else {
        f.alias = f.name;
      }
      if (isPunct("(")) f.args = arguments();
      directives();
      if (isPunct("{")) selectionSet(false);
      if (keep) fields.push_back(std::move(f));
    } while (!isPunct("}"));
    advance();
    return fields;
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  const Json& variables_;
  std::map<std::string, VariableDefinition> defs_;
};

}  // namespace

std::optional<Operation> parseOperation(std::string_view document, const Json& variables,
                                        std::string_view operation_name, DocumentError& error) {
  try {
    Parser parser(lex(document), variables);
    auto ops = parser.document();
    if (!operation_name.empty()) {
      for (auto& [name, op] : ops) {
        if (name == operation_name) return std::move(op);
      }
      error = {"OPERATION_RESOLUTION_FAILURE",
               "Unknown operation named \"" + std::string(operation_name) + "\"."};
      return std::nullopt;
    }
    if (ops.size() != 1) {
      error = {"OPERATION_RESOLUTION_FAILURE",
               ops.empty() ? "Must provide an operation."
                           : "Must provide operation name if query contains multiple operations."};
      return std::nullopt;
    }
    return std::move(ops.front().second);
  } catch (const Failure& f) {
    error = f.error;
    return std::nullopt;
  }
}

}  // namespace shopwatch::agent::platforms::detail::vendure
