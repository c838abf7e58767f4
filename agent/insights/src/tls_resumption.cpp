// tlsSessionResumed: two fresh HEAD connections sharing a TLS session cache; the second one's
// handshake says whether the server resumed.
#include "tls_resumption.h"

#include <curl/curl.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "shopwatch/core/text.h"
#include "shopwatch/probes/page_assets.h"

namespace shopwatch::agent::insights::detail {
namespace {

constexpr int kPollMs = 50;  // how often `stopping` is asked while a transfer runs

struct EasyFree {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct MultiFree {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct ShareFree {
  void operator()(CURLSH* s) const { curl_share_cleanup(s); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Easy = std::unique_ptr<CURL, EasyFree>;
using Multi = std::unique_ptr<CURLM, MultiFree>;
using Share = std::unique_ptr<CURLSH, ShareFree>;
using Slist = std::unique_ptr<curl_slist, SlistFree>;
using Url = std::unique_ptr<CURLU, UrlFree>;

std::string bracketIfV6(const std::string& ip) {
  return ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
}

// `url` with its host replaced (tls.server_name), or nullopt when curl cannot parse it.
std::optional<std::string> withHost(const std::string& url, const std::string& host) {
  Url u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_set(u.get(), CURLUPART_HOST, host.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  char* out = nullptr;
  if (curl_url_get(u.get(), CURLUPART_URL, &out, 0) != CURLUE_OK || !out) return std::nullopt;
  std::string renamed(out);
  curl_free(out);
  return renamed;
}

/// Where both transfers go: the URL to request and the lists that steer the connection, as the
/// engine builds them (probes/src/transfer_setup.cpp).
struct Target {
  std::string url;
  Slist resolve;
  Slist connect_to;
};

std::optional<Target> planTarget(const core::HttpRequest& page) {
  const auto parts = probes::urlHost(page.url);
  if (!parts || parts->scheme != "https") return std::nullopt;
  Target t;
  t.url = page.url;
  std::optional<std::string> pinned;
  for (const auto& [name, ip] : page.resolve) {
    if (core::asciiLower(name) == parts->host) pinned = ip;
  }
  if (pinned) {
    const std::string entry = parts->host + ":" + parts->port + ":" + bracketIfV6(*pinned);
    t.resolve.reset(curl_slist_append(nullptr, entry.c_str()));
    if (!t.resolve) return std::nullopt;
  }
  const std::string server_name = core::asciiLower(page.tls.server_name);
  if (!server_name.empty() && server_name != parts->host) {
    // The name travels in the URL (SNI, verification, Host); CONNECT_TO keeps the connection
    // where the configured URL points.
    auto renamed = withHost(page.url, server_name);
    if (!renamed) return std::nullopt;
    t.url = std::move(*renamed);
    const std::string mapping = server_name + ":" + parts->port + ":" + bracketIfV6(parts->host) +
                                ":" + parts->port;
    t.connect_to.reset(curl_slist_append(nullptr, mapping.c_str()));
    if (!t.connect_to) return std::nullopt;
  }
  return t;
}

/// One transfer's view of its connection, filled by the header callback while the connection is
/// still open (FORBID_REUSE closes it before curl returns, and CURLINFO_TLS_SSL_PTR with it).
struct TransferState {
  CURL* easy = nullptr;
  std::optional<bool> resumed;  ///< nullopt: no header seen, or not an OpenSSL connection
};

std::size_t onHeader(char*, std::size_t size, std::size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(state->easy, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
      info->backend == CURLSSLBACKEND_OPENSSL && info->internals) {
    state->resumed = SSL_session_reused(static_cast<SSL*>(info->internals)) == 1;
  }
  return size * count;
}

// libcurl sets SSL_OP_NO_TICKET on its OpenSSL contexts, which leaves a TLS 1.2 client only
// session-id resumption; a browser also offers TLS 1.2 session tickets, and many servers (nginx's
// defaults) resume only through those. TLS 1.3 tickets are unaffected either way.
CURLcode allowTickets(CURL*, void* ssl_ctx, void*) {
  SSL_CTX_clear_options(static_cast<SSL_CTX*>(ssl_ctx), SSL_OP_NO_TICKET);
  return CURLE_OK;
}

std::size_t discardBody(char*, std::size_t size, std::size_t count, void*) { return size * count; }

bool configure(CURL* e, const core::HttpRequest& page, const Target& target, CURLSH* share,
               long timeout_ms, TransferState* state) {
  CURLcode rc = CURLE_OK;
  auto set = [&rc](CURLcode c) {
    if (rc == CURLE_OK) rc = c;
  };
  set(curl_easy_setopt(e, CURLOPT_URL, target.url.c_str()));
  set(curl_easy_setopt(e, CURLOPT_SHARE, share));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
#if LIBCURL_VERSION_NUM >= 0x075700
  // A stop while resolving must not join the threaded resolver's getaddrinfo().
  set(curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L));
#endif
  set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
  set(curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L));
  set(curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 1L));
  // HEAD: the transfer ends after the response headers, which come after any TLS 1.3
  // NewSessionTicket on the stream, so the ticket has been read into the shared cache by then.
  set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https"));
  set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &onHeader));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, static_cast<void*>(state)));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discardBody));
  if (!page.user_agent.empty()) set(curl_easy_setopt(e, CURLOPT_USERAGENT, page.user_agent.c_str()));
  long ipresolve = CURL_IPRESOLVE_WHATEVER;
  if (page.ip_version == core::IpVersion::V4) ipresolve = CURL_IPRESOLVE_V4;
  if (page.ip_version == core::IpVersion::V6) ipresolve = CURL_IPRESOLVE_V6;
  set(curl_easy_setopt(e, CURLOPT_IPRESOLVE, ipresolve));
  if (!page.proxy.empty()) {
    set(curl_easy_setopt(e, CURLOPT_PROXY, page.proxy.c_str()));
    // The proxy's CONNECT answer is not the server's: the header callback sees only the latter.
    set(curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L));
  } else {
    set(curl_easy_setopt(e, CURLOPT_NOPROXY, "*"));
  }
  if (target.resolve) set(curl_easy_setopt(e, CURLOPT_RESOLVE, target.resolve.get()));
  if (target.connect_to) set(curl_easy_setopt(e, CURLOPT_CONNECT_TO, target.connect_to.get()));
  const auto& t = page.tls;
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, t.verify ? 1L : 0L));
  set(curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, t.verify ? 2L : 0L));
  if (!t.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, t.ca_file.c_str()));
  if (!t.cert_file.empty()) set(curl_easy_setopt(e, CURLOPT_SSLCERT, t.cert_file.c_str()));
  if (!t.key_file.empty()) set(curl_easy_setopt(e, CURLOPT_SSLKEY, t.key_file.c_str()));
  set(curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, &allowTickets));
  return rc == CURLE_OK;
}

