// The settings of `laurel serve`: one table that gives each setting its name (the same in the
// configuration file and as a --flag), default, unit and purpose, and parses and checks its value.
// The configuration file is `name = value` lines (`#` comments, optional double quotes); every error
// names the file and the line. The command line overrides the file. `laurel config check FILE` and
// `laurel serve --config FILE` use the same reader, and deploy/laurel.conf is the documented example.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace laurel::web {

struct ServeSettings {
  // Files and folders.
  std::string db;
  std::string key;        // "": DB.key
  std::string files;      // "": DB.files
  std::string workflows;  // "": the built-in default (installed share/laurel/workflows, else the source tree)
  std::string templates;
  std::string static_dir;
  // Network.
  std::string listen = "127.0.0.1:8080";
  std::string trusted_proxies;  // addresses/networks whose Forwarded / X-Forwarded-* headers are believed
  std::string public_url;       // https://… the address users reach Laurel at (absolute links, Secure cookies)
  // Limits and timeouts.
  std::size_t body_limit = 1024 * 1024;
  std::size_t upload_limit = 20 * 1024 * 1024;
  int header_timeout = 10;
  int body_timeout = 120;
  int idle_timeout = 60;
  int workers = 64;
  int io_threads = 2;
  // Sessions and the public.
  int session_idle = 30;      // minutes
  int session_lifetime = 12;  // hours
  int objections_per_hour = 10;
  // Upgrades.
  bool backup_before_migrate = true;
  // Development only.
  bool dev_clock = false;

  bool operator==(const ServeSettings&) const = default;
};

// One setting, for documentation, --help and the parser.
struct SettingInfo {
  std::string name;           // as in the file; the flag is --name
  std::string default_value;  // as text
  std::string unit;
  std::string purpose;
  bool is_flag = false;       // a boolean: `--name` alone on the command line means true
  // Parses `value` into the settings; returns an error message (without the file and line) or nullopt.
  std::function<std::optional<std::string>(ServeSettings&, std::string_view value)> set;
};

const std::vector<SettingInfo>& serve_settings();

struct SettingError {
  std::string file;  // "" for the command line
  int line = 0;
  std::string message;
  std::string to_string() const;
};

// Reads a configuration file into `settings` (on top of what is there). Returns every error found:
// unknown names (with the nearest known one), bad values, duplicates, lines that are not `name = value`.
std::vector<SettingError> read_config_file(const std::string& path, ServeSettings& settings);
// The same for text already read (`file` names it in errors).
std::vector<SettingError> read_config_text(std::string_view text, const std::string& file, ServeSettings& settings);

// Checks the settings together (after file and command line): the listen address, the proxies, the
// public URL, a database given. Errors say which setting is wrong.
std::vector<std::string> check_settings(const ServeSettings& settings);

// A data folder of the installation (`kind` is workflows, templates or static): PREFIX/share/laurel/KIND
// beside the running executable (PREFIX/bin/laurel) when it exists, else `built_in` (the source tree).
std::string data_folder(std::string_view kind, const std::string& built_in);

// Splits "ADDRESS:PORT" ("[::1]:8080" for IPv6); nullopt when malformed.
struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};
std::optional<ListenAddress> parse_listen(std::string_view listen);

}  // namespace laurel::web
