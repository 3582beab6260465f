#include "web/settings.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "web/proxy.h"

namespace laurel::web {
namespace {

namespace fs = std::filesystem;

using Setter = std::function<std::optional<std::string>(ServeSettings&, std::string_view)>;

template <typename T>
Setter integer(T ServeSettings::*field, long long min, long long max) {
  return [field, min, max](ServeSettings& s, std::string_view v) -> std::optional<std::string> {
    long long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) return "\"" + std::string(v) + "\" is not a whole number";
    if (n < min || n > max) return std::to_string(n) + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")";
    s.*field = static_cast<T>(n);
    return std::nullopt;
  };
}

Setter text(std::string ServeSettings::*field, bool allow_empty = true) {
  return [field, allow_empty](ServeSettings& s, std::string_view v) -> std::optional<std::string> {
    if (!allow_empty && v.empty()) return std::string("must not be empty");
    s.*field = std::string(v);
    return std::nullopt;
  };
}

Setter boolean(bool ServeSettings::*field) {
  return [field](ServeSettings& s, std::string_view v) -> std::optional<std::string> {
    if (v == "true" || v == "yes" || v == "on" || v == "1") s.*field = true;
    else if (v == "false" || v == "no" || v == "off" || v == "0") s.*field = false;
    else return "\"" + std::string(v) + "\" is not true or false";
    return std::nullopt;
  };
}

std::vector<SettingInfo> make_table() {
  constexpr long long kMaxBytes = 4LL * 1024 * 1024 * 1024;
  std::vector<SettingInfo> t = {
      {"db", "(none: required)", "path", "The database file; the service's data folder holds it, its -wal/-shm files, DB.files/ and DB.key", false,
       text(&ServeSettings::db, false)},
      {"key", "DB.key", "path", "The audit signing key (mode 0600, readable only by the service user); back it up apart from the database", false,
       text(&ServeSettings::key)},
      {"files", "DB.files", "path", "The attachments folder (content-addressed files, never changed once written)", false,
       text(&ServeSettings::files)},
      {"workflows", "PREFIX/share/laurel/workflows (installed) or the source tree", "path",
       "The workflow definitions, categories, jurisdictions and holidays", false, text(&ServeSettings::workflows)},
      {"templates", "PREFIX/share/laurel/templates (installed) or the source tree", "path", "The page templates (*.tpl)", false,
       text(&ServeSettings::templates)},
      {"static", "PREFIX/share/laurel/static (installed) or the source tree", "path",
       "The static files served under /static/ (the reverse proxy may serve them itself)", false, text(&ServeSettings::static_dir)},
      {"listen", "127.0.0.1:8080", "ADDRESS:PORT", "Where to accept connections ([::1]:8080 for IPv6; port 0 picks a free port). Behind a proxy keep it on loopback",
       false, text(&ServeSettings::listen, false)},
      {"trusted-proxies", "(none)", "addresses or networks, comma-separated",
       "Peers whose Forwarded / X-Forwarded-For / X-Forwarded-Proto headers are believed (e.g. 127.0.0.1, ::1); from any other peer they are ignored. "
       "The client address so found is used for rate limits and recorded in the audit log",
       false, text(&ServeSettings::trusted_proxies)},
      {"public-url", "(none: from the request's Host)", "URL",
       "The address users reach Laurel at (https://honours.example.gov.cn); absolute links are built from it, and when it is https every cookie is Secure",
       false, text(&ServeSettings::public_url)},
      {"body-limit", "1048576", "bytes", "Largest JSON or form body (nginx's client_max_body_size for everything but uploads)", false,
       integer(&ServeSettings::body_limit, 1024, kMaxBytes)},
      {"upload-limit", "20971520", "bytes", "Largest attachment upload (nginx's client_max_body_size for the attachments location)", false, integer(&ServeSettings::upload_limit, 1024, kMaxBytes)},
      {"header-timeout", "10", "seconds", "Time to receive a request's headers", false, integer(&ServeSettings::header_timeout, 1, 3600)},
      {"body-timeout", "120", "seconds", "Time to receive a request's body", false, integer(&ServeSettings::body_timeout, 1, 86400)},
      {"idle-timeout", "60", "seconds", "Time a kept-alive connection may stay idle", false, integer(&ServeSettings::idle_timeout, 1, 86400)},
      {"workers", "64", "threads", "Handler threads (a durable command holds one while it commits)", false, integer(&ServeSettings::workers, 1, 4096)},
      {"io-threads", "2", "threads", "Network threads", false, integer(&ServeSettings::io_threads, 1, 256)},
      {"session-idle", "30", "minutes", "A session ends after this long without use", false, integer(&ServeSettings::session_idle, 1, 10000000)},
      {"session-lifetime", "12", "hours", "A session ends this long after sign-in, used or not", false,
       integer(&ServeSettings::session_lifetime, 1, 1000000)},
      {"objections-per-hour", "10", "objections", "Public objections accepted per client address per hour", false,
       integer(&ServeSettings::objections_per_hour, 1, 1000000)},
      {"backup-before-migrate", "true", "true/false",
       "Before migrating an older database on start, copy it to DB.vN-TIME.bak beside it (the start refuses if the copy fails)", false,
       boolean(&ServeSettings::backup_before_migrate)},
      {"dev-clock", "false", "true/false", "Enable POST /api/v1/dev/clock to move the clock forward (development and tests only, never in production)",
       true, boolean(&ServeSettings::dev_clock)},
  };
  return t;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const std::vector<SettingInfo>& serve_settings() {
  static const std::vector<SettingInfo> table = make_table();
  return table;
}

std::string SettingError::to_string() const {
  if (file.empty()) return message;
  return file + ":" + std::to_string(line) + ": " + message;
}

std::vector<SettingError> read_config_text(std::string_view text, const std::string& file, ServeSettings& settings) {
  std::vector<SettingError> errors;
  std::map<std::string, int> seen;
  int number = 0;
  while (!text.empty() || number == 0) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++number;
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') {
      if (text.empty()) break;
      continue;
    }
    auto fail = [&](std::string message) { errors.push_back(SettingError{file, number, std::move(message)}); };
    if (line.front() == '[') {
      fail("sections are not used: write every setting as `name = value`");
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      fail("expected `name = value`, found \"" + std::string(line.substr(0, 80)) + "\"");
      continue;
    }
    std::string name(trim(line.substr(0, eq)));
    std::replace(name.begin(), name.end(), '_', '-');
    std::string_view value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    } else if (auto hash = value.find(" #"); hash != std::string_view::npos) {
      value = trim(value.substr(0, hash));  // a comment after an unquoted value
    }
    const auto& table = serve_settings();
    auto it = std::find_if(table.begin(), table.end(), [&](const SettingInfo& s) { return s.name == name; });
    if (it == table.end()) {
      const SettingInfo* nearest = nullptr;
      std::size_t best = 4;
      for (const auto& s : table) {
        if (auto d = distance(name, s.name); d < best) { best = d; nearest = &s; }
      }
      fail("unknown setting \"" + name + "\"" + (nearest ? " (did you mean \"" + nearest->name + "\"?)" : std::string()));
      continue;
    }
    if (auto [at, fresh] = seen.emplace(name, number); !fresh) {
      fail("\"" + name + "\" is set twice (first on line " + std::to_string(at->second) + ")");
      continue;
    }
    if (auto bad = it->set(settings, value)) fail(name + ": " + *bad);
  }
  return errors;
}

