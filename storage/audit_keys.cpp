#include "storage/audit_keys.h"

#include <sodium.h>

#include <boost/json/value.hpp>
#include <set>

#include "storage/audit_keyring.h"
#include "storage/audit_record.h"
#include "storage/audit_tree.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace laurel::storage::audit {
namespace fs = std::filesystem;
namespace bj = boost::json;

std::expected<Rotation, std::string> rotate_signing_key(const std::string& db_path, const fs::path& old_key_path,
                                                        const fs::path& new_key_path, engine::Time now) {
  if (sodium_init() < 0) return std::unexpected("libsodium failed to initialise");
  std::error_code ec;
  if (!fs::is_regular_file(db_path, ec)) return std::unexpected("no database at " + db_path);
  if (fs::exists(new_key_path, ec) || fs::is_symlink(new_key_path, ec)) {
    return std::unexpected("the new key file " + new_key_path.string() +
                           " already exists; refusing to overwrite it (if an earlier rotation was interrupted, that file holds a key "
                           "the database does not know: remove it and run again)");
  }
  bool key_written = false;
  try {
    sql::Db db(db_path, sql::Db::Mode::read_write);
    {
      sql::Stmt s(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'");
      s.step();
      if (s.i64(0) == 0) return std::unexpected(db_path + " is not a Laurel database");
    }
    auto migrated = migrate(db);
    if (!migrated) return std::unexpected(db_path + ": " + migrated.error());
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    // BEGIN IMMEDIATE: no other writer can slip in between reading the tree and committing.
    sql::Transaction transaction(db);
    auto tree = AuditTree::open(db, old_key_path.string());
    if (!tree) return std::unexpected(tree.error());
    const std::string old_verifier = (*tree)->signer().verifier_key();

    std::set<std::string> taken;
    for (const auto& k : read_signing_keys(db)) taken.insert(k.key_id);
    std::optional<checkpoint::Signer> fresh;
    // A key id is 32 bits; in the unlikely case it collides with an earlier key's, draw again.
    for (int attempt = 0; attempt < 8 && !fresh; ++attempt) {
      auto generated = checkpoint::Signer::generate((*tree)->origin());
      if (!generated) return std::unexpected(generated.error());
      if (!taken.contains(generated->key_id_hex())) fresh.emplace(std::move(*generated));
    }
    if (!fresh) return std::unexpected("could not draw a key with an unused key id");
    const std::string new_verifier = fresh->verifier_key();

    // The key file first, durably: if the commit then fails the file is removed; if the machine
    // stops in between, the database still uses the old key and the new file is refused next time.
    auto written = checkpoint::write_signer_key_file(new_key_path, *fresh);
    if (!written) return std::unexpected(written.error());
    key_written = true;

    AuditRecord record;
    record.at = now;
    record.who = Who{"system", "", "", "cli", ""};
    record.kind = "system";
    record.action = "rotate_key";
    record.object_type = "signing_key";
    record.object_id = fresh->key_id_hex();
    record.outcome = "accepted";
    record.old_value = bj::object{{"verifier_key", old_verifier}};
    record.new_value = bj::object{{"verifier_key", new_verifier}};
    const std::string bytes = record.bytes();

    Rotation rotation{old_verifier, new_verifier, (*tree)->size(), 0};
    (*tree)->begin();
    sql::Stmt insert(db, "INSERT INTO audit_log (idx, record, at, actor, kind, action, object_id, outcome) VALUES (?,?,?,?,?,?,?,?)");
    insert.bind(1, rotation.record_index)
        .bind_blob(2, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()))
        .bind(3, record.at)
        .bind(4, record.who.user)
        .bind(5, record.kind)
        .bind(6, record.action)
        .bind(7, record.object_id)
        .bind(8, record.outcome)
        .run();
    (*tree)->append(db, bytes, record.at);
    (*tree)->finish(db);  // the last checkpoint signed by the old key, covering the rotation
    rotation.checkpoint_size = static_cast<std::uint64_t>((*tree)->size());

    sql::Stmt retire(db, "UPDATE signing_keys SET retired_at = ?, retired_size = ? WHERE verifier_key = ?");
    retire.bind(1, now).bind(2, static_cast<std::int64_t>(rotation.checkpoint_size)).bind(3, old_verifier).run();
    sql::Stmt add(db, "INSERT INTO signing_keys (key_id, name, verifier_key, created_at) VALUES (?, ?, ?, ?)");
    add.bind(1, fresh->key_id_hex()).bind(2, fresh->name()).bind(3, new_verifier).bind(4, now).run();
    transaction.commit();
    (*tree)->committed();
    return rotation;
  } catch (const std::exception& e) {
    if (key_written) fs::remove(new_key_path, ec);
    return std::unexpected(db_path + ": " + e.what());
  }
}

}  // namespace laurel::storage::audit
