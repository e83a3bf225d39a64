#include "mocks/sage_connector.h"

#include <gtest/gtest.h>

namespace tollgate::mocks {
namespace {

// The handlers are plain functions: the paths that need no key set run without a socket
// (token validation is proven end to end by the sage-connector profile and its faults).
class SageConnectorTest : public ::testing::Test {
 protected:
  ServiceDecl Decl() {
    ServiceDecl d;
    d.name = "connector";
    d.kind = "sage-connector";
    d.config = {{"trust", {{"issuer", "sage_id"}, {"audience", "aud"}}},
                {"notification_header", {{"name", "X-Partner-Key"}, {"value", "s3cret-value"}}},
                {"authorisation_ttl", "20m"}};
    return d;
  }
  std::unique_ptr<SageConnector> Make(const ServiceDecl& d) {
    auto c = SageConnector::Create(d, ServiceContext{&clock_, &redactor_, {}, {}, {}});
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  static ServerRequest Get(const std::string& path, const std::string& query) {
    ServerRequest r;
    r.method = "GET";
    r.path = path;
    r.query = query;
    return r;
  }
  ManualClock clock_;
  Redactor redactor_;
};

// That `trust` and `notification_header` are there is the schema's (the loader checks it:
// service_schemas_test.cc); that their values are not empty is the service's.
TEST_F(SageConnectorTest, ConfigNeedsTrustAndTheCustomHeader) {
  ServiceDecl d = Decl();
  d.config["notification_header"]["value"] = "";
  auto c = SageConnector::Create(d, ServiceContext{&clock_, &redactor_, {}, {}, {}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "service `connector` (kind sage-connector): `notification_header` needs a non-empty "
            "`name` and `value`");
  d = Decl();
  d.config["trust"]["audience"] = "";
  c = SageConnector::Create(d, ServiceContext{&clock_, &redactor_, {}, {}, {}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("`trust.audience` must not be empty"), std::string::npos);
}

TEST_F(SageConnectorTest, HeaderValueIsASecret) {
  auto c = Make(Decl());
  EXPECT_EQ(redactor_.Redact("value s3cret-value here"), "value *** here");
}

TEST_F(SageConnectorTest, AuthWithoutAnIdIs400AndAnUnknownIdIs403) {
  auto c = Make(Decl());
  Handled none = c->HandleAuth(Get("/auth", ""));
  EXPECT_EQ(none.response.status, 400);
  EXPECT_EQ(none.note, "refused: no AuthorisationID");
  Handled unknown = c->HandleAuth(Get("/authrefresh", "AuthorisationID=abc%2D1"));
  EXPECT_EQ(unknown.response.status, 403);
  EXPECT_EQ(unknown.note, "refused: AuthorisationID unknown at /authrefresh");
}

TEST_F(SageConnectorTest, NotificationWithoutATokenIsRefusedBeforeAnythingElse) {
  auto c = Make(Decl());
  ServerRequest r;
  r.method = "POST";
  r.path = "/notification";
  r.headers.Add("X-Partner-Key", "s3cret-value");
  r.body =
      R"({"type":"resourceCreated","resource":{"id":"a-1","type":"authorisation","url":"NA"}})";
  Handled h = c->HandleNotification(r);
  EXPECT_EQ(h.response.status, 401);
  EXPECT_EQ(h.note, "refused: no ID token");
  // The refused notification recorded nothing.
  EXPECT_EQ(c->HandleAuth(Get("/auth", "AuthorisationID=a-1")).response.status, 403);
}

TEST_F(SageConnectorTest, WrongMethodsAre405) {
  auto c = Make(Decl());
  EXPECT_EQ(c->HandleNotification(Get("/notification", "")).response.status, 405);
  ServerRequest post = Get("/auth", "AuthorisationID=x");
  post.method = "POST";
  EXPECT_EQ(c->HandleAuth(post).response.status, 405);
}

}  // namespace
}  // namespace tollgate::mocks
