#include "basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <list>
#include <unordered_map>
#include <utility>

#include "bearer_auth.h"

namespace shopwatch::agent::http::detail {

namespace {

using Clock = std::chrono::steady_clock;

/// SHA-256 of "user:password" (the cache never holds a password).
std::string digestOf(std::string_view user, std::string_view password) {
  std::string text;
  text.reserve(user.size() + 1 + password.size());
  text.append(user).append(1, ':').append(password);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) return {};
  OPENSSL_cleanse(text.data(), text.size());
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool base64Decode(std::string_view in, std::string& out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const int v = base64Value(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFFU));
    }
  }
  return true;
}

bool isMaintenanceWrite(const HttpRequest& req) {
  constexpr std::string_view kPath = "/api/v1/maintenance";
  if (req.method == "POST") return req.path == kPath;
  if (req.method == "DELETE") return req.path.size() > kPath.size() && req.path.starts_with(kPath) &&
                                     req.path[kPath.size()] == '/';
  return false;
}

HttpResponse plain(int status, std::string body) {
  HttpResponse res;
  res.status = status;
  res.body = std::move(body);
  return res;
}

}  // namespace

/// Digest → expiry, bounded: the oldest entry goes when a new one does not fit.
struct BasicAuthenticator::Cache {
  /// `slide`: a hit renews the entry's time and makes it the newest (verified credentials in use:
  /// a scraper that keeps coming never needs bcrypt again, even while a flood holds the slots).
  Cache(std::size_t cap, std::chrono::seconds entry_ttl, bool slide_on_hit)
      : capacity(cap), ttl(entry_ttl), slide(slide_on_hit) {}

  bool contains(const std::string& key) {
    std::lock_guard lock(mu);
    auto it = entries.find(key);
    if (it == entries.end()) return false;
    const auto now = Clock::now();
    if (it->second.first <= now) {
      order.erase(it->second.second);
      entries.erase(it);
      return false;
    }
    if (slide) {
      it->second.first = now + ttl;
      order.splice(order.end(), order, it->second.second);
    }
    return true;
  }

  void insert(const std::string& key) {
    if (capacity == 0) return;
    std::lock_guard lock(mu);
    if (auto it = entries.find(key); it != entries.end()) {
      order.erase(it->second.second);
      entries.erase(it);
    }
    while (entries.size() >= capacity) {
      entries.erase(order.front());
      order.pop_front();
    }
    order.push_back(key);
    entries.emplace(key, std::make_pair(Clock::now() + ttl, std::prev(order.end())));
  }

  const std::size_t capacity;
  const std::chrono::seconds ttl;
  const bool slide;
  std::mutex mu;
  std::list<std::string> order;  // oldest first
  std::unordered_map<std::string, std::pair<Clock::time_point, std::list<std::string>::iterator>> entries;
};

bool parseBasicCredentials(std::string_view authorization, std::string& user, std::string& password) {
  while (!authorization.empty() && (authorization.front() == ' ' || authorization.front() == '\t'))
    authorization.remove_prefix(1);
  while (!authorization.empty() && (authorization.back() == ' ' || authorization.back() == '\t'))
    authorization.remove_suffix(1);
  constexpr std::string_view kScheme = "basic";
  if (authorization.size() <= kScheme.size() + 1) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  if (authorization[kScheme.size()] != ' ') return false;
  auto encoded = authorization.substr(kScheme.size() + 1);
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  std::string decoded;
  if (!base64Decode(encoded, decoded)) return false;
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  user = decoded.substr(0, colon);
  password = decoded.substr(colon + 1);
  OPENSSL_cleanse(decoded.data(), decoded.size());
  return true;
}

BasicAuthenticator::BasicAuthenticator(BasicAuthOptions options)
    : options_(std::move(options)),
      good_(std::make_unique<Cache>(options_.cache_size, options_.cache_ttl, true)),
      bad_(std::make_unique<Cache>(options_.failure_cache_size, options_.failure_ttl, false)) {}

BasicAuthenticator::~BasicAuthenticator() = default;

bool BasicAuthenticator::verify(const std::string& user, const std::string& password) {
  if (options_.users.empty() || password.find('\0') != std::string::npos) return false;
  const auto it = options_.users.find(user);
  // An unknown user costs the same bcrypt as a known one (against another user's hash), so the
  // answer time does not tell which user names exist.
  const std::string& hash = it != options_.users.end() ? it->second : options_.users.begin()->second;
  auto data = std::make_unique<crypt_data>();
  bcrypt_calls_.fetch_add(1);
  const char* out = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  const bool ok = out != nullptr && out[0] != '*' && constantTimeEquals(out, hash);
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return ok && it != options_.users.end();
}

BasicAuthenticator::Outcome BasicAuthenticator::check(std::string_view authorization) {
  std::string user;
  std::string password;
  if (!parseBasicCredentials(authorization, user, password)) return Outcome::Denied;
  const std::string key = digestOf(user, password);
  if (key.empty()) return Outcome::Denied;
  if (good_->contains(key)) return Outcome::Allowed;
  if (bad_->contains(key)) return Outcome::Denied;
  // A slot for one bcrypt, or "busy" at once: requests never queue behind each other's bcrypt.
  std::size_t running = in_flight_.load();
  do {
    if (running >= options_.max_concurrent) return Outcome::Busy;
  } while (!in_flight_.compare_exchange_weak(running, running + 1));
  const bool ok = verify(user, password);
  in_flight_.fetch_sub(1);
  OPENSSL_cleanse(password.data(), password.size());
  (ok ? good_ : bad_)->insert(key);
  return ok ? Outcome::Allowed : Outcome::Denied;
}

RequestGate basicAuthGate(std::shared_ptr<BasicAuthenticator> authenticator) {
  return [auth = std::move(authenticator)](const HttpRequest& req) -> std::optional<HttpResponse> {
    if (req.path == "/healthz") return std::nullopt;
    const auto it = req.headers.find("authorization");
    const std::string_view value = it == req.headers.end() ? std::string_view{} : it->second;
    if (isMaintenanceWrite(req) && !bearerToken(value).empty()) return std::nullopt;
    switch (auth->check(value)) {
      case BasicAuthenticator::Outcome::Allowed:
        return std::nullopt;
      case BasicAuthenticator::Outcome::Busy: {
        auto res = plain(429, "too many authentication attempts in progress, retry\n");
        res.headers.emplace_back("Retry-After", "1");
        return res;
      }
      case BasicAuthenticator::Outcome::Denied:
        break;
    }
    auto res = plain(401, "unauthorized\n");
    res.headers.emplace_back("WWW-Authenticate", "Basic realm=\"shopwatch\"");
    return res;
  };
}

}  // namespace shopwatch::agent::http::detail
