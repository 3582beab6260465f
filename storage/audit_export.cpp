#include "storage/audit_export.h"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <fstream>
#include <istream>
#include <ostream>

#include "storage/audit_keyring.h"
#include "storage/canonical_json.h"
#include "storage/canonical_json_scan.h"
#include "storage/merkle.h"
#include "storage/readahead_vfs.h"
#include "storage/sqlite.h"

namespace laurel::storage::audit {
namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kIndexPrefix = "{\"index\":";
constexpr std::string_view kLeafPrefix = ",\"leaf\":\"";
constexpr std::string_view kLeafSuffix = "\"}";
constexpr std::string_view kCheckpointPrefix = "{\"checkpoint\":";

void append_base64(std::string& out, std::span<const std::uint8_t> bytes) {
  const std::size_t at = out.size();
  const std::size_t encoded = sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(at + encoded);
  sodium_bin2base64(out.data() + at, encoded, bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
}

// Standard base64 with padding, all of the text. libsodium refuses stray bits in the last
// character and missing or extra padding, so one byte string has one spelling.
bool decode_base64(std::string_view text, std::string& out) {
  out.resize(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size() || text.size() % 4 != 0) {
    return false;
  }
  out.resize(length);
  return true;
}

std::string canonical(const bj::value& v) {
  auto text = canonical_json(v);
  if (!text) throw std::logic_error("export line cannot be made canonical: " + text.error());
  return std::move(*text);
}

}  // namespace

std::expected<ExportSummary, std::string> export_log(const std::string& db_path, std::ostream& out) {
  if (sodium_init() < 0) return std::unexpected("libsodium failed to initialise");
  std::error_code ec;
  if (!fs::is_regular_file(db_path, ec)) return std::unexpected("no database at " + db_path);
  try {
    auto connection = open_for_scan(db_path);
    sql::Db& db = *connection;
    sql::Transaction snapshot(db, /*immediate=*/false);
    auto origin = read_origin(db);
    if (!origin) return std::unexpected(db_path + " has no log origin; is it a Laurel database?");
    ExportSummary summary;
    std::int64_t size = 0;
    {
      sql::Stmt s(db, "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1");
      if (!s.step()) return std::unexpected(db_path + " has no checkpoint to export");
      size = s.i64(0);
      summary.checkpoint = s.text(1);
    }
    const auto keys = read_signing_keys(db);
    bj::array all_keys;
    for (const auto& k : keys) {
      all_keys.push_back(bj::string(k.verifier_key));
      auto ring = KeyRing::make({k.verifier_key});
      if (summary.verifier_key.empty() && ring && ring->verify(summary.checkpoint)) summary.verifier_key = k.verifier_key;
    }
    if (summary.verifier_key.empty()) {
      // No stored key verifies the checkpoint: export it as it is, named by the current key; the
      // verifier will say what is wrong.
      for (const auto& k : keys) {
        if (!k.retired_at) summary.verifier_key = k.verifier_key;
      }
    }
    out << canonical(bj::object{{"format", kExportFormat}, {"origin", *origin}, {"key", summary.verifier_key}, {"keys", all_keys}}) << '\n';

    sql::Stmt rows(db, "SELECT idx, record FROM audit_log WHERE idx < ? ORDER BY idx");
    rows.bind(1, size);
    std::string line;
    while (rows.step()) {
      line.assign(kIndexPrefix);
      line += std::to_string(rows.i64(0));
      line += kLeafPrefix;
      append_base64(line, rows.blob_view(1));
      line += kLeafSuffix;
      line += '\n';
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      ++summary.records;
    }
    out << canonical(bj::object{{"checkpoint", summary.checkpoint}}) << '\n';
    out.flush();
    if (!out) return std::unexpected("writing the export failed");
    db.sync_wal();  // nothing exported that a crash of the server's disk could still take back
    return summary;
  } catch (const std::exception& e) {
    return std::unexpected(db_path + ": " + e.what());
  }
}

std::expected<ExportSummary, std::string> export_log_to_file(const std::string& db_path, const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path, ec) || fs::is_symlink(path, ec)) return std::unexpected(path.string() + " already exists; refusing to overwrite it");
  fs::path partial = path;
  partial += ".partial";
  if (fs::exists(partial, ec)) return std::unexpected(partial.string() + " exists (an interrupted export?); remove it first");
  std::expected<ExportSummary, std::string> summary;
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return std::unexpected("cannot create " + partial.string());
    summary = export_log(db_path, out);
    out.close();
    if (summary && !out) summary = std::unexpected("writing " + partial.string() + " failed");
  }
  if (!summary) {
    fs::remove(partial, ec);
    return summary;
  }
  fs::rename(partial, path, ec);
  if (ec) {
    fs::remove(partial, ec);
    return std::unexpected("cannot rename the export to " + path.string() + ": " + ec.message());
  }
  return summary;
}

