// The store: Laurel's durable state in one SQLite database. Every command goes through one writer
// thread that owns the write connection and commits the commands that arrive together in one
// transaction (group commit), answering each caller only after the commit is durable (WAL; a
// syncer thread syncs it after each commit, as synchronous=FULL would, and answers then; readers
// also wait for that point before they answer). Each command appends exactly one audit record (accepted or denied) and
// updates the projections (nominations, notices, decisions, objections, timers, users, quotas) in
// the same transaction. Readers use their own connections. The interface speaks the engine's types
// only: no SQLite type or SQL string leaves storage/.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/decide.h"
#include "storage/audit_record.h"

namespace laurel::storage {

namespace audit {
class AuditReader;
}

using engine::Time;

struct Options {
  std::string db_path;
  std::string key_path;    // the audit signing key; default: db_path + ".key"
  std::string files_dir;   // attachments; default: db_path + ".files"
  std::int64_t max_attachment_bytes = 20 * 1024 * 1024;
  std::size_t max_batch = 512;  // commands per group commit
  // The WAL's length (pages) past which it is checkpointed and started over (Store::Impl::on_wal).
  // Tests that count every write of a commit set it beyond their run, so that no checkpoint's
  // writes fall among those they count.
  int wal_checkpoint_pages = 2000;
  // For the storage benchmark only (its figure "with and without the tree"): false writes the
  // records but no leaf or tree hashes and no checkpoints, so the log cannot be verified. Never off
  // in service: nothing else turns it off, and `laurel audit verify` reports such a log as broken.
  bool audit_tree = true;
  // argon2id cost (libsodium's "interactive" limits by default; tests may lower them).
  unsigned long long pwhash_opslimit = 2;
  std::size_t pwhash_memlimit = 64 * 1024 * 1024;

