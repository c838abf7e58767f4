#include "shopwatch/probes/http_probe_engine.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "assertions.h"
#include "curl_handles.h"
#include "shopwatch/core/redact.h"
#include "stream_matcher.h"
#include "tls_expiry.h"

namespace shopwatch::probes {
namespace {

using SteadyClock = std::chrono::steady_clock;
using core::FailureReason;
using core::Micros;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string stripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return std::string(host.substr(1, host.size() - 2));
  }
  return std::string(host);
}

bool isIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string bracketIfV6(const std::string& ip) {
  return ip.find(':') != std::string::npos && ip.front() != '[' ? "[" + ip + "]" : ip;
}

struct UrlParts {
  std::string scheme;
  std::string host;  // lower-case, without IPv6 brackets
  std::string port;
};

std::optional<std::string> urlPart(CURLU* u, CURLUPart part, unsigned flags) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK) return std::nullopt;
  detail::CurlString owned(out);
  return std::string(owned.get());
}

std::optional<UrlParts> parseUrl(const std::string& url) {
  detail::UrlHandle u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto scheme = urlPart(u.get(), CURLUPART_SCHEME, 0);
  auto host = urlPart(u.get(), CURLUPART_HOST, 0);
  auto port = urlPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || !port) return std::nullopt;
  return UrlParts{lower(*scheme), lower(stripBrackets(*host)), *port};
}

std::optional<std::string> replaceHost(const std::string& url, const std::string& host) {
  detail::UrlHandle u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_HOST, host.c_str(), 0) != CURLUE_OK) return std::nullopt;
  return urlPart(u.get(), CURLUPART_URL, 0);
}

Micros sinceMicros(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration_cast<Micros>(to - from);
}

const char* httpVersionName(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0: return "1.0";
    case CURL_HTTP_VERSION_1_1: return "1.1";
    case CURL_HTTP_VERSION_2_0: return "2";
    case CURL_HTTP_VERSION_3: return "3";
    default: return "";
  }
}

std::string originOf(const UrlParts& p) {
  return p.scheme + "://" + bracketIfV6(p.host) + ":" + p.port;
}

// Credentials and cookies belong to the origin they were configured for; a redirect elsewhere
// (another host, or the same host over plain http or on another port) must not carry them.
bool isCredentialHeader(const std::string& name, const std::string& value,
                        const std::vector<std::string>& secrets) {
  const std::string n = lower(name);
  if (n == "authorization" || n == "cookie") return true;
  return std::any_of(secrets.begin(), secrets.end(), [&value](const std::string& secret) {
    return !secret.empty() && value.find(secret) != std::string::npos;
  });
}