namespace {

// Lines of the export, with one line of look-ahead.
class Lines {
 public:
  explicit Lines(std::istream& in) : in_(in) {}
  bool next(std::string& line) {
    if (peeked_) {
      line.swap(*peeked_);
      peeked_.reset();
    } else if (!std::getline(in_, line)) {
      return false;
    }
    ++number_;
    return true;
  }
  const std::string* peek() {
    if (!peeked_) {
      std::string line;
      if (!std::getline(in_, line)) return nullptr;
      peeked_ = std::move(line);
    }
    return &*peeked_;
  }
  std::int64_t number() const { return number_; }

 private:
  std::istream& in_;
  std::optional<std::string> peeked_;
  std::int64_t number_ = 0;
};

struct RecordLine {
  std::int64_t index = 0;
  std::string_view leaf_base64;
};

// {"index":N,"leaf":"..."} exactly as written (canonical JSON: one spelling).
std::optional<RecordLine> parse_record_line(std::string_view line) {
  if (!line.starts_with(kIndexPrefix)) return std::nullopt;
  line.remove_prefix(kIndexPrefix.size());
  const auto digits = line.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos || (digits > 1 && line[0] == '0')) return std::nullopt;
  RecordLine r;
  const auto [end, status] = std::from_chars(line.data(), line.data() + digits, r.index);
  if (status != std::errc{} || end != line.data() + digits) return std::nullopt;
  line.remove_prefix(digits);
  if (!line.starts_with(kLeafPrefix) || !line.ends_with(kLeafSuffix)) return std::nullopt;
  line.remove_prefix(kLeafPrefix.size());
  line.remove_suffix(kLeafSuffix.size());
  if (line.find('"') != std::string_view::npos) return std::nullopt;
  r.leaf_base64 = line;
  return r;
}

class ExportVerification {
 public:
  explicit ExportVerification(const ExportVerifyOptions& options) : options_(options) {}
  Report run(std::istream& in);

 private:
  Report failed(Problem kind, std::int64_t index, std::string message, std::int64_t checkpoint_size = -1) {
    report_.first_error = Finding{index, kind, std::move(message), checkpoint_size};
    report_.ok = false;
    report_.unverified_tail = std::max<std::int64_t>(0, report_.records - report_.verified_size);
    return report_;
  }

  const ExportVerifyOptions& options_;
  Report report_;
};

