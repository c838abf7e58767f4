#include <curl/curl.h>

#include "cli.h"

int main(int argc, char** argv) {
  // Once per process, before any thread exists (libcurl's rule).
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  int code = shopwatch::cli::run(argc, argv);
  curl_global_cleanup();
  return code;
}
