#pragma once
/// Test-side clients for the agent's HTTP server: libcurl easy over 127.0.0.1, raw POSIX sockets for
/// malformed input, and a runner for external lint tools (promtool).

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace shopwatch::testing {

struct CurlReply {
  bool ok = false;      ///< curl_easy_perform succeeded
  std::string error;    ///< curl's message when !ok
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-cased names
  long new_connections = 0;  ///< CURLINFO_NUM_CONNECTS
};

/// One request with a fresh easy handle (or `reuse` true: a thread-local handle kept between calls, to
/// exercise keep-alive). `method` "HEAD" uses CURLOPT_NOBODY.
CurlReply curlRequest(const std::string& url, const std::string& method = "GET", const std::string& body = "",
                      bool reuse = false);

/// curlRequest with extra request header lines ("Authorization: Bearer t"), on a fresh handle.
CurlReply curlRequestWithHeaders(const std::string& url, const std::string& method, const std::string& body,
                                 const std::vector<std::string>& headers);

/// A raw TCP connection to 127.0.0.1:port (blocking socket with a receive timeout).
class RawConnection {
 public:
  explicit RawConnection(unsigned short port, std::chrono::milliseconds recv_timeout = std::chrono::seconds{5});
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  RawConnection(RawConnection&&) = delete;
  RawConnection& operator=(RawConnection&&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& data);
  /// Reads until the peer closes, the timeout passes, or `until` appears; returns what was read.
  std::string receive(const std::string& until = "");
  /// True when the peer closed the connection (read returned 0 or a reset) within the timeout.
  bool waitForClose();

 private:
  int fd_ = -1;
};

struct ToolResult {
  int exit_code = -1;
  std::string output;
};

/// Runs `command` (through /bin/sh) with `input` on stdin; stdout+stderr captured.
ToolResult runTool(const std::string& command, const std::string& input);

}  // namespace shopwatch::testing
