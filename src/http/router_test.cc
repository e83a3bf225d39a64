#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "tollgate/http/server.h"

namespace tollgate {
namespace {

ServerRequest Req(std::string method, std::string path) {
  ServerRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

Handler Named(std::string name) {
  return [name](const ServerRequest&) { return ServerResponse::Text(200, name); };
}

TEST(Router, ExactPathBeatsPrefix) {
  Router router;
  router.AddPrefix("GET", "/a", Named("prefix"));
  router.Add("GET", "/a/b", Named("exact"));
  EXPECT_EQ(router.Route(Req("GET", "/a/b")).body, "exact");
  EXPECT_EQ(router.Route(Req("GET", "/a/c")).body, "prefix");
}

TEST(Router, LongestPrefixWins) {
  Router router;
  router.AddPrefix("*", "/", Named("root"));
  router.AddPrefix("*", "/api/v1/", Named("v1"));
  router.AddPrefix("*", "/api/", Named("api"));
  EXPECT_EQ(router.Route(Req("POST", "/api/v1/pay")).body, "v1");
  EXPECT_EQ(router.Route(Req("POST", "/api/v2/pay")).body, "api");
  EXPECT_EQ(router.Route(Req("POST", "/other")).body, "root");
}

TEST(Router, NamedMethodBeatsWildcardOnSamePath) {
  Router router;
  router.Add("*", "/x", Named("any"));
  router.Add("POST", "/x", Named("post"));
  EXPECT_EQ(router.Route(Req("POST", "/x")).body, "post");
  EXPECT_EQ(router.Route(Req("DELETE", "/x")).body, "any");
}

TEST(Router, KnownPathWithOtherMethodIs405WithAllow) {
  Router router;
  router.Add("GET", "/token", Named("get"));
  router.Add("POST", "/token", Named("post"));
  ServerResponse r = router.Route(Req("DELETE", "/token"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.Get("Allow"), "GET, POST");
  EXPECT_EQ(r.body, R"({"error":"method_not_allowed"})");
}

TEST(Router, HeadIsServedByGet) {
  Router router;
  router.Add("GET", "/h", Named("get"));
  EXPECT_EQ(router.Route(Req("HEAD", "/h")).body, "get");
}

TEST(Router, UnknownPathIs404Json) {
  Router router;
  router.Add("GET", "/known", Named("known"));
  ServerResponse r = router.Route(Req("GET", "/unknown"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"error":"not_found"})");
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");
}

TEST(Router, FallbackReplaces404) {
  Router router;
  router.SetFallback(Named("fallback"));
  EXPECT_EQ(router.Route(Req("GET", "/nothing")).body, "fallback");
}

TEST(Router, HandlerExceptionBecomesGeneric500) {
  Router router;
  router.Add("GET", "/boom", [](const ServerRequest&) -> ServerResponse {
    throw std::runtime_error("secret=hunter2 at db.internal:5432");
  });
  ServerResponse r = router.Route(Req("GET", "/boom"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"error":"internal_error"})");
  EXPECT_THAT(r.body, ::testing::Not(::testing::HasSubstr("hunter2")));
}

TEST(Headers, CaseInsensitiveAndOrdered) {
  Headers h;
  h.Add("X-A", "1");
  h.Add("x-a", "2");
  h.Add("Other", "3");
  EXPECT_EQ(h.Get("X-a"), "1");
  EXPECT_THAT(h.GetAll("X-A"), ::testing::ElementsAre("1", "2"));
  h.Set("X-A", "9");
  EXPECT_THAT(h.GetAll("x-a"), ::testing::ElementsAre("9"));
  h.Remove("OTHER");
  EXPECT_FALSE(h.Has("Other"));
  EXPECT_EQ(h.items().size(), 1u);
}

}  // namespace
}  // namespace tollgate