Report ExportVerification::run(std::istream& in) {
  if (sodium_init() < 0) return failed(Problem::unreadable, -1, "libsodium failed to initialise");
  auto ring = KeyRing::make(options_.keys);
  if (!ring) return failed(Problem::malformed, -1, "the verifier key is malformed: " + ring.error());
  if (ring->empty()) return failed(Problem::malformed, -1, "no verifier key given");

  std::optional<checkpoint::Checkpoint> trusted;
  if (options_.trusted_checkpoint) {
    auto t = ring->verify(*options_.trusted_checkpoint);
    if (!t) return failed(Problem::checkpoint_signature, -1, "the trusted checkpoint does not verify with the given key: " + t.error());
    trusted = *t;
  }

  Lines lines(in);
  std::string line;
  if (!lines.next(line)) return failed(Problem::malformed, -1, "the export is empty");
  std::string origin;
  {
    boost::system::error_code ec;
    bj::value header = bj::parse(line, ec);
    const bj::object* o = !ec && header.is_object() ? &header.get_object() : nullptr;
    const bj::value* format = o ? o->if_contains("format") : nullptr;
    if (!format || !format->is_string() || format->get_string() != kExportFormat) {
      return failed(Problem::malformed, -1, std::string("line 1 is not the header of a \"") + kExportFormat + "\" export");
    }
    const bj::value* o_origin = o->if_contains("origin");
    if (!o_origin || !o_origin->is_string() || !checkpoint::is_valid_origin(o_origin->get_string())) {
      return failed(Problem::malformed, -1, "the header has no valid origin");
    }
    origin = std::string(o_origin->get_string());
  }
  if (trusted && trusted->origin != origin) {
    return failed(Problem::malformed, -1,
                  "the trusted checkpoint is of another log (\"" + trusted->origin + "\", the export's is \"" + origin + "\")");
  }

  merkle::Appender tree;
  std::optional<merkle::Hash> root_at_trusted;
  if (trusted && trusted->size == 0) root_at_trusted = merkle::empty_root();
  std::string leaf;
  std::optional<std::string> note;
  while (lines.next(line)) {
    if (line.starts_with(kCheckpointPrefix)) {
      boost::system::error_code ec;
      bj::value v = bj::parse(line, ec);
      const bj::value* text = !ec && v.is_object() && v.get_object().size() == 1 ? v.get_object().if_contains("checkpoint") : nullptr;
      if (!text || !text->is_string())
        return failed(Problem::malformed, -1, "line " + std::to_string(lines.number()) + ": a malformed checkpoint line");
      note = std::string(text->get_string());
      break;
    }
    const auto expected = static_cast<std::int64_t>(tree.size());
    auto record = parse_record_line(line);
    if (!record) {
      return failed(
          Problem::malformed, expected,
          "line " + std::to_string(lines.number()) + " is neither a record line {\"index\":N,\"leaf\":\"...\"} nor the checkpoint line");
    }
    if (record->index != expected) {
      if (record->index > expected) {
        const std::string* after = lines.peek();
        const auto following = after ? parse_record_line(*after) : std::nullopt;
        if (following && following->index == expected) {
          return failed(
              Problem::out_of_order, expected,
              "records out of order: record " + std::to_string(record->index) + " comes before record " + std::to_string(expected));
        }
        return failed(Problem::missing, expected,
                      (record->index - expected == 1 ? "record " + std::to_string(expected)
                                                     : "records " + std::to_string(expected) + ".." + std::to_string(record->index - 1)) +
                          " missing: the export jumps from " + std::to_string(expected - 1) + " to " + std::to_string(record->index));
      }
      return failed(
          Problem::out_of_order, expected,
          "records out of order: record " + std::to_string(record->index) + " comes after record " + std::to_string(expected - 1));
    }
    if (!decode_base64(record->leaf_base64, leaf)) {
      return failed(Problem::malformed, expected, "record " + std::to_string(expected) + ": the leaf is not canonical base64");
    }
    if (!is_canonical_json(leaf)) {
      auto parsed = parse_canonical_json(leaf);
      return failed(Problem::not_canonical, expected,
                    "record " + std::to_string(expected) +
                        " is not canonical JSON: " + (parsed ? std::string("the checks disagree") : parsed.error()));
    }
    tree.append(merkle::leaf_hash(leaf));
    ++report_.records;
    // A rotation in the log limits the key it retires to the checkpoint covering it.
    if (auto retired = retired_by_record(leaf)) ring->retire(*retired, tree.size());
    if (trusted && tree.size() == trusted->size) root_at_trusted = tree.root();
  }
  if (!note) {
    return failed(Problem::truncated, report_.records,
                  "the export ends after " + std::to_string(report_.records) + " records without its checkpoint line (it was cut short)");
  }
  while (lines.next(line)) {
    if (!line.empty())
      return failed(Problem::malformed, -1, "line " + std::to_string(lines.number()) + ": content after the checkpoint line");
  }
  if (trusted) {
    // Again, now that the log's rotation points are known: a trusted checkpoint by a retired key
    // must not be larger than its rotation point either.
    auto t = ring->verify(*options_.trusted_checkpoint);
    if (!t) return failed(Problem::checkpoint_signature, -1, "the trusted checkpoint does not verify with the given key: " + t.error());
  }
  auto cp = ring->verify(*note);
  if (!cp) return failed(Problem::checkpoint_signature, -1, "the export's checkpoint does not verify with the given key: " + cp.error());
  const auto size = static_cast<std::int64_t>(cp->size);
  if (cp->origin != origin) {
    return failed(Problem::malformed, -1, "the checkpoint is of another log (\"" + cp->origin + "\", the header says \"" + origin + "\")",
                  size);
  }
  if (size > report_.records) {
    return failed(Problem::truncated, report_.records,
                  "the export has " + std::to_string(report_.records) + " records but its checkpoint covers " + std::to_string(size) +
                      ": records " + std::to_string(report_.records) + ".." + std::to_string(size - 1) + " are gone",
                  size);
  }
  if (size < report_.records) {
    report_.verified_size = 0;
    return failed(Problem::unverified, size,
                  "records " + std::to_string(size) + ".." + std::to_string(report_.records - 1) +
                      " are not covered by the export's checkpoint (size " + std::to_string(size) + ")",
                  size);
  }
  if (tree.root() != cp->root) {
    return failed(Problem::checkpoint_inconsistent, -1,
                  "the records do not give the checkpoint's root: a record was changed, inserted, removed or reordered (and renumbered)",
                  size);
  }
  report_.checkpoints = 1;
  report_.verified_size = size;
  if (trusted) {
    const auto t = static_cast<std::int64_t>(trusted->size);
    if (t > size) {
      return failed(Problem::rollback, size,
                    "rollback or truncation: the trusted checkpoint covers " + std::to_string(t) + " records but the export only " +
                        std::to_string(size) + " (an older backup was restored, or the tail was cut)",
                    t);
    }
    if (!root_at_trusted || *root_at_trusted != trusted->root) {
      return failed(Problem::rollback, -1,
                    "the export is not consistent with the trusted checkpoint: its first " + std::to_string(t) +
                        " records give another root (the log was rewritten after the auditor saw it)",
                    t);
    }
    ++report_.checkpoints;
  }
  report_.ok = true;
  return report_;
}

}  // namespace

Report verify_export(std::istream& in, const ExportVerifyOptions& options) { return ExportVerification(options).run(in); }

Report verify_export(std::istream& in, const std::string& verifier_key, const std::optional<std::string>& trusted_checkpoint) {
  ExportVerifyOptions options;
  options.keys.push_back(verifier_key);
  options.trusted_checkpoint = trusted_checkpoint;
  return verify_export(in, options);
}

}  // namespace laurel::storage::audit