  std::string key_file() const { return key_path.empty() ? db_path + ".key" : key_path; }
  std::string files_folder() const { return files_dir.empty() ? db_path + ".files" : files_dir; }
};

// An error of the store itself (I/O, disk full, a broken database), never a refused command.
struct StoreError {
  std::string message;
};

// The caller: the engine's actor plus how it authenticated and from where (for the audit record).
struct Caller {
  engine::Actor actor;
  std::string auth = "session";  // session | token | cli | system | anonymous
  std::string address;
};

// A response stored with an Idempotency-Key, so that a repeat gets the same answer.
struct StoredResponse {
  int status = 200;
  std::string body;
};

struct CommandRequest {
  Caller caller;
  std::string nomination_id;  // empty for "create"
  engine::Command command;    // new_id is assigned by the store
  std::string contact;        // an objector's contact (personal data), if given
  engine::Time now = 0;
  // Optional idempotency: a repeat of (user, key) with the same fingerprint returns the stored
  // response; `render` makes that response from the result inside the same transaction.
  std::string idempotency_key;
  std::string fingerprint;
  std::function<StoredResponse(const struct CommandResult&)> render;
};

struct CommandResult {
  enum class Status { accepted, rejected, not_found, replayed, idempotency_mismatch, failed };
  Status status = Status::failed;
  std::optional<engine::Rejection> rejection;     // rejected
  std::optional<engine::Nomination> nomination;   // after the command (accepted)
  std::vector<engine::Nomination> opened;         // linked nominations opened by it
  std::optional<StoredResponse> replay;           // replayed
  std::string error;                              // failed
  std::int64_t audit_index = -1;                  // the record appended
};

// One action on many nominations, all or nothing: one publicity notice or one naming decision.
struct BatchRequest {
  Caller caller;
  engine::Command command;  // action and data shared by every item (expected_version per item)
  std::vector<std::pair<std::string, std::int64_t>> items;  // (nomination id, expected_version)
  engine::Time now = 0;
};

struct BatchResult {
  struct Item {
    std::string id;
    CommandResult::Status status;
    std::optional<engine::Rejection> rejection;
    std::optional<engine::Nomination> nomination;
  };
  bool accepted = false;
  bool not_found = false;
  std::string error;  // a store failure
  std::string notice_id;  // for approve
  std::vector<Item> items;
};

struct ListQuery {
  std::optional<std::string> state, level, category, office;
  std::optional<std::string> at_office;  // the office holding the nomination now (exact code)
  std::optional<int> year;
  std::optional<std::string> q;  // full-text search in names and summaries
  int page = 1;
  int per_page = 20;
};

struct ListPage {
  std::vector<engine::Nomination> items;
  std::int64_t total = 0;
};

struct RecordRow {
  std::int64_t index = 0;
  std::string bytes;  // canonical JSON
};

struct RecordQuery {
  std::int64_t from = 0;
  int limit = 100;
  std::optional<std::string> nomination, actor, action, outcome;
  std::optional<engine::Time> since, until;
};

struct User {
  std::string username;
  std::string display_name;
  bool disabled = false;
  std::vector<engine::RoleGrant> roles;
};

struct Notice {
  std::string id, title, office, level;
  engine::Time starts_at = 0, ends_at = 0;
  std::vector<engine::Nomination> nominations;
};

struct Decision {
  std::string document_no, title, office, level;
  engine::Time named_at = 0;
  std::vector<engine::Nomination> nominations;
};

struct Quota {
  std::string office, level, category;
  int year = 0;
  std::int64_t limit = 0;
  std::int64_t used = 0;
};

struct StatRow {
  std::string level, category, state;
  std::int64_t count = 0;
};

// A bulk import of nominations (web/documents_import.h): every row is an ordinary "create", all
// committed or none, followed by one "import" record naming the file's SHA-256.
struct ImportRequest {
  Caller caller;
  std::vector<engine::Command> rows;  // "create" commands
  std::string file_name;
  std::string file_sha256;            // hex, of the file as uploaded
  std::int64_t rows_in_file = 0;      // more than rows.size() when only the valid rows are imported
  engine::Time now = 0;
};

struct ImportResult {
  bool accepted = false;
  std::string error;                 // a store failure
  std::vector<CommandResult> rows;   // per row, in order; when refused, nothing of them was kept
  std::string import_id;
  std::int64_t audit_index = -1;     // the import record
};

// A verification code printed on a document: certificate (one named nomination), decision (a 文号)
// or notice (a publicity notice id). It leads to the audit record of the naming (or approval).
struct VerificationCode {
  std::string code;  // 10 characters of Crockford base32
  std::string kind;
  std::string document_no;
  std::string nomination_id;
  std::int64_t audit_index = -1;
  engine::Time created_at = 0;
};

// Result of an administrative change (users, quotas): refused with a problem, or done.
struct AdminResult {
  std::optional<engine::Rejection> rejection;
  std::string error;  // store failure
  std::int64_t audit_index = -1;
  bool ok() const { return !rejection && error.empty(); }
};

class Store {
 public:
  // Creates a new database at options.db_path with the catalog's definitions, the signing key, and
  // user "admin" (administrator at the root jurisdiction) with `admin_password` (generated when
  // empty; returned). Refuses an existing database that already holds records.
  static std::expected<std::string, StoreError> init(const Options& options, const engine::Catalog& catalog,
                                                     const std::vector<std::pair<std::string, std::string>>& definition_texts,
                                                     std::string admin_password, engine::Time now);
  static std::expected<std::unique_ptr<Store>, StoreError> open(const Options& options, const engine::Catalog& catalog);
  // Rebuilds every projection from the log, in one transaction.
  static std::expected<std::int64_t, StoreError> rebuild(const Options& options, const engine::Catalog& catalog);
  // Copies a consistent snapshot of the database to `to` with SQLite's online backup API.
  static std::expected<void, StoreError> backup(const std::string& db_path, const std::string& to);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const engine::Catalog& catalog() const;
  const Options& options() const;

  // Commands. submit() returns at once; the future is ready once the command's transaction is durable.
  std::future<CommandResult> submit(CommandRequest request);
  CommandResult execute(CommandRequest request) { return submit(std::move(request)).get(); }
  BatchResult execute_batch(BatchRequest request);
  // Runs every system action due at `now` (publicity closes, expiries); returns how many ran.
  std::size_t fire_due_timers(engine::Time now);
  // The earliest due time of any system action, or nullopt.
  std::optional<engine::Time> next_due() const;
  // Called (from the writer thread) after each commit with the new earliest due time.
  void on_commit(std::function<void(std::optional<engine::Time>)> callback);

  // Reads.
  std::optional<engine::Nomination> nomination(const std::string& id);
  // As nomination(), except that when the stored version is `known_version` the snapshot is not
  // decoded and the answer holds only `id` and `version` (for a caller that keeps what it built
  // from that version: a nomination's projection changes only with its version).
  std::optional<engine::Nomination> nomination_unless(const std::string& id, std::int64_t known_version);
  ListPage list(const ListQuery& query, const engine::Actor& viewer);
  std::vector<RecordRow> history(const std::string& nomination_id);
  std::vector<RecordRow> records(const RecordQuery& query);
  std::int64_t log_size();
  std::vector<Notice> notices(engine::Time now, bool open_only);
  std::optional<Notice> notice(const std::string& id);
  std::optional<Decision> decision(const std::string& document_no);
  std::vector<StatRow> stats_named(std::optional<int> year, std::optional<std::string> office);
  std::vector<StatRow> stats_by_state(std::optional<int> year, std::optional<std::string> office);
  std::optional<std::string> objection_contact(const std::string& objection_id);

