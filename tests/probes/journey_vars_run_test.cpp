// A journey's `vars:` at run time ([B2]): set before the first step, fresh in every run (built-ins
// re-drawn), typed in JSON bodies, not redacted, and overridable by a later extraction.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "journey_test_support.h"

namespace {

using namespace shopwatch;
using namespace shopwatch::probes::test;
using shopwatch::testing::FakeHttpServer;
using shopwatch::testing::FakeResponse;

core::JourneyVar var(std::string name, std::string value, bool typed = false) {
  return core::JourneyVar{std::move(name), std::move(value), typed};
}

}  // namespace

TEST_CASE("vars reach URLs, headers and JSON bodies with their types", "[journey]") {
  FakeHttpServer server;
  server.status("/p/laptop", 200, "laptop page");
  server.status("/order", 200, "{}");
  auto product = stepFor("product", server.url("/p/${slug}"));
  product.expect.body_contains = "${slug} page";
  auto order = stepFor("order", server.url("/order"), "POST");
  order.request.headers = {{"X-Country", "${country}"}};
  order.body_kind = core::BodyKind::Json;
  order.json = R"({"qty":"${qty}","gift":"${gift}","email":"${email}","sku":"${sku}"})";
  auto check = journeyCheck({product, order});
  check.journey()->vars = {var("slug", "laptop"),       var("country", "DE"),
                           var("qty", "2", true),       var("gift", "true", true),
                           var("sku", "42"),            var("email", "probe+${slug}-${now}@x.example")};
  auto r = probes::probeOnce(check);
  INFO(r.message);
  REQUIRE(r.success);
  const auto sent = lastRequest(server, "/order");
  CHECK(headerOf(sent, "x-country") == "DE");
  auto body = nlohmann::json::parse(sent.body);
  CHECK(body["qty"] == 2);
  CHECK(body["gift"] == true);
  CHECK(body["sku"] == "42");
  const std::string email = body["email"];
  CHECK(email.starts_with("probe+laptop-1"));
  CHECK(email.ends_with("@x.example"));
  CHECK(r.steps.size() == 2);
}

TEST_CASE("vars are not redacted and each run draws its built-ins afresh", "[journey]") {
  FakeHttpServer server;
  server.status("/p", 200, "no such product here");
  auto product = stepFor("product", server.url("/p?id=${slug}&n=${nonce}"));
  product.expect.body_contains = "product ${slug} found";
  auto check = journeyCheck({product});
  check.journey()->vars = {var("slug", "laptop"), var("nonce", "${random_hex:12}")};
  auto first = probes::probeOnce(check);
  auto second = probes::probeOnce(check);
  REQUIRE_FALSE(first.success);
  CHECK(first.failed_step == "product");
  CHECK(first.message.find("laptop") != std::string::npos);
  const auto& requests = server.requests();
  REQUIRE(requests.size() >= 2);
  CHECK(requests.front().target.starts_with("/p?id=laptop&n="));
  CHECK(requests.front().target != requests.back().target);  // a fresh nonce per run
  CHECK_FALSE(second.success);
}

TEST_CASE("an extraction may replace a var's value for later steps", "[journey]") {
  FakeHttpServer server;
  server.respond("/ctx", FakeResponse{200, {{"sw-context-token", "tok-new-7"}}, "{}"});
  server.status("/use", 200, "ok");
  auto ctx = stepFor("context", server.url("/ctx"));
  auto header = core::Extraction{};
  header.variable = "token";
  header.kind = core::Extraction::Kind::Header;
  header.expression = "sw-context-token";
  ctx.extract = {header};
  auto use = stepFor("use", server.url("/use?t=${token}"));
  auto check = journeyCheck({ctx, use});
  check.journey()->vars = {var("token", "none-yet")};
  auto r = probes::probeOnce(check);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(lastRequest(server, "/use").target == "/use?t=tok-new-7");
}

