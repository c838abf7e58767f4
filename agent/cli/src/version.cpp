#include <curl/curl.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "cli.h"

namespace shopwatch::cli {

std::string versionText() {
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  std::string text = "shopwatch " SHOPWATCH_VERSION "\n";
  text += std::string("libcurl ") + (curl && curl->version ? curl->version : "?") + "\n";
  text += std::string("OpenSSL ") + OpenSSL_version(OPENSSL_VERSION_STRING) + "\n";
  text += std::string("SQLite ") + sqlite3_libversion() + "\n";
  return text;
}

}  // namespace shopwatch::cli
