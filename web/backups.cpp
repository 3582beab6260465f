#include "web/backups.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "storage/audit_verify.h"
#include "storage/store.h"

namespace laurel::web {
namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

std::string stamp(long long t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y%m%dT%H%M%SZ", &tm);
  return out;
}

bool is_copy_name(const std::string& name) {
  return name.starts_with("laurel-") && name.ends_with(".db") && name.size() == std::string("laurel-20261129T183000Z.db").size();
}

}  // namespace

std::string backup_status_path(const std::string& db) { return db + ".last-backup"; }

std::optional<std::pair<long long, std::int64_t>> read_backup_status(const std::string& db) {
  std::ifstream in(backup_status_path(db));
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto v = bj::parse(text.str(), ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto* at = o.if_contains("finished_at");
  auto* records = o.if_contains("records");
  if (!at || !at->is_int64() || !records || !records->is_int64()) return std::nullopt;
  return std::make_pair(static_cast<long long>(at->as_int64()), records->as_int64());
}

std::expected<BackupResult, std::string> run_backup(const BackupRun& run, std::ostream& log) {
  BackupResult result;
  std::error_code ec;
  if (run.keep < 1) return std::unexpected("--keep must be at least 1");
  fs::create_directories(run.dir, ec);
  if (ec) return std::unexpected("cannot create the backup folder " + run.dir + ": " + ec.message());
  std::string name = "laurel-" + stamp(run.now) + ".db";
  result.file = (fs::path(run.dir) / name).string();
  if (fs::exists(result.file, ec)) return std::unexpected(result.file + " already exists (two backups in the same second?)");
  std::string partial = result.file + ".partial";
  fs::remove(partial, ec);
  if (auto r = storage::Store::backup(run.db, partial); !r) return std::unexpected("copying " + run.db + ": " + r.error().message);

  storage::audit::VerifyOptions vo;
  vo.threads = 1;  // a nightly job: leave the other cores to the service
  auto report = storage::audit::verify_database(partial, vo);
  if (!report.ok) {
    fs::remove(partial, ec);
    return std::unexpected("the copy failed verification and was removed: " + report.summary());
  }
  result.records = report.records;
  fs::rename(partial, result.file, ec);
  if (ec) {
    fs::remove(partial, ec);
    return std::unexpected("cannot name the copy " + result.file + ": " + ec.message());
  }
  log << "backed up " << run.db << " to " << result.file << " and verified it (" << report.summary() << ")\n";

  // Attachments: content-addressed, so a file already in the shared folder is the same file.
  if (fs::is_directory(run.files, ec)) {
    auto target = fs::path(run.dir) / "files";
    fs::create_directories(target, ec);
    if (ec) return std::unexpected("cannot create " + target.string() + ": " + ec.message());
    for (const auto& entry : fs::recursive_directory_iterator(run.files, ec)) {
      if (!entry.is_regular_file()) continue;
      auto leaf = entry.path().filename().string();
      if (leaf.starts_with(".")) continue;  // uploads in progress
      auto to = target / fs::relative(entry.path(), run.files);
      if (fs::exists(to)) continue;
      fs::create_directories(to.parent_path());
      auto tmp = to;
      tmp += ".partial";
      fs::copy_file(entry.path(), tmp, fs::copy_options::overwrite_existing, ec);
      if (!ec) fs::rename(tmp, to, ec);
      if (ec) return std::unexpected("copying the attachment " + entry.path().string() + ": " + ec.message());
      result.attachments += 1;
    }
    if (ec) return std::unexpected("reading the attachments folder " + run.files + ": " + ec.message());
    log << "copied " << result.attachments << " new attachment files to " << target.string() << "\n";
  }

  // Keep the newest `keep` copies (the names sort by time).
  std::vector<fs::path> copies;
  for (const auto& entry : fs::directory_iterator(run.dir, ec)) {
    if (entry.is_regular_file() && is_copy_name(entry.path().filename().string())) copies.push_back(entry.path());
  }
  std::sort(copies.begin(), copies.end());
  while (copies.size() > static_cast<std::size_t>(run.keep)) {
    fs::remove(copies.front(), ec);
    if (!ec) {
      log << "removed the old copy " << copies.front().string() << "\n";
      result.removed += 1;
    }
    copies.erase(copies.begin());
  }

  bj::object status{{"finished_at", static_cast<std::int64_t>(std::time(nullptr))}, {"file", result.file}, {"records", result.records}, {"verified", true}};
  std::string status_path = backup_status_path(run.db);
  {
    std::ofstream out(status_path + ".tmp", std::ios::trunc);
    out << bj::serialize(status) << "\n";
    if (!out) log << "warning: cannot write " << status_path << " (the backup-age metric will not see this backup)\n";
  }
  fs::rename(status_path + ".tmp", status_path, ec);
  return result;
}

}  // namespace laurel::web
