#include "web/http.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace laurel::web {

std::string Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> Request::param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

bool parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return false;
  boost::urls::url_view u = *parsed;
  path = u.path();
  for (auto p : u.params()) {
    if (!query.contains(p.key)) query.emplace(p.key, p.value);
  }
  return true;
}

}  // namespace laurel::web
