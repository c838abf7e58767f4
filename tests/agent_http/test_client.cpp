#include "test_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace shopwatch::testing {

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t writeBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t writeHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

CurlReply perform(CURL* c, const std::string& url, const std::string& method, const std::string& body,
                  const curl_slist* headers) {
  CurlReply reply;
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &writeBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &writeHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(c, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, nullptr);
  } else if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (!body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(c);
  reply.ok = rc == CURLE_OK;
  if (!reply.ok) reply.error = curl_easy_strerror(rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &reply.new_connections);
  // Do not let a kept handle carry a body into the next request.
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(-1));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  return reply;
}

}  // namespace

CurlReply curlRequest(const std::string& url, const std::string& method, const std::string& body, bool reuse) {
  globalInit();
  thread_local std::unique_ptr<CURL, CurlDeleter> kept(curl_easy_init());
  std::unique_ptr<CURL, CurlDeleter> fresh(reuse ? nullptr : curl_easy_init());
  return perform(reuse ? kept.get() : fresh.get(), url, method, body, nullptr);
}

CurlReply curlRequestWithHeaders(const std::string& url, const std::string& method, const std::string& body,
                                 const std::vector<std::string>& headers) {
  globalInit();
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  // curl_slist_append returns the list's head: the first append creates it, later ones extend it.
  std::unique_ptr<curl_slist, SlistDeleter> list;
  for (const auto& h : headers) {
    curl_slist* head = curl_slist_append(list.get(), h.c_str());
    if (head == nullptr) return {};
    if (!list) list.reset(head);
  }
  return perform(handle.get(), url, method, body, list.get());
}

RawConnection::RawConnection(unsigned short port, std::chrono::milliseconds recv_timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  timeval tv{};
  tv.tv_sec = static_cast<long>(recv_timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((recv_timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const auto n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string RawConnection::receive(const std::string& until) {
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (!until.empty() && out.find(until) != std::string::npos) break;
  }
  return out;
}

bool RawConnection::waitForClose() {
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

ToolResult runTool(const std::string& command, const std::string& input) {
  char path[] = "/tmp/shopwatch-agent-http-XXXXXX";
  const int fd = ::mkstemp(path);
  ToolResult result;
  if (fd < 0) return result;
  ::close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    out << input;
  }
  const std::string full = command + " < " + path + " 2>&1";
  struct PipeCloser {
    int* status;
    void operator()(FILE* f) const { *status = ::pclose(f); }
  };
  int status = -1;
  {
    std::unique_ptr<FILE, PipeCloser> pipe(::popen(full.c_str(), "r"), PipeCloser{&status});
    if (pipe) {
      char buf[4096];
      std::size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof(buf), pipe.get())) > 0) result.output.append(buf, n);
    }
  }
  ::unlink(path);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace shopwatch::testing