// A Location comes from the server: redacted, then cut, so it cannot bloat the result.
std::string shownLocation(const std::string& location, const std::vector<std::string>& secrets) {
  constexpr std::size_t kMaxShown = 200;
  std::string text = core::redact(location, secrets);
  if (text.size() <= kMaxShown) return text;
  std::size_t end = kMaxShown;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

bool containsSecret(const std::string& text, const std::vector<std::string>& secrets) {
  return std::any_of(secrets.begin(), secrets.end(), [&text](const std::string& secret) {
    return !secret.empty() && text.find(secret) != std::string::npos;
  });
}

bool isRedirectStatus(long code) {
  return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

}  // namespace

struct HttpProbeEngine::Impl {
  struct Submission {
    std::shared_ptr<const core::HttpCheckSpec> spec;
    Completion done;
  };

  // One run of a check: possibly several requests (hops) when it follows redirects.
  struct Run {
    std::uint64_t id = 0;
    Impl* engine = nullptr;
    std::shared_ptr<const core::HttpCheckSpec> spec;
    Completion done;
    std::shared_ptr<const detail::CompiledChecks> checks;
    std::string host_key;
    int host_limit = 4;
    SteadyClock::time_point start{};
    SteadyClock::time_point deadline{};
    core::ProbeResult result;
    std::string original_host;
    std::string original_origin;  // scheme://host:port of spec.url

    // The request of the current hop.
    std::string url;
    std::string method;
    std::string body;
    bool same_origin = true;  // false once a redirect left spec.url's origin
    std::string target;  // host:port for messages
    bool tls = false;
    Micros resolver_time{0};
    SteadyClock::time_point hop_start{};
    // When the status line of the final (non-1xx) response arrived.
    std::optional<SteadyClock::time_point> first_byte;
    detail::ShareHandle share;
    detail::EasyHandle easy;
    detail::SlistHandle request_headers;
    detail::SlistHandle resolve_list;
    detail::SlistHandle connect_to;
    bool in_multi = false;
    char errbuf[CURL_ERROR_SIZE] = {};

    // The response of the current hop.
    std::vector<std::pair<std::string, std::string>> headers;
    bool has_location = false;
    bool headers_done = false;
    bool redirect_hop = false;
    bool hop_info_collected = false;
    std::uint64_t bytes = 0;
    std::string body_buf;
    std::optional<detail::StreamMatcher> contains;
    std::optional<detail::StreamMatcher> not_contains;
    bool too_large = false;
    std::optional<std::uint64_t> announced_length;
    bool internal_error = false;
    bool paused = false;
    std::uint64_t held = 0;
    detail::CertExpirySink cert_sink;

    void resetHop() {
      headers.clear();
      has_location = headers_done = redirect_hop = hop_info_collected = false;
      bytes = 0;
      body_buf.clear();
      body_buf.shrink_to_fit();
      if (contains) contains->reset();
      if (not_contains) not_contains->reset();
      too_large = internal_error = paused = false;
      announced_length.reset();
      cert_sink.earliest.reset();
      result.cert_not_after.reset();  // describes the final hop only, as blackbox_exporter does
      errbuf[0] = '\0';
      resolver_time = Micros{0};
      first_byte.reset();
    }
  };

  struct HostSlot {
    int active = 0;
    std::deque<std::unique_ptr<Run>> waiting;
  };

  struct CacheEntry {
    std::weak_ptr<const core::HttpCheckSpec> spec;
    std::shared_ptr<const detail::CompiledChecks> checks;
  };

  explicit Impl(EngineOptions opts) : options(std::move(opts)) {
    if (options.default_per_host_limit <= 0) options.default_per_host_limit = 1;
    multi.reset(curl_multi_init());
    if (!multi) throw std::runtime_error("curl_multi_init failed");
    thread = std::jthread([this] { loop(); });
  }

  ~Impl() { shutdown(true); }

  // ---- caller side (any thread) ----

  void submit(std::shared_ptr<const core::HttpCheckSpec> spec, Completion done) {
    {
      std::lock_guard lock(mu);
      if (!stopping) {
        pending_count.fetch_add(1);
        inbox.push_back(Submission{std::move(spec), std::move(done)});
        curl_multi_wakeup(multi.get());
        return;
      }
    }
    core::ProbeResult result;
    result.started = wallNow();
    result.failure = FailureReason::Internal;
    result.message = "engine stopped";
    if (spec) result.final_url = core::redact(spec->url, spec->secrets);
    if (done) done(std::move(result));
  }

  void shutdown(bool cancel_runs) {
    std::lock_guard join_lock(join_mu);
    {
      std::lock_guard lock(mu);
      stopping = true;
      if (cancel_runs) cancel = true;
    }
    if (thread.joinable()) {
      curl_multi_wakeup(multi.get());
      thread.join();
    }
  }

  core::SystemTime wallNow() const {
    return options.clock ? options.clock->now() : core::SystemClock::instance().now();
  }

  // ---- engine thread ----

  void loop() {
    while (true) {
      std::vector<Submission> incoming;
      bool cancel_now = false;
      bool stop_now = false;
      {
        std::lock_guard lock(mu);
        incoming.swap(inbox);
        cancel_now = cancel;
        stop_now = stopping;
      }
      for (auto& s : incoming) enqueue(std::move(s));
      if (cancel_now) cancelAll();
      startDirtyHosts();

      int running = 0;
      curl_multi_perform(multi.get(), &running);
      drainMessages();
      expireDeadlines();
      if (resume_needed) resumePaused();
      startDirtyHosts();

      if (stop_now && runs.empty() && hosts.empty()) break;
      curl_multi_poll(multi.get(), nullptr, 0, nextTimeoutMs(), nullptr);
    }
  }

  int nextTimeoutMs() const {
    if (!dirty_hosts.empty() || resume_needed) return 0;
    int ms = 1000;
    if (!deadlines.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadlines.begin()->first -
                                                                        SteadyClock::now());
      ms = std::clamp<int>(static_cast<int>(left.count()) + 1, 0, ms);
    }
    return ms;
  }

  std::shared_ptr<const detail::CompiledChecks> compiled(
      const std::shared_ptr<const core::HttpCheckSpec>& spec) {
    auto it = cache.find(spec.get());
    if (it != cache.end() && it->second.spec.lock() == spec) return it->second.checks;
    if (cache.size() > 2 * cache_pruned_size + 64) {
      std::erase_if(cache, [](const auto& kv) { return kv.second.spec.expired(); });
      cache_pruned_size = cache.size();
    }
    auto checks = detail::compileChecks(*spec);
    cache[spec.get()] = CacheEntry{spec, checks};
    return checks;
  }

  void enqueue(Submission s) {
    auto run = std::make_unique<Run>();
    run->id = ++next_id;
    run->engine = this;
    run->spec = std::move(s.spec);
    run->done = std::move(s.done);
    if (!run->spec) {
      run->result.started = wallNow();
      run->result.failure = FailureReason::Internal;
      run->result.message = "no check spec given";
      complete(std::move(run));
      return;
    }
    const auto& spec = *run->spec;
    run->url = spec.url;
    run->method = spec.method.empty() ? "GET" : spec.method;
    run->body = spec.body;
    run->checks = compiled(run->spec);
    if (spec.expect.body_contains) run->contains.emplace(*spec.expect.body_contains);
    if (spec.expect.body_not_contains) run->not_contains.emplace(*spec.expect.body_not_contains);
    run->host_limit = spec.per_host_limit > 0 ? spec.per_host_limit : options.default_per_host_limit;
    auto parts = parseUrl(spec.url);
    if (!parts) {
      run->result.started = wallNow();
      run->result.failure = FailureReason::Internal;
      run->result.message = "invalid URL \"" + spec.url + "\"";
      complete(std::move(run));
      return;
    }
    run->original_host = parts->host;
    run->original_origin = originOf(*parts);
    run->host_key = parts->host + ":" + parts->port;
    auto& slot = hosts[run->host_key];
    slot.waiting.push_back(std::move(run));
    dirty_hosts.push_back(slot.waiting.back()->host_key);
  }

  void startDirtyHosts() {
    while (!dirty_hosts.empty()) {
      std::string key = std::move(dirty_hosts.back());
      dirty_hosts.pop_back();
      auto it = hosts.find(key);
      if (it == hosts.end()) continue;
      auto& slot = it->second;
      while (!slot.waiting.empty() && slot.active < slot.waiting.front()->host_limit) {
        auto run = std::move(slot.waiting.front());
        slot.waiting.pop_front();
        ++slot.active;
        startRun(std::move(run));
      }
      if (slot.active == 0 && slot.waiting.empty()) hosts.erase(it);
    }
  }

  void startRun(std::unique_ptr<Run> owned) {
    Run& r = *owned;
    r.start = SteadyClock::now();
    r.result.started = wallNow();
    r.deadline = r.start + std::max(r.spec->timeout, Micros{1000});
    runs.emplace(r.id, std::move(owned));
    deadlines.emplace(r.deadline, r.id);
    if (auto err = startHop(r)) failRun(r, err->first, std::move(err->second));
  }

  using HopError = std::optional<std::pair<FailureReason, std::string>>;

  HopError startHop(Run& r) {
    const auto& spec = *r.spec;
    auto parts = parseUrl(r.url);
    if (!parts) return std::pair{FailureReason::Internal, "invalid URL \"" + r.url + "\""};
    if (parts->scheme != "http" && parts->scheme != "https") {
      return std::pair{FailureReason::Internal, "unsupported URL scheme \"" + parts->scheme + "\""};
    }
    r.tls = parts->scheme == "https";
    const std::string& host = parts->host;
    r.target = bracketIfV6(host) + ":" + parts->port;

    std::optional<std::string> pinned;
    for (const auto& [name, ip] : spec.resolve) {
      if (lower(name) == host) pinned = ip;
    }
    if (!pinned && options.resolver && !isIpLiteral(host)) {
      auto t0 = SteadyClock::now();
      pinned = options.resolver->resolve(host, spec.ip_version);
      r.resolver_time = sinceMicros(t0, SteadyClock::now());
      r.result.phases.resolve += r.resolver_time;
      if (!pinned) return std::pair{FailureReason::Dns, "cannot resolve " + host + ": no address found"};
    }
    r.resolve_list.reset();
    if (pinned) {
      std::string entry = host + ":" + parts->port + ":" + bracketIfV6(*pinned);
      r.resolve_list.reset(curl_slist_append(nullptr, entry.c_str()));
    }
    std::string url = r.url;
    r.connect_to.reset();
    const std::string server_name = lower(spec.tls.server_name);
    // tls.server_name names the configured host; a redirect to another host keeps its own name.
    if (r.tls && !server_name.empty() && server_name != host && host == r.original_host) {
      // The URL carries the name (Host header, SNI, verification); CONNECT_TO sends the
      // connection where the original URL pointed.
      auto renamed = replaceHost(r.url, server_name);
      if (!renamed) return std::pair{FailureReason::Internal, "invalid tls.server_name \"" + server_name + "\""};
      url = *renamed;
      std::string mapping = server_name + ":" + parts->port + ":" + bracketIfV6(host) + ":" + parts->port;
      r.connect_to.reset(curl_slist_append(nullptr, mapping.c_str()));
    }

    r.share.reset(curl_share_init());
    r.easy.reset(curl_easy_init());
    if (!r.share || !r.easy) return std::pair{FailureReason::Internal, "out of curl handles"};
    // A private DNS cache per run: CURLOPT_RESOLVE pins of one check must not leak into another
    // check of the same host:port (the multi handle would otherwise share them).
    curl_share_setopt(r.share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);

    CURL* e = r.easy.get();
    CURLcode rc = CURLE_OK;
    auto set = [&rc](CURLcode c) {
      if (rc == CURLE_OK) rc = c;
    };
    const auto left = std::max<long>(1, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            r.deadline - SteadyClock::now()).count()));
    set(curl_easy_setopt(e, CURLOPT_URL, url.c_str()));
    set(curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&r)));
    set(curl_easy_setopt(e, CURLOPT_SHARE, r.share.get()));
    set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