  // Documents. import_nominations runs every row through the engine in one transaction.
  ImportResult import_nominations(ImportRequest request);
  // The codes of (kind, document_no, nomination_id) for each id (use "" for decision and notice),
  // created on first use. An error when the subject is unknown (no accepted naming or approval).
  std::expected<std::vector<VerificationCode>, StoreError> verification_codes(const std::string& kind, const std::string& document_no,
                                                                             const std::vector<std::string>& nomination_ids, Time now);
  std::optional<VerificationCode> find_verification_code(const std::string& code);

  // Users, roles and quotas (administrative changes are commands too: logged, authorised).
  AdminResult create_user(const Caller& by, const User& user, const std::string& password, engine::Time now);
  AdminResult update_user(const Caller& by, const std::string& username, std::optional<std::vector<engine::RoleGrant>> roles,
                          std::optional<bool> disabled, std::optional<std::string> password, engine::Time now);
  std::vector<User> users(const engine::Actor& viewer);
  std::optional<User> user(const std::string& username);
  AdminResult set_quota(const Caller& by, const Quota& quota, engine::Time now);
  std::vector<Quota> quotas(std::optional<int> year, std::optional<std::string> office);
  // Checks a password and appends a login record (success or failure). Returns the user on success.
  std::optional<User> login(const std::string& username, const std::string& password, const std::string& address,
                            engine::Time now);
  // Sessions and API tokens. Only SHA-256 hashes of the secrets are stored; the secrets are
  // returned once. A session expires after `idle` seconds without use or `absolute` seconds in all.
  struct Session {
    std::string token;  // the secret for the cookie (only from create_session)
    std::string csrf;
    std::string username;
    std::string auth;
    Time created_at = 0;
    Time last_seen = 0;
  };
  std::expected<Session, StoreError> create_session(const std::string& username, const std::string& auth, Time now);
  std::optional<Session> find_session(const std::string& token, Time now, Time idle, Time absolute);
  void delete_session(const std::string& token, const Caller& who, Time now);
  std::expected<std::string, StoreError> create_token(const Caller& owner, const std::string& name, Time now);
  std::optional<std::string> find_token(const std::string& token);  // the owner's username
  // Moves on after every commit of a write that may change what a session or token stands for
  // (users, their roles and state, sessions, tokens: every job other than a nomination command,
  // batch or import) and before that write's caller is answered. A cache of authentication results
  // tags each entry with the generation read *before* its lookup and uses it only while the
  // generation is unchanged; so a revocation, logout, disabling or role change takes effect for
  // every request that starts after it was acknowledged.
  std::uint64_t auth_generation() const;

  // The audit trail for auditors: the latest signed checkpoint and RFC 9162 proofs, each from one
  // consistent read (storage/audit_proofs.h, the same code as `laurel audit` uses), and the key
  // that signs new checkpoints.
  audit::AuditReader& audit();
  std::string verifier_key() const;

  // True when a no-op round trip through the writer and a read both succeed.
  bool ping();
  struct Counters {
    std::uint64_t batches = 0;
    std::uint64_t commands = 0;  // jobs committed
    std::uint64_t failures = 0;
    std::uint64_t commit_micros = 0;  // total time inside commit batches
    std::uint64_t last_batch = 0;
    std::uint64_t wal_pages = 0;     // pages the commits wrote to the WAL
    std::uint64_t wal_restarts = 0;  // times the WAL started over from its beginning after a checkpoint
    std::uint64_t wal_syncs = 0;     // syncs of the WAL by the syncer (each makes every commit before it durable)
    // Commit batches by duration: counts at or below kCommitBuckets[i] seconds (cumulative, Prometheus).
    static constexpr std::array<double, 10> kCommitBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
    std::array<std::uint64_t, 10> commit_buckets{};
  };
  Counters counters() const;

  // Appends an arbitrary record (e.g. an auditor's use of the audit endpoints).
  std::expected<std::int64_t, StoreError> append_record(AuditRecord record);

  struct Impl;  // defined in store.cpp

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace laurel::storage
