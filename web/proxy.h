// Running behind a reverse proxy: which peers are trusted to say who the client is, reading the
// client's address and scheme from `Forwarded` (RFC 7239) or `X-Forwarded-For`/`X-Forwarded-Proto`
// only when the peer is one of them, and the public base URL that absolute links are built from.
// Pure functions over strings and addresses: no sockets, tested without a network.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "web/http.h"

namespace laurel::web {

// A set of addresses and networks ("127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8").
class TrustedProxies {
 public:
  // Parses a comma- or space-separated list; the error names the entry that is not an address or
  // network.
  static std::expected<TrustedProxies, std::string> parse(std::string_view list);
  bool contains(std::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    std::vector<unsigned char> bytes;  // 4 or 16
    int prefix = 0;
  };
  std::vector<Network> networks_;
};

// Sets request.client_address and request.secure from the peer and, when the peer is a trusted
// proxy, from the forwarding headers: the client is the right-most address in the chain that is not
// itself a trusted proxy; the scheme is the one the nearest proxy reports. From any other peer the
// headers are ignored (a client cannot claim an address). `tls_default` marks every request secure
// (the public URL is https).
void apply_forwarding(Request& request, const std::string& peer, const TrustedProxies& proxies, bool tls_default);

// Validates a configured public base URL ("https://honours.example.gov.cn" or with a path prefix);
// returns it without a trailing slash, or an error saying what is wrong.
std::expected<std::string, std::string> parse_public_url(std::string_view url);

// The absolute URL of `path` (starting with '/'): under the configured public base URL when set,
// else from the request's scheme and Host header (a Host that is not a plain host[:port] is ignored).
std::string absolute_url(const Request& request, const std::string& public_url, std::string_view path);

}  // namespace laurel::web
