// `web:` — TLS and basic auth of the endpoint (exporter-toolkit keys): values, errors with
// FILE:LINE:COL, the non-loopback warning.

#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "shopwatch/agent/config/config_loader.h"

using namespace shopwatch::agent;
using test::allErrors;
using test::optionsWithEnv;

namespace {

// A real bcrypt hash (cost 10) of "secret".
const std::string kHash = "$2y$10$Ln5Qm0mJ3DC0FJv8Hk9J8uTOwvwNADDf6UZTzV9L5KuD2O29E5pIq";

std::string config(const std::string& listen, const std::string& web) {
  return "agent:\n  client: acme\n  listen: " + listen + "\n" + web;
}

LoadResult load(const std::string& text, const std::string& name = "acme.yaml") {
  return loadConfigString(text, name, optionsWithEnv({{"PROM_HASH", kHash}}));
}

}  // namespace

TEST_CASE("web: defaults to nothing, tls_server_config and basic_auth_users are read") {
  auto none = load(config("127.0.0.1:9834", ""));
  REQUIRE(none.ok());
  CHECK_FALSE(none.config->web.tls);
  CHECK(none.config->web.basic_auth_users.empty());

  test::TempDir dir;
  const auto crt = dir.write("server.crt", "x");
  const auto key = dir.write("server.key", "x");
  const auto ca = dir.write("ca.crt", "x");
  const auto text = config("0.0.0.0:9834", "web:\n  tls_server_config:\n    cert_file: " + crt +
                                               "\n    key_file: " + key + "\n    client_ca_file: " +
                                               ca + "\n    min_version: TLS13\n"
                                               "    client_auth_type: RequireAndVerifyClientCert\n"
                                               "  basic_auth_users:\n    prom: '" + kHash + "'\n"
                                               "    grafana: ${env:PROM_HASH}\n");
  auto loaded = load(text);
  INFO(allErrors(loaded));
  REQUIRE(loaded.ok());
  CHECK(loaded.warnings.empty());
  const auto& web = loaded.config->web;
  REQUIRE(web.tls);
  CHECK(web.tls->cert_file == crt);
  CHECK(web.tls->key_file == key);
  CHECK(web.tls->client_ca_file == ca);
  CHECK(web.tls->min_version == "TLS13");
  CHECK(web.tls->client_auth_type == "RequireAndVerifyClientCert");
  CHECK(web.basic_auth_users.at("prom") == kHash);
  CHECK(web.basic_auth_users.at("grafana") == kHash);
}

TEST_CASE("relative certificate paths are taken from the config file's directory") {
  test::TempDir dir;
  dir.write("server.crt", "x");
  dir.write("server.key", "x");
  const auto file = dir.write("acme.yaml", config("127.0.0.1:0", "web:\n  tls_server_config:\n"
                                                                 "    cert_file: server.crt\n    key_file: server.key\n"));
  auto loaded = loadConfigFile(file, optionsWithEnv());
  INFO(allErrors(loaded));
  REQUIRE(loaded.ok());
  CHECK(loaded.config->web.tls->cert_file == (dir.path() / "server.crt").string());
  CHECK(loaded.config->web.tls->min_version == "TLS12");
  CHECK(loaded.config->web.tls->client_auth_type == "NoClientCert");
}

TEST_CASE("web: errors name the file, line, column and key") {
  test::TempDir dir;
  const auto crt = dir.write("server.crt", "x");
  const auto key = dir.write("server.key", "x");
  const std::string both = "    cert_file: " + crt + "\n    key_file: " + key + "\n";
  struct Case {
    std::string web;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"web:\n  tls_config: {}\n", "acme.yaml:5:3: web.tls_config: unknown key `tls_config`"},
      {"web:\n  tls_server_config:\n    cert_file: /nonexistent/s.crt\n    key_file: " + key + "\n",
       "acme.yaml:6:16: web.tls_server_config.cert_file: file `/nonexistent/s.crt` does not exist"},
      {"web:\n  tls_server_config:\n    cert_file: " + crt + "\n",
       "acme.yaml:6:5: web.tls_server_config.key_file: missing required key `key_file`"},
      {"web:\n  tls_server_config:\n" + both + "    min_version: TLS14\n",
       "acme.yaml:8:18: web.tls_server_config.min_version: invalid min_version `TLS14` (use `TLS10`, `TLS11`, "
       "`TLS12` or `TLS13`)"},
      {"web:\n  tls_server_config:\n" + both + "    client_auth_type: RequireCert\n",
       "acme.yaml:8:23: web.tls_server_config.client_auth_type: invalid client_auth_type `RequireCert`"},
      {"web:\n  tls_server_config:\n" + both + "    client_auth_type: VerifyClientCertIfGiven\n",
       "web.tls_server_config.client_ca_file: client_auth_type VerifyClientCertIfGiven needs `client_ca_file`"},
      {"web:\n  tls_server_config:\n" + both + "    client_ca_file: " + crt + "\n",
       "web.tls_server_config.client_auth_type: client_ca_file is set but client_auth_type is NoClientCert"},
      {"web:\n  basic_auth_users:\n    prom: secret\n",
       "acme.yaml:6:11: web.basic_auth_users.prom: not a bcrypt hash"},
      {"web:\n  basic_auth_users:\n    prom: '$1$abc$defghijklmnopqrstuvwxyz'\n",
       "acme.yaml:6:11: web.basic_auth_users.prom: not a bcrypt hash"},
      {"web:\n  basic_auth_users:\n    'a:b': '" + kHash + "'\n",
       "acme.yaml:6:5: web.basic_auth_users.a:b: a user name must not contain `:`"},
      {"web:\n  basic_auth_users: [prom]\n", "acme.yaml:5:21: web.basic_auth_users: expected a map"},
      {"web:\n  basic_auth_users:\n    prom: ${env:NOPE}\n", "web.basic_auth_users.prom:"},
  };
  for (const auto& c : cases) {
    auto loaded = load(config("127.0.0.1:9834", c.web));
    INFO(c.web);
    INFO(allErrors(loaded));
    REQUIRE_FALSE(loaded.ok());
    CHECK_THAT(allErrors(loaded), Catch::Contains(c.expected));
  }
}

TEST_CASE("a non-loopback listen address without TLS or basic auth is warned about") {
  auto open = load(config("0.0.0.0:9834", ""));
  REQUIRE(open.ok());
  REQUIRE(open.warnings.size() == 1);
  CHECK_THAT(open.warnings[0].formatWarning(),
             Catch::StartsWith("acme.yaml:3:11: warning: agent.listen: `0.0.0.0:9834` is not a loopback address"));
  for (const auto* listen : {"127.0.0.1:9834", "localhost:9834", "'[::1]:9834'", "127.0.0.2:1"}) {
    INFO(listen);
    CHECK(load(config(listen, "")).warnings.empty());
  }
  CHECK(load(config("'[::]:9834'", "")).warnings.size() == 1);
  auto with_auth = load(config("0.0.0.0:9834", "web:\n  basic_auth_users:\n    prom: '" + kHash + "'\n"));
  REQUIRE(with_auth.ok());
  CHECK(with_auth.warnings.empty());
}
