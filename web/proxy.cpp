#include "web/proxy.h"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace laurel::web {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = s.find(sep);
    out.push_back(trim(s.substr(0, at)));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// An address as 4 or 16 bytes; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4.
std::optional<std::vector<unsigned char>> address_bytes(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return std::vector<unsigned char>(b.begin(), b.end());
  }
  auto b = a.to_v6().to_bytes();
  return std::vector<unsigned char>(b.begin(), b.end());
}

std::string normalise(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::string(text);
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a.to_string();
}

// A node of Forwarded's for= ("192.0.2.1", "\"[2001:db8::1]:4711\"", "192.0.2.1:80") or an entry of
// X-Forwarded-For, as an address, or nullopt ("unknown", "_hidden", garbage).
std::optional<std::string> node_address(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (!v.empty() && v.front() == '[') {
    auto close = v.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    v = v.substr(1, close - 1);
  } else if (std::count(v.begin(), v.end(), ':') == 1) {
    v = v.substr(0, v.find(':'));  // IPv4 with a port
  }
  if (!address_bytes(v)) return std::nullopt;
  return normalise(v);
}

struct Hop {
  std::optional<std::string> address;
  std::string proto;
};

std::vector<Hop> forwarded_hops(std::string_view header) {
  std::vector<Hop> hops;
  for (auto element : split(header, ',')) {
    Hop hop;
    for (auto pair : split(element, ';')) {
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name(trim(pair.substr(0, eq)));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      auto value = trim(pair.substr(eq + 1));
      if (name == "for") hop.address = node_address(value);
      if (name == "proto") {
        if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
        hop.proto = std::string(value);
      }
    }
    hops.push_back(std::move(hop));
  }
  return hops;
}

bool plain_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
}

}  // namespace

std::expected<TrustedProxies, std::string> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  std::string normalised(list);
  std::replace(normalised.begin(), normalised.end(), ' ', ',');
  for (auto entry : split(normalised, ',')) {
    if (entry.empty()) continue;
    auto slash = entry.find('/');
    auto bytes = address_bytes(entry.substr(0, slash));
    if (!bytes) return std::unexpected("\"" + std::string(entry) + "\" is not an IP address or network (ADDRESS or ADDRESS/PREFIX)");
    int max = static_cast<int>(bytes->size() * 8);
    int prefix = max;
    if (slash != std::string_view::npos) {
      auto text = entry.substr(slash + 1);
      prefix = -1;
      if (!text.empty() && text.size() <= 3 && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        prefix = std::stoi(std::string(text));
      }
      if (prefix < 0 || prefix > max) {
        return std::unexpected("\"" + std::string(entry) + "\": the prefix length must be 0 to " + std::to_string(max));
      }
    }
    out.networks_.push_back(Network{std::move(*bytes), prefix});
  }
  return out;
}

bool TrustedProxies::contains(std::string_view address) const {
  auto bytes = address_bytes(address);
  if (!bytes) return false;
  for (const auto& n : networks_) {
    if (n.bytes.size() != bytes->size()) continue;
    int bits = n.prefix;
    bool match = true;
    for (std::size_t i = 0; bits > 0 && match; ++i, bits -= 8) {
      unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
      match = ((*bytes)[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

void apply_forwarding(Request& request, const std::string& peer, const TrustedProxies& proxies, bool tls_default) {
  request.client_address = normalise(peer);
  request.secure = tls_default;
  if (peer.empty() || !proxies.contains(peer)) return;
  std::vector<Hop> hops;
  if (auto fwd = request.header("forwarded"); !fwd.empty()) {
    hops = forwarded_hops(fwd);
  } else {
    const std::string xff = request.header("x-forwarded-for");
    const std::string proto = request.header("x-forwarded-proto");
    for (auto entry : split(xff, ',')) {
      if (!entry.empty()) hops.push_back(Hop{node_address(entry), {}});
    }
    if (!hops.empty()) {
      hops.back().proto = std::string(split(proto, ',').back());
    } else if (!proto.empty()) {
      hops.push_back(Hop{std::nullopt, std::string(split(proto, ',').back())});
    }
  }
  if (hops.empty()) return;
  // The nearest proxy's word on the scheme is what the client used to reach it.
  if (!hops.back().proto.empty()) request.secure = tls_default || hops.back().proto == "https";
  // Walk from the nearest hop outwards while the current sender is trusted.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!proxies.contains(request.client_address)) break;
    if (!it->address) break;  // "unknown" or obfuscated: keep the last address we can vouch for
    request.client_address = *it->address;
  }
}

std::expected<std::string, std::string> parse_public_url(std::string_view url) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u) return std::unexpected("\"" + std::string(url) + "\" is not an absolute URL (e.g. https://honours.example.gov.cn)");
  if (u->scheme() != "https" && u->scheme() != "http") return std::unexpected("\"" + std::string(url) + "\": the scheme must be https (or http)");
  if (u->host().empty()) return std::unexpected("\"" + std::string(url) + "\": no host");
  if (u->has_query() || u->has_fragment() || u->has_userinfo()) {
    return std::unexpected("\"" + std::string(url) + "\": no query, fragment or user name, only scheme, host, port and path");
  }
  std::string out(url);
  while (out.ends_with('/')) out.pop_back();
  return out;
}

std::string absolute_url(const Request& request, const std::string& public_url, std::string_view path) {
  if (!public_url.empty()) return public_url + std::string(path);
  std::string host = request.header("host");
  if (!plain_host(host)) host = "localhost";
  return std::string(request.secure ? "https://" : "http://") + host + std::string(path);
}

}  // namespace laurel::web
