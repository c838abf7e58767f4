#pragma once
/// Helpers of the endpoint-security tests: a libcurl client with TLS and basic-auth options, PEM
/// files made at test time (a CA, server and client certificates via the openssl CLI), bcrypt
/// hashes (libcrypt) and gunzip (zlib).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shopwatch::testing {

struct WebRequest {
  std::string url;
  std::string ca_file;                 ///< verify the server against it ("" = no TLS options)
  std::string cert_file, key_file;     ///< client certificate
  std::string user, password;          ///< basic auth when user is not empty
  std::vector<std::string> headers;    ///< extra "Name: value" lines
  long max_tls = 0;                    ///< CURL_SSLVERSION_MAX_* (0: none)
  std::string method = "GET";
};

struct WebReply {
  bool ok = false;
  std::string error;
  long status = 0;
  std::string body;  ///< as received (not decoded)
  std::map<std::string, std::string> headers;  ///< lower-cased names
};

WebReply webRequest(const WebRequest& request);

/// A CA and certificates it issued, as PEM files in `dir` (openssl CLI): NAME.crt / NAME.key.
class PemFiles {
 public:
  explicit PemFiles(std::filesystem::path dir, const std::string& ca_name = "ca");
  /// A server certificate for 127.0.0.1/localhost (serverAuth) issued by this CA.
  void server(const std::string& name);
  /// A client certificate (clientAuth) issued by this CA.
  void client(const std::string& name);
  std::string crt(const std::string& name) const { return (dir_ / (name + ".crt")).string(); }
  std::string key(const std::string& name) const { return (dir_ / (name + ".key")).string(); }
  std::string caCrt() const { return crt(ca_); }

 private:
  void issue(const std::string& name, const std::string& extensions);
  std::filesystem::path dir_;
  std::string ca_;
};

/// A bcrypt hash ($2b$, the given cost) of `password`.
std::string bcryptHash(const std::string& password, int cost);

/// Inflates a gzip body; nullopt when it is not valid gzip.
std::optional<std::string> gunzip(const std::string& data);

}  // namespace shopwatch::testing
