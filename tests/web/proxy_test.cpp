// Behind a reverse proxy (web/proxy.h) and the serve settings (web/settings.h): who is believed about
// the client's address and scheme, absolute links, and the configuration file's errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "web/proxy.h"
#include "web/settings.h"

namespace laurel::web {
namespace {

using ::testing::HasSubstr;

Request with(std::map<std::string, std::string> headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(TrustedProxies, AddressesAndNetworks) {
  auto p = TrustedProxies::parse("127.0.0.1, ::1 10.0.0.0/8,fd00::/8");
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->contains("127.0.0.1"));
  EXPECT_TRUE(p->contains("::ffff:127.0.0.1"));  // IPv4-mapped
  EXPECT_TRUE(p->contains("::1"));
  EXPECT_TRUE(p->contains("10.200.3.4"));
  EXPECT_TRUE(p->contains("fd12::5"));
  EXPECT_FALSE(p->contains("127.0.0.2"));
  EXPECT_FALSE(p->contains("11.0.0.1"));
  EXPECT_FALSE(p->contains("fe80::1"));
  EXPECT_FALSE(p->contains("garbage"));
  EXPECT_TRUE(TrustedProxies::parse("")->empty());
  EXPECT_THAT(TrustedProxies::parse("10.0.0.0/33").error(), HasSubstr("prefix length must be 0 to 32"));
  EXPECT_THAT(TrustedProxies::parse("proxy.local").error(), HasSubstr("\"proxy.local\" is not an IP address"));
}

TEST(ApplyForwarding, HeadersFromAnUntrustedPeerAreIgnored) {
  auto proxies = *TrustedProxies::parse("127.0.0.1");
  Request r = with({{"x-forwarded-for", "6.6.6.6"}, {"x-forwarded-proto", "https"}, {"forwarded", "for=6.6.6.6;proto=https"}});
  apply_forwarding(r, "203.0.113.9", proxies, false);
  EXPECT_EQ(r.client_address, "203.0.113.9");
  EXPECT_FALSE(r.secure);
}

TEST(ApplyForwarding, XForwardedForFromTheProxy) {
  auto proxies = *TrustedProxies::parse("127.0.0.1");
  Request r = with({{"x-forwarded-for", "198.51.100.7"}, {"x-forwarded-proto", "https"}});
  apply_forwarding(r, "127.0.0.1", proxies, false);
  EXPECT_EQ(r.client_address, "198.51.100.7");
  EXPECT_TRUE(r.secure);
  // A client-supplied entry to the left of the proxy's is not believed: the right-most untrusted wins.
  Request spoofed = with({{"x-forwarded-for", "6.6.6.6, 198.51.100.7"}, {"x-forwarded-proto", "http"}});
  apply_forwarding(spoofed, "127.0.0.1", proxies, false);
  EXPECT_EQ(spoofed.client_address, "198.51.100.7");
  EXPECT_FALSE(spoofed.secure);
}

TEST(ApplyForwarding, ChainsOfTrustedProxies) {
  auto proxies = *TrustedProxies::parse("127.0.0.1, 10.0.0.0/8");
  Request r = with({{"x-forwarded-for", "198.51.100.7, 10.1.1.1"}});
  apply_forwarding(r, "127.0.0.1", proxies, false);
  EXPECT_EQ(r.client_address, "198.51.100.7");
  Request unknown = with({{"forwarded", "for=unknown, for=10.1.1.1"}});
  apply_forwarding(unknown, "127.0.0.1", proxies, false);
  EXPECT_EQ(unknown.client_address, "10.1.1.1");  // the last address that can be vouched for
}

TEST(ApplyForwarding, ForwardedHeader) {
  auto proxies = *TrustedProxies::parse("::1");
  Request r = with({{"forwarded", R"(for="[2001:db8::1]:4711";proto=https;by=_proxy)"}});
  apply_forwarding(r, "::1", proxies, false);
  EXPECT_EQ(r.client_address, "2001:db8::1");
  EXPECT_TRUE(r.secure);
  Request v4 = with({{"forwarded", "for=192.0.2.60:8080;proto=http"}});
  apply_forwarding(v4, "::1", proxies, false);
  EXPECT_EQ(v4.client_address, "192.0.2.60");
  EXPECT_FALSE(v4.secure);
}

TEST(ApplyForwarding, HttpsPublicUrlMakesEveryRequestSecure) {
  auto proxies = *TrustedProxies::parse("");
  Request r;
  apply_forwarding(r, "127.0.0.1", proxies, true);
  EXPECT_TRUE(r.secure);
  EXPECT_EQ(r.client_address, "127.0.0.1");
}

TEST(AbsoluteUrl, PublicUrlElseHost) {
  Request r = with({{"host", "honours.example.gov.cn"}});
  r.secure = true;
  EXPECT_EQ(absolute_url(r, "", "/notices/P1"), "https://honours.example.gov.cn/notices/P1");
  EXPECT_EQ(absolute_url(r, "https://a.example/laurel", "/notices/P1"), "https://a.example/laurel/notices/P1");
  Request evil = with({{"host", "x\"><script>"}});
  EXPECT_EQ(absolute_url(evil, "", "/"), "http://localhost/");
  EXPECT_EQ(*parse_public_url("https://a.example/"), "https://a.example");
  EXPECT_THAT(parse_public_url("a.example").error(), HasSubstr("not an absolute URL"));
  EXPECT_THAT(parse_public_url("ftp://a.example").error(), HasSubstr("scheme must be https"));
  EXPECT_THAT(parse_public_url("https://a.example/?x=1").error(), HasSubstr("no query"));
}

TEST(ConfigFile, ReadsEveryFormAndNamesTheLineOfEachError) {
  ServeSettings s;
  auto errors = read_config_text("# comment\n\ndb = /x/laurel.db\nlisten = \"127.0.0.1:9000\"\nbody_limit = 2048 # bytes\n"
                                 "dev-clock = yes\n",
                                 "a.conf", s);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(s.db, "/x/laurel.db");
  EXPECT_EQ(s.listen, "127.0.0.1:9000");
  EXPECT_EQ(s.body_limit, 2048u);
  EXPECT_TRUE(s.dev_clock);
  ServeSettings t;
  errors = read_config_text("workers = 0\nsesion-idle = 5\n[serve]\nno equals sign\nio-threads = 2\nio_threads = 3\n", "b.conf", t);
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(errors[0].to_string(), "b.conf:1: workers: 0 is out of range (1 to 4096)");
  EXPECT_EQ(errors[1].to_string(), "b.conf:2: unknown setting \"sesion-idle\" (did you mean \"session-idle\"?)");
  EXPECT_EQ(errors[2].line, 3);
  EXPECT_EQ(errors[3].to_string(), "b.conf:4: expected `name = value`, found \"no equals sign\"");
  EXPECT_EQ(errors[4].to_string(), "b.conf:6: \"io-threads\" is set twice (first on line 5)");
}

TEST(ConfigFile, TheDocumentedDefaultsAreTheDefaults) {
  // Every default shown by `laurel config settings` (and so in the README) that is a value, not a
  // description, is what an empty configuration gives.
  int checked = 0;
  for (const auto& info : serve_settings()) {
    if (info.default_value.starts_with("(") || info.default_value.find('/') != std::string::npos || info.default_value.starts_with("DB.")) continue;
    ServeSettings s;
    ASSERT_FALSE(info.set(s, info.default_value)) << info.name;
    EXPECT_TRUE(s == ServeSettings{}) << info.name << " = " << info.default_value;
    ++checked;
  }
  EXPECT_GE(checked, 13);
}

TEST(ConfigFile, CrossChecks) {
  ServeSettings s;
  auto errors = check_settings(s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("db: no database given"));
  s.db = "x.db";
  s.listen = "8080";
  s.trusted_proxies = "localhost";
  s.public_url = "honours";
  errors = check_settings(s);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], HasSubstr("listen"));
  EXPECT_THAT(errors[1], HasSubstr("trusted-proxies"));
  EXPECT_THAT(errors[2], HasSubstr("public-url"));
  EXPECT_EQ(parse_listen("[::1]:8080")->host, "::1");
  EXPECT_EQ(parse_listen("127.0.0.1:0")->port, 0);
  EXPECT_FALSE(parse_listen("127.0.0.1:65536"));
}

}  // namespace
}  // namespace laurel::web