#if LIBCURL_VERSION_NUM >= 0x075700
    // Without it, removing a transfer that is still resolving (deadline, cancel at shutdown) joins
    // the threaded resolver's getaddrinfo() and stalls the event thread for every other check.
    set(curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L));
#endif
    set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
    set(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
    set(curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L));
    set(curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, 0L));
    set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
    set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r.errbuf));
    set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::onBody));
    set(curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(&r)));
    set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::onHeader));
    set(curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(&r)));
    set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left));
    set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, left));
    if (!spec.user_agent.empty()) set(curl_easy_setopt(e, CURLOPT_USERAGENT, spec.user_agent.c_str()));
    long ipresolve = CURL_IPRESOLVE_WHATEVER;
    if (spec.ip_version == core::IpVersion::V4) ipresolve = CURL_IPRESOLVE_V4;
    if (spec.ip_version == core::IpVersion::V6) ipresolve = CURL_IPRESOLVE_V6;
    set(curl_easy_setopt(e, CURLOPT_IPRESOLVE, ipresolve));

    if (r.method == "GET" && r.body.empty()) {
      set(curl_easy_setopt(e, CURLOPT_HTTPGET, 1L));
    } else if (r.method == "HEAD") {
      set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
    } else {
      if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
        set(curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size())));
        set(curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str()));
      }
      if (r.method != "POST") set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str()));
    }

    r.request_headers.reset();
    curl_slist* list = nullptr;
    auto append = [&list](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (!next) return false;
      list = next;
      return true;
    };
    bool appended = true;
    for (const auto& [name, value] : spec.headers) {
      if (!r.same_origin && isCredentialHeader(name, value, spec.secrets)) continue;
      appended = appended && append(name + ": " + value);
    }
    if (r.same_origin && spec.bearer_token) {
      appended = appended && append("Authorization: Bearer " + *spec.bearer_token);
    }
    r.request_headers.reset(list);
    if (!appended) return std::pair{FailureReason::Internal, "out of memory building request headers"};
    if (list) set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, list));
    if (r.same_origin && spec.basic_auth) {
      set(curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)));
      set(curl_easy_setopt(e, CURLOPT_USERNAME, spec.basic_auth->user.c_str()));
      set(curl_easy_setopt(e, CURLOPT_PASSWORD, spec.basic_auth->password.c_str()));
    }
    if (!spec.proxy.empty()) set(curl_easy_setopt(e, CURLOPT_PROXY, spec.proxy.c_str()));
    if (r.resolve_list) set(curl_easy_setopt(e, CURLOPT_RESOLVE, r.resolve_list.get()));
    if (r.connect_to) set(curl_easy_setopt(e, CURLOPT_CONNECT_TO, r.connect_to.get()));

    if (r.tls) {
      const auto& t = spec.tls;
      set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, t.verify ? 1L : 0L));
      set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, t.verify ? 2L : 0L));
      if (!t.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, t.ca_file.c_str()));
      // The client certificate identifies the check to its own origin, like the credentials.
      if (r.same_origin && !t.cert_file.empty()) {
        set(curl_easy_setopt(e, CURLOPT_SSLCERT, t.cert_file.c_str()));
      }
      if (r.same_origin && !t.key_file.empty()) {
        set(curl_easy_setopt(e, CURLOPT_SSLKEY, t.key_file.c_str()));
      }
      set(curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &detail::installCertExpiryRecorder));
      set(curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, static_cast<void*>(&r.cert_sink)));
    }
    if (rc != CURLE_OK) {
      return std::pair{FailureReason::Internal, std::string("curl option rejected: ") + curl_easy_strerror(rc)};
    }
    r.hop_start = SteadyClock::now();
    if (curl_multi_add_handle(multi.get(), e) != CURLM_OK) {
      return std::pair{FailureReason::Internal, "curl_multi_add_handle failed"};
    }
    r.in_multi = true;
    return std::nullopt;
  }

  // ---- libcurl callbacks (engine thread, inside curl_multi_perform / curl_easy_pause) ----

  static std::size_t onHeader(char* data, std::size_t size, std::size_t nitems, void* user) {
    auto& r = *static_cast<Run*>(user);
    const std::size_t n = size * nitems;
    try {
      std::string_view line(data, n);
      if (line.starts_with("HTTP/")) {
        // "HTTP/x.y NNN ...": an interim 1xx is not the answer, the upload may only start after it.
        const auto sp = line.find(' ');
        const bool interim = sp != std::string_view::npos && sp + 1 < line.size() && line[sp + 1] == '1';
        if (!interim && !r.first_byte) r.first_byte = SteadyClock::now();
        r.headers.clear();
        r.has_location = false;
        r.headers_done = false;
        r.announced_length.reset();
        return n;
      }
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
      if (line.empty()) {
        long code = 0;
        curl_easy_getinfo(r.easy.get(), CURLINFO_RESPONSE_CODE, &code);
        if (code >= 100 && code < 200) return n;  // interim response, the real one follows
        r.headers_done = true;
        r.redirect_hop = r.spec->follow_redirects && r.has_location && isRedirectStatus(code);
        if (!r.redirect_hop && r.announced_length && *r.announced_length > r.spec->max_body) {
          r.too_large = true;
          return 0;
        }
        return n;
      }
      auto colon = line.find(':');
      if (colon == std::string_view::npos) return n;
      std::string name = lower(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (name == "location") r.has_location = true;
      if (name == "content-length") {
        std::uint64_t len = 0;
        bool digits = !value.empty();
        for (char c : value) {
          if (c < '0' || c > '9') digits = false;
          else len = len * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (digits) r.announced_length = len;
      }
      if (!r.spec->expect.headers.empty()) r.headers.emplace_back(std::move(name), std::string(value));
      return n;
    } catch (...) {
      r.internal_error = true;
      return 0;
    }
  }

  static std::size_t onBody(char* data, std::size_t size, std::size_t nmemb, void* user) {
    auto& r = *static_cast<Run*>(user);
    const std::size_t n = size * nmemb;
    try {
      if (r.bytes + n > r.spec->max_body) {
        r.too_large = true;
        return 0;
      }
      if (!r.redirect_hop) {
        if (r.checks->needs_full_body) {
          if (!r.engine->acquireBudget(r, n)) {
            r.paused = true;
            r.engine->paused_runs.push_back(r.id);
            r.engine->budget_pauses.fetch_add(1, std::memory_order_relaxed);
            return CURL_WRITEFUNC_PAUSE;
          }
          r.body_buf.append(data, n);
        }
        std::string_view chunk(data, n);
        if (r.contains) r.contains->feed(chunk, r.bytes);
        if (r.not_contains) r.not_contains->feed(chunk, r.bytes);
      }
      r.bytes += n;
      return n;
    } catch (...) {
      r.internal_error = true;
      return 0;
    }
  }

  // ---- body budget ----

  // The lowest-id holder may always go on, so paused runs can never wait on each other forever;
  // memory stays below budget + one run's max_body.
  bool acquireBudget(Run& r, std::uint64_t n) {
    const bool fits = budget_used + n <= options.body_budget_bytes;
    const bool privileged = budget_holders.empty() || *budget_holders.begin() == r.id;
    if (!fits && !privileged) return false;
    budget_used += n;
    r.held += n;
    budget_holders.insert(r.id);
    if (budget_used > peak_buffered.load(std::memory_order_relaxed)) {
      peak_buffered.store(budget_used, std::memory_order_relaxed);
    }
    return true;
  }

  void releaseBudget(Run& r) {
    if (r.held == 0) return;
    budget_used -= r.held;
    r.held = 0;
    budget_holders.erase(r.id);
    if (!paused_runs.empty()) resume_needed = true;
  }

  void resumePaused() {
    resume_needed = false;
    std::vector<std::uint64_t> waiting;
    waiting.swap(paused_runs);
    for (auto id : waiting) {
      auto it = runs.find(id);
      if (it == runs.end() || !it->second->paused || !it->second->easy) continue;
      it->second->paused = false;
      // May deliver the held-back data right here, and the callback may pause it again.
      curl_easy_pause(it->second->easy.get(), CURLPAUSE_CONT);
    }
  }

  // ---- completion ----

  void drainMessages() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      auto* r = static_cast<Run*>(priv);
      const CURLcode code = msg->data.result;
      if (r) onHopDone(*r, code);
    }
  }

  void collectHopInfo(Run& r) {
    if (!r.easy || r.hop_info_collected) return;
    r.hop_info_collected = true;
    CURL* e = r.easy.get();
    long code = 0;
    long version = 0;
    curl_off_t namelookup = 0, connect = 0, appconnect = 0, total = 0;
    curl_off_t length = -1;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    curl_easy_getinfo(e, CURLINFO_NAMELOOKUP_TIME_T, &namelookup);
    curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &appconnect);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
    curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);

    auto& p = r.result.phases;
    p.resolve += Micros{namelookup};
    if (connect > 0) p.connect += Micros{std::max<curl_off_t>(0, connect - namelookup)};
    if (appconnect > 0) p.tls += Micros{std::max<curl_off_t>(0, appconnect - connect)};
    const curl_off_t ready = std::max(connect, appconnect);
    if (r.first_byte) {
      // blackbox_exporter's processing is connection ready → first response byte, so it includes
      // writing the request. libcurl before 8.3 sets STARTTRANSFER when it starts sending a
      // request body (curl#11669), which would put a slow upload and the server's whole think
      // time into transfer; the response's arrival is therefore taken from the header callback.
      const Micros to_first = sinceMicros(r.hop_start, *r.first_byte);
      p.processing += std::max(Micros{0}, to_first - Micros{ready});
      p.transfer += sinceMicros(*r.first_byte, SteadyClock::now());
    } else if (ready > 0 && total > ready) {
      // No answer (timeout, broken or non-HTTP reply): the time since the connection was ready went
      // into writing the request and waiting for the server.
      p.processing += Micros{total - ready};
    }
    r.result.status_code = static_cast<int>(code);
    r.result.http_version = code > 0 ? httpVersionName(version) : "";
    r.result.content_length = code > 0 ? static_cast<std::int64_t>(length) : -1;
    r.result.bytes = r.bytes;
    r.result.ssl = r.tls;
    r.result.final_url = r.url;
    r.result.cert_not_after = r.cert_sink.earliest;
  }

  void onHopDone(Run& r, CURLcode code) {
    collectHopInfo(r);
    if (r.internal_error) return failRun(r, FailureReason::Internal, "internal error while reading the response");
    if (r.too_large) {
      std::string msg = "body larger than max_body " + std::to_string(r.spec->max_body) + " bytes";
      if (r.announced_length) msg += " (Content-Length " + std::to_string(*r.announced_length) + ")";
      return failRun(r, FailureReason::BodyTooLarge, std::move(msg));
    }
    if (code != CURLE_OK) {
      auto [reason, message] = classify(r, code);
      return failRun(r, reason, std::move(message));
    }
    if (r.redirect_hop) {
      char* location = nullptr;
      curl_easy_getinfo(r.easy.get(), CURLINFO_REDIRECT_URL, &location);
      if (!location) {
        return failRun(r, FailureReason::Redirects,
                       "status " + std::to_string(r.result.status_code) + " with an unusable Location");
      }
      std::string next(location);
      const std::string shown = shownLocation(next, r.spec->secrets);
      ++r.result.redirects;
      if (r.result.redirects > r.spec->max_redirects) {
        return failRun(r, FailureReason::Redirects,
                       "more than " + std::to_string(r.spec->max_redirects) +
                           " redirects (last to " + shown + ")");
      }
      const int status = r.result.status_code;
      if ((status == 303 && r.method != "HEAD") || ((status == 301 || status == 302) && r.method == "POST")) {
        r.method = "GET";
        r.body.clear();
      }
      auto next_parts = parseUrl(next);
      if (!next_parts) {
        return failRun(r, FailureReason::Redirects,
                       "redirect to an unparsable Location \"" + shown + "\"");
      }
      if (next_parts->scheme != "http" && next_parts->scheme != "https") {
        return failRun(
            r, FailureReason::Redirects,
            "redirect to unsupported URL scheme \"" + next_parts->scheme + "\" (" + shown + ")");
      }
      const bool next_same_origin = originOf(*next_parts) == r.original_origin;
      if (!next_same_origin && containsSecret(r.body, r.spec->secrets)) {
        return failRun(r, FailureReason::Redirects,
                       "redirect to another origin would resend a request body that holds a "
                       "secret (to " + shown + ")");
      }
      r.same_origin = next_same_origin;
      detachHop(r);
      r.url = std::move(next);
      r.resetHop();
      if (auto err = startHop(r)) failRun(r, err->first, std::move(err->second));
      return;
    }

    r.result.duration = sinceMicros(r.start, SteadyClock::now());
    detail::ResponseView view;
    view.status = r.result.status_code;
    view.headers = &r.headers;
    view.body = r.body_buf;
    if (r.contains) view.contains_at = r.contains->foundAt();
    if (r.not_contains) view.not_contains_at = r.not_contains->foundAt();
    view.duration = r.result.duration;
    detail::evaluateExpectations(*r.spec, *r.checks, view, r.result);
    noteDroppedCredentials(r);
    r.result.success = r.result.failure == FailureReason::None;
    finishRun(r);
  }

  // A 401/403 after a redirect that left the origin is most likely caused by the credentials this
  // engine deliberately did not send there; the message says so instead of leaving it a puzzle.
  static void noteDroppedCredentials(Run& r) {
    const int status = r.result.status_code;
    if (r.same_origin || r.result.failure != FailureReason::HttpStatus) return;
    if (status != 401 && status != 403) return;
    const auto& spec = *r.spec;
    const bool had_credentials =
        spec.bearer_token || spec.basic_auth || !spec.tls.cert_file.empty() ||
        std::any_of(spec.headers.begin(), spec.headers.end(), [&spec](const auto& h) {
          return isCredentialHeader(h.first, h.second, spec.secrets);
        });
    auto parts = parseUrl(r.url);
    if (!had_credentials || !parts) return;
    r.result.message += "; credentials were not sent to " + originOf(*parts) +
                        " (another origin than the check's URL)";
  }

  std::string timeoutMessage(Run& r) const {
    std::string msg = "timed out after " + core::formatDuration(r.spec->timeout);
    if (!r.easy) return msg;
    curl_off_t connect = 0, appconnect = 0;
    curl_easy_getinfo(r.easy.get(), CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(r.easy.get(), CURLINFO_APPCONNECT_TIME_T, &appconnect);
    if (connect == 0) return msg + " connecting to " + r.target;
    if (r.tls && appconnect == 0) return msg + " in the TLS handshake with " + r.target;
    if (!r.headers_done) return msg + " waiting for the response from " + r.target;
    return msg + " reading the body from " + r.target + " (" + std::to_string(r.bytes) + " bytes received)";
  }

  std::pair<FailureReason, std::string> classify(Run& r, CURLcode code) const {
    const std::string err = r.errbuf[0] ? std::string(r.errbuf) : curl_easy_strerror(code);
    switch (code) {
      case CURLE_COULDNT_RESOLVE_HOST:
        return {FailureReason::Dns, "cannot resolve " + r.target + ": " + err};
      case CURLE_COULDNT_RESOLVE_PROXY:
        return {FailureReason::Dns, "cannot resolve proxy: " + err};
      case CURLE_COULDNT_CONNECT: {
        long os_errno = 0;
        curl_easy_getinfo(r.easy.get(), CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno == ECONNREFUSED) return {FailureReason::Connect, "connect to " + r.target + " refused"};
        if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH) {
          return {FailureReason::Connect, "connect to " + r.target + ": network unreachable"};
        }
        return {FailureReason::Connect, "connect to " + r.target + " failed: " + err};
      }
      case CURLE_OPERATION_TIMEDOUT:
        return {FailureReason::Timeout, timeoutMessage(r)};
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_SSL_CRL_BADFILE:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      case CURLE_SSL_INVALIDCERTSTATUS:
      case CURLE_SSL_ENGINE_NOTFOUND:
      case CURLE_SSL_ENGINE_SETFAILED:
      case CURLE_SSL_ENGINE_INITFAILED:
      case CURLE_SSL_SHUTDOWN_FAILED:
      case CURLE_USE_SSL_FAILED:
        return {FailureReason::Tls, "TLS with " + r.target + " failed: " + err};
      case CURLE_GOT_NOTHING:
        return {FailureReason::Protocol, "empty reply from " + r.target};
      case CURLE_RECV_ERROR:
      case CURLE_SEND_ERROR:
      case CURLE_PARTIAL_FILE:
        if (r.headers_done) {
          return {FailureReason::Protocol, "response from " + r.target + " broken after " +
                                               std::to_string(r.bytes) + " body bytes: " + err};
        }
        return {FailureReason::Protocol, "response from " + r.target + " broken: " + err};
      case CURLE_WEIRD_SERVER_REPLY:
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
      case CURLE_HTTP3:
      case CURLE_BAD_CONTENT_ENCODING:
        return {FailureReason::Protocol, "malformed response from " + r.target + ": " + err};
      default:
        return {FailureReason::Internal, "curl error " + std::to_string(static_cast<int>(code)) + ": " + err};
    }
  }

  void expireDeadlines() {
    const auto now = SteadyClock::now();
    while (!deadlines.empty() && deadlines.begin()->first <= now) {
      auto it = runs.find(deadlines.begin()->second);
      if (it == runs.end()) {
        deadlines.erase(deadlines.begin());
        continue;
      }
      Run& r = *it->second;
      collectHopInfo(r);
      failRun(r, FailureReason::Timeout, timeoutMessage(r));
    }
  }

  void cancelAll() {
    std::vector<Run*> active;
    for (auto& [id, run] : runs) active.push_back(run.get());
    for (Run* r : active) {
      collectHopInfo(*r);
      failRun(*r, FailureReason::Timeout, "cancelled: engine stopping");
    }
    for (auto& [key, slot] : hosts) {
      while (!slot.waiting.empty()) {
        auto run = std::move(slot.waiting.front());
        slot.waiting.pop_front();
        run->result.started = wallNow();
        run->result.failure = FailureReason::Timeout;
        run->result.message = "cancelled: engine stopping";
        complete(std::move(run));
      }
    }
    std::erase_if(hosts, [](const auto& kv) { return kv.second.active == 0 && kv.second.waiting.empty(); });
  }

  void failRun(Run& r, FailureReason reason, std::string message) {
    r.result.success = false;
    r.result.failure = reason;
    r.result.message = std::move(message);
    r.result.duration = sinceMicros(r.start, SteadyClock::now());
    finishRun(r);
  }

  void detachHop(Run& r) {
    if (r.easy && r.in_multi) curl_multi_remove_handle(multi.get(), r.easy.get());
    r.in_multi = false;
    r.easy.reset();  // before the share: a share in use cannot be cleaned up
    r.share.reset();
    r.request_headers.reset();
    r.resolve_list.reset();
    r.connect_to.reset();
    releaseBudget(r);
    r.paused = false;
  }

  // Ends an active run (one in `runs`).
  void finishRun(Run& r) {
    auto it = runs.find(r.id);
    if (it == runs.end()) return;
    auto owned = std::move(it->second);
    runs.erase(it);
    deadlines.erase({owned->deadline, owned->id});
    auto host = hosts.find(owned->host_key);
    if (host != hosts.end()) {
      --host->second.active;
      dirty_hosts.push_back(owned->host_key);
    }
    complete(std::move(owned));
  }

  void complete(std::unique_ptr<Run> run) {
    detachHop(*run);
    auto& result = run->result;
    if (run->spec) {
      const auto& secrets = run->spec->secrets;
      result.message = core::redact(result.message, secrets);
      result.final_url = core::redact(result.final_url.empty() ? run->spec->url : result.final_url, secrets);
      for (auto& a : result.assertions) a.detail = core::redact(a.detail, secrets);
    }
    if (result.success) result.message.clear();
    runs_completed.fetch_add(1, std::memory_order_relaxed);
    auto done = std::move(run->done);
    auto out = std::move(run->result);
    run.reset();
    pending_count.fetch_sub(1);
    if (done) {
      try {
        done(std::move(out));
      } catch (...) {
        // A completion must not throw; swallowing keeps the engine thread and other runs alive.
      }
    }
  }

  EngineOptions options;
  detail::MultiHandle multi;

  mutable std::mutex mu;  // guards inbox, stopping, cancel
  std::vector<Submission> inbox;
  bool stopping = false;
  bool cancel = false;
  std::mutex join_mu;

  std::atomic<std::size_t> pending_count{0};
  std::atomic<std::uint64_t> runs_completed{0};
  std::atomic<std::uint64_t> peak_buffered{0};
  std::atomic<std::uint64_t> budget_pauses{0};

  // Engine-thread state.
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::unique_ptr<Run>> runs;
  std::unordered_map<std::string, HostSlot> hosts;
  std::vector<std::string> dirty_hosts;
  std::set<std::pair<SteadyClock::time_point, std::uint64_t>> deadlines;
  std::unordered_map<const core::HttpCheckSpec*, CacheEntry> cache;
  std::size_t cache_pruned_size = 0;
  std::uint64_t budget_used = 0;
  std::set<std::uint64_t> budget_holders;
  std::vector<std::uint64_t> paused_runs;
  bool resume_needed = false;

  std::jthread thread;  // last: started after everything above exists
};

HttpProbeEngine::HttpProbeEngine(EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpProbeEngine::~HttpProbeEngine() = default;

void HttpProbeEngine::submit(std::shared_ptr<const core::HttpCheckSpec> spec, Completion done) {
  impl_->submit(std::move(spec), std::move(done));
}

void HttpProbeEngine::stop() { impl_->shutdown(false); }

std::size_t HttpProbeEngine::pending() const { return impl_->pending_count.load(); }

EngineStats HttpProbeEngine::stats() const {
  EngineStats s;
  s.runs_completed = impl_->runs_completed.load();
  s.peak_buffered_bytes = impl_->peak_buffered.load();
  s.budget_pauses = impl_->budget_pauses.load();
  return s;
}

core::ProbeResult probeOnce(const core::HttpCheckSpec& spec, EngineOptions options) {
  std::promise<core::ProbeResult> promise;
  auto future = promise.get_future();
  HttpProbeEngine engine(std::move(options));
  engine.submit(std::make_shared<const core::HttpCheckSpec>(spec),
                [&promise](core::ProbeResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace shopwatch::probes