// Runs `easy` on a private multi handle so that `stopping` is asked every kPollMs (a blocking
// curl_easy_perform would look at a progress callback only about once a second when idle).
CURLcode perform(CURL* easy, const std::function<bool()>& stopping) {
  Multi multi(curl_multi_init());
  if (!multi) return CURLE_OUT_OF_MEMORY;
  if (curl_multi_add_handle(multi.get(), easy) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode result = CURLE_ABORTED_BY_CALLBACK;
  for (;;) {
    int running = 0;
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    int left = 0;
    bool done = false;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
        result = msg->data.result;
        done = true;
      }
    }
    if (done || running == 0) break;
    if (stopping && stopping()) break;
    if (curl_multi_poll(multi.get(), nullptr, 0, kPollMs, nullptr) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
  }
  curl_multi_remove_handle(multi.get(), easy);
  return result;
}

std::optional<bool> probe(const core::HttpRequest& page, core::Micros timeout,
                          const std::function<bool()>& stopping) {
  auto target = planTarget(page);
  if (!target) return std::nullopt;
  const long timeout_ms = std::max<long>(
      1, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  // Declared before the easy handles: a share is cleaned up only after every handle using it.
  Share share(curl_share_init());
  if (!share || curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) !=
                    CURLSHE_OK) {
    return std::nullopt;
  }
  std::optional<bool> resumed;
  for (int round = 0; round < 2; ++round) {
    if (stopping && stopping()) return std::nullopt;
    Easy easy(curl_easy_init());
    if (!easy) return std::nullopt;
    TransferState state;
    state.easy = easy.get();
    if (!configure(easy.get(), page, *target, share.get(), timeout_ms, &state)) return std::nullopt;
    if (perform(easy.get(), stopping) != CURLE_OK) return std::nullopt;
    long status = 0;
    if (curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status == 0) {
      return std::nullopt;
    }
    resumed = state.resumed;
  }
  return resumed;  // the second connection's
}

}  // namespace

std::optional<bool> tlsSessionResumed(const core::HttpRequest& page, core::Micros timeout,
                                      const std::function<bool()>& stopping) {
  try {
    return probe(page, timeout, stopping);
  } catch (...) {
    return std::nullopt;  // out of memory building a URL or list: not measured
  }
}

}  // namespace shopwatch::agent::insights::detail