std::vector<SettingError> read_config_file(const std::string& path, ServeSettings& settings) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {SettingError{"", 0, "the configuration file " + path + " does not exist"}};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {SettingError{"", 0, "cannot read the configuration file " + path + " (permissions?)"}};
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 1024 * 1024) return {SettingError{path, 0, "the configuration file is larger than 1 MiB"}};
  return read_config_text(text.str(), path, settings);
}

std::optional<ListenAddress> parse_listen(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string host(listen.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return std::nullopt;
  return ListenAddress{host, static_cast<unsigned short>(port)};
}

std::vector<std::string> check_settings(const ServeSettings& s) {
  std::vector<std::string> errors;
  if (s.db.empty()) errors.push_back("db: no database given (set `db = PATH` in the configuration file or --db PATH)");
  if (!parse_listen(s.listen)) errors.push_back("listen: \"" + s.listen + "\" is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
  if (auto p = TrustedProxies::parse(s.trusted_proxies); !p) errors.push_back("trusted-proxies: " + p.error());
  if (!s.public_url.empty()) {
    if (auto u = parse_public_url(s.public_url); !u) errors.push_back("public-url: " + u.error());
  }
  return errors;
}

std::string data_folder(std::string_view kind, const std::string& built_in) {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "laurel" / std::string(kind);
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return built_in;
}

}  // namespace laurel::web
