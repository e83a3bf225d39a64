#pragma once
// Test-only fixture for the issuer tests: an issuer with four clients that between them
// cover every grant combination, built without a server (handlers are called directly).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mocks/issuer.h"
#include "tollgate/base/encoding.h"

namespace tollgate::mocks {

inline constexpr char kUrl[] = "http://idp.test:8080";
// RFC 6749 §2.3.1 interop: a secret needing form-encoding before base64 (OA-08).
inline constexpr char kOddSecret[] = "be:ta%sec+ret é";

inline std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields)
    out += (out.empty() ? "" : "&") + PercentEncode(k) + "=" + PercentEncode(v);
  return out;
}

inline std::string Basic(const std::string& id, const std::string& secret) {
  return "Basic " + Base64Encode(PercentEncode(id) + ":" + PercentEncode(secret));
}

// The claims of a JWT, decoded by hand (independent of the JOSE module under test elsewhere).
inline nlohmann::json Segment(const std::string& jwt, int index) {
  std::size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  std::string seg = index == 0 ? jwt.substr(0, a) : jwt.substr(a + 1, b - a - 1);
  auto decoded = Base64UrlDecode(seg);
  return decoded ? nlohmann::json::parse(*decoded, nullptr, false) : nlohmann::json();
}

class IssuerTest : public ::testing::Test {
 protected:
  ServiceDecl Decl() {
    ServiceDecl d;
    d.name = "idp";
    d.kind = "issuer";
    d.config = {
        {"keys", {{{"kid", "k1"}, {"alg", "ES256"}}}},
        {"audiences", {"api://gateway", "api://other"}},
        {"clients",
         {{"alpha",
           {{"secret", "alpha-secret"},
            {"scopes", {"payments:write", "accounts:read"}},
            {"roles", {"payment"}}}},
          {"beta",
           {{"secret", kOddSecret}, {"scopes", {"accounts:read"}}, {"audience", "api://other"}}},
          {"gamma", {{"secret", "gamma-secret"}, {"grants", {"refresh_token"}}}},
          {"delta", {{"secret", "delta-secret"}, {"grants", {"client_credentials"}}}}}},
        {"token_ttl", "10m"},
        {"refresh_ttl", "1h"},
        {"jwks_max_age", "2m"},
    };
    return d;
  }
  ServiceContext Ctx() {
    return {&clock_, &redactor_, [](const std::string& n) { return n == "idp" ? kUrl : ""; },
            nullptr, nullptr};
  }
  std::unique_ptr<IssuerService> Make(ServiceDecl d) {
    auto s = IssuerService::Create(d, Ctx());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::unique_ptr<IssuerService> Make() { return Make(Decl()); }

  static ServerRequest Token(
      const std::string& body, const std::string& authorization = "",
      const std::string& content_type = "application/x-www-form-urlencoded") {
    ServerRequest r;
    r.method = "POST";
    r.path = "/token";
    r.body = body;
    if (!content_type.empty()) r.headers.Add("Content-Type", content_type);
    if (!authorization.empty()) r.headers.Add("Authorization", authorization);
    return r;
  }
  static ServerRequest ClientCredentials(
      const std::string& id, const std::string& secret,
      std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.insert(extra.begin(), {"grant_type", "client_credentials"});
    return Token(FormBody(extra), Basic(id, secret));
  }
  static nlohmann::json Body(const Handled& h) { return nlohmann::json::parse(h.response.body); }

  // Fetches a refresh token for `id` with client_credentials.
  std::string RefreshTokenFor(IssuerService& idp, const std::string& id,
                              const std::string& secret) {
    Handled h = idp.HandleToken(ClientCredentials(id, secret));
    EXPECT_EQ(h.response.status, 200) << h.response.body;
    return Body(h).value("refresh_token", "");
  }
  static ServerRequest RefreshRequest(const std::string& id, const std::string& secret,
                                      const std::string& rt, const std::string& scope = "") {
    std::vector<std::pair<std::string, std::string>> f = {{"grant_type", "refresh_token"},
                                                          {"refresh_token", rt}};
    if (!scope.empty()) f.emplace_back("scope", scope);
    return Token(FormBody(f), Basic(id, secret));
  }

  ManualClock clock_;
  Redactor redactor_;
};

}  // namespace tollgate::mocks