TEST_CASE("an expect.json value that is exactly one reference takes the variable's JSON type",
          "[journey]") {
  FakeHttpServer server;
  server.respond("/cart", FakeResponse{200, {{"Content-Type", "application/json"}},
                                       R"({"total":503.99,"code":"A1","qty":2})"});
  server.respond("/order", FakeResponse{200, {{"Content-Type", "application/json"}},
                                        R"({"total":503.99,"code":"A1","qty":"2"})"});
  auto cart = stepFor("cart", server.url("/cart"));
  cart.extract = {extraction("total", core::Extraction::Kind::Json, "/total"),
                  extraction("code", core::Extraction::Kind::Json, "/code"),
                  extraction("qty", core::Extraction::Kind::Json, "/qty")};
  auto order = stepFor("order", server.url("/order"));
  core::JsonExpectation total;
  total.path = "/total";
  total.op = core::JsonExpectation::Op::Equals;
  total.value = R"("${total}")";
  core::JsonExpectation code = total;
  code.path = "/code";
  code.value = R"("${code}")";
  core::JsonExpectation one_of;
  one_of.path = "/code";
  one_of.op = core::JsonExpectation::Op::OneOf;
  one_of.values = {R"("x")", R"("${code}")"};
  order.expect.json = {total, code, one_of};
  auto r = probes::probeOnce(journeyCheck({cart, order}));
  INFO(r.message);
  CHECK(r.success);

  // A number is not the string "2": the type decides, as in the response.
  core::JsonExpectation qty = total;
  qty.path = "/qty";
  qty.value = R"("${qty}")";
  order.expect.json = {qty};
  auto typed = probes::probeOnce(journeyCheck({cart, order}));
  CHECK_FALSE(typed.success);
  CHECK(typed.failed_step == "order");
}

TEST_CASE("json_find's where value may be a variable", "[journey]") {
  FakeHttpServer server;
  server.respond("/methods", FakeResponse{200, {{"Content-Type", "application/json"}},
                                          R"({"elements":[{"code":"card","id":"p-1"},)"
                                          R"({"code":"invoice","id":"p-2"}]})"});
  auto methods = stepFor("methods", server.url("/methods"));
  core::Extraction find;
  find.variable = "payment_id";
  find.kind = core::Extraction::Kind::JsonFind;
  find.expression = "/elements";
  find.where_field = "/code";
  find.where_value = "${payment_method}";
  find.take = "/id";
  methods.extract = {find};
  server.status("/use", 200, "ok");
  auto use = stepFor("use", server.url("/use?id=${payment_id}"));
  auto check = journeyCheck({methods, use});
  check.journey()->vars = {var("payment_method", "invoice")};
  auto r = probes::probeOnce(check);
  INFO(r.message);
  REQUIRE(r.success);
  CHECK(lastRequest(server, "/use").target == "/use?id=p-2");
}

TEST_CASE("a step whose url is a captured Location follows it, as a path or absolute", "[journey]") {
  FakeHttpServer server;
  server.respond("/checkout", FakeResponse{302, {{"Location", "/checkouts/cn/abc"}}, ""});
  server.status("/checkouts/cn/abc", 200, "hosted checkout");
  server.respond("/again", FakeResponse{302, {{"Location", server.url("/checkouts/cn/abc")}}, ""});
  auto checkout = stepFor("checkout", server.url("/checkout"));
  checkout.request.follow_redirects = false;
  checkout.expect.status = {{302, 302}};
  core::Extraction location;
  location.variable = "next";
  location.kind = core::Extraction::Kind::Header;
  location.expression = "location";
  checkout.extract = {location};
  auto hosted = stepFor("hosted", "${next}");
  hosted.expect.body_contains = "hosted checkout";
  auto again = stepFor("again", server.url("/again"));
  again.request.follow_redirects = false;
  again.expect.status = {{302, 302}};
  again.extract = {location};
  auto absolute = stepFor("absolute", "${next}");
  auto r = probes::probeOnce(journeyCheck({checkout, hosted, again, absolute}));
  INFO(r.message);
  REQUIRE(r.success);
  // Both reached the hosted page (the URL shown is redacted: it is an extracted value).
  int hosted_requests = 0;
  for (const auto& req : server.requests()) hosted_requests += req.path == "/checkouts/cn/abc";
  CHECK(hosted_requests == 2);
  CHECK(stepNamed(r, "absolute").result.status_code == 200);

  // A value that is neither a path nor an http(s) URL fails the step, naming it.
  auto bad = stepFor("bad", "${junk}");
  auto check = journeyCheck({checkout, bad});
  check.journey()->vars = {var("junk", "mailto:x@example.com")};
  auto failed = probes::probeOnce(check);
  CHECK_FALSE(failed.success);
  CHECK(failed.failed_step == "bad");
}
