// A service's `limits:` map: read from the environment file (the loader reports a bad key
// with file and line) and applied to the server options of its listeners.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/config.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::mocks {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

TEST(ServiceLimits, AbsentLimitsKeepTheServerDefaults) {
  ServerOptions options;
  ASSERT_TRUE(ApplyServiceLimits(nlohmann::json::object(), "svc", &options).ok());
  ServerOptions defaults;
  EXPECT_EQ(options.max_header_bytes, defaults.max_header_bytes);
  EXPECT_EQ(options.max_connections, defaults.max_connections);
  EXPECT_EQ(options.header_timeout, defaults.header_timeout);
}

TEST(ServiceLimits, EveryKeyReachesItsOption) {
  auto config = nlohmann::json::parse(R"({"limits": {
      "max_header_bytes": 2048, "max_header_fields": 20, "max_body_bytes": 4096,
      "max_chunk_extension_bytes": 16, "max_buffered_body_bytes": 65536,
      "max_connections": 40, "max_connections_per_address": 10, "reserved_connections": 0,
      "header_timeout": "1500ms", "io_timeout": "3s"}})");
  ServerOptions o;
  Status st = ApplyServiceLimits(config, "svc", &o);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(o.max_header_bytes, 2048u);
  EXPECT_EQ(o.max_header_fields, 20u);
  EXPECT_EQ(o.max_body_bytes, 4096u);
  EXPECT_EQ(o.max_chunk_extension_bytes, 16u);
  EXPECT_EQ(o.max_buffered_body_bytes, 65536u);
  EXPECT_EQ(o.max_connections, 40u);
  EXPECT_EQ(o.max_connections_per_address, 10u);
  EXPECT_EQ(o.reserved_connections, 0u);
  EXPECT_EQ(o.header_timeout, milliseconds(1500));
  EXPECT_EQ(o.io_timeout, milliseconds(3000));
  EXPECT_EQ(ServiceLimitKeys().size(), 10u);
}

TEST(ServiceLimits, UnknownKeyOrBadValueIsNamed) {
  ServerOptions o;
  Status st =
      ApplyServiceLimits(nlohmann::json::parse(R"({"limits": {"max_headers": 5}})"), "gw", &o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("service `gw`: unknown key `limits.max_headers`"));
  EXPECT_THAT(st.message(), HasSubstr("max_header_fields"));

  st = ApplyServiceLimits(nlohmann::json::parse(R"({"limits": {"max_body_bytes": 0}})"), "gw", &o);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("`limits.max_body_bytes` must be an integer from 1"));

  st = ApplyServiceLimits(nlohmann::json::parse(R"({"limits": {"header_timeout": "soon"}})"), "gw",
                          &o);
  EXPECT_THAT(st.message(), HasSubstr("`limits.header_timeout` must be a duration"));

  st = ApplyServiceLimits(nlohmann::json::parse(R"({"limits": {"reserved_connections": -1}})"),
                          "gw", &o);
  EXPECT_THAT(st.message(), HasSubstr("`limits.reserved_connections` must be an integer from 0"));
}

constexpr char kEnvironment[] = R"yaml(environment: hardened
services:
  sink:
    kind: receiver
    limits:
      max_header_bytes: 8192
      header_timeout: 2s
)yaml";

TEST(ServiceLimits, TheEnvironmentLoaderReadsThemAndNamesAnUnknownKeyWithItsLine) {
  RegisterMockKinds();  // the kinds' schemas, for the loader
  Diagnostics diags;
  std::optional<Environment> env = ParseEnvironment(kEnvironment, "mocks/h.yaml", diags);
  ASSERT_TRUE(env.has_value()) << diags.Render();
  ServerOptions o;
  ASSERT_TRUE(ApplyServiceLimits(env->services[0].config, "sink", &o).ok());
  EXPECT_EQ(o.max_header_bytes, 8192u);
  EXPECT_EQ(o.header_timeout, milliseconds(2000));

  std::string bad = kEnvironment;
  bad.replace(bad.find("max_header_bytes"), 16, "max_header_byte");
  bad.replace(bad.find("2s"), 2, "2 seconds");
  Diagnostics errors;
  EXPECT_FALSE(ParseEnvironment(bad, "mocks/h.yaml", errors).has_value());
  std::string text = errors.Render();
  EXPECT_THAT(text, HasSubstr("mocks/h.yaml:6:7"));
  EXPECT_THAT(text, HasSubstr("max_header_byte"));
  EXPECT_THAT(text, HasSubstr("max_header_bytes"));  // did you mean
  EXPECT_THAT(text, HasSubstr("mocks/h.yaml:7:23"));
  EXPECT_THAT(text, HasSubstr("header_timeout"));
}

}  // namespace
}  // namespace tollgate::mocks
