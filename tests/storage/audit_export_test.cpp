// The audit export and its offline verification: a round trip; tampered exports (a changed leaf, a
// dropped line, reordered lines, a cut tail, the wrong key) refused with the right finding; a
// rollback to an older backup caught with a checkpoint the auditor saved; and the same exports,
// checkpoints and proofs checked by the independent Python verifier (tests/audit/verify_export.py),
// which must agree on every case.
#include "storage/audit_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <sstream>

#include "storage/audit_keyring.h"
#include "storage/audit_keys.h"
#include "storage/audit_proofs.h"
#include "storage/audit_verify.h"
#include "tests/storage/audit_fixture.h"

#ifndef LAUREL_SOURCE_DIR
#define LAUREL_SOURCE_DIR "."
#endif

namespace laurel::storage::testing {
namespace {

using audit::Problem;
using ::testing::HasSubstr;
namespace bj = boost::json;
namespace fs = std::filesystem;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

std::string unbase64(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                              sodium_base64_VARIANT_ORIGINAL),
            0);
  out.resize(length);
  return out;
}

class AuditExportTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    grow_to(200);
  }

  std::string export_text(const std::string& db_path) {
    std::ostringstream out;
    auto summary = audit::export_log(db_path, out);
    EXPECT_TRUE(summary) << summary.error();
    return out.str();
  }

  audit::Report check(const std::string& text, const std::string& key, const std::optional<std::string>& trusted = std::nullopt) {
    std::istringstream in(text);
    return audit::verify_export(in, key, trusted);
  }

  // A copy of the export with record line `index`'s leaf changed by `edit`.
  static std::string with_leaf(const std::string& text, std::int64_t index, const std::function<void(std::string&)>& edit) {
    auto lines = split_lines(text);
    auto& line = lines[static_cast<std::size_t>(index) + 1];
    auto v = bj::parse(line);
    std::string leaf = unbase64(std::string(v.at("leaf").as_string()));
    edit(leaf);
    line = "{\"index\":" + std::to_string(index) + ",\"leaf\":\"" + base64(leaf) + "\"}";
    return join_lines(lines);
  }

  // Runs the Python verifier; returns its exit status and keeps what it printed.
  int python(const std::string& args) {
    const std::string log = path("python.out");
    const std::string command = "/usr/bin/python3 " LAUREL_SOURCE_DIR "/tests/audit/verify_export.py " + args + " > " + log + " 2>&1";
    const int status = std::system(command.c_str());
    python_output = read_text(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string python_output;
};

TEST_F(AuditExportTest, AnExportVerifiesOfflineWithTheKey) {
  const auto size = store->log_size();
  const std::string text = export_text(db());
  auto lines = split_lines(text);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(size) + 2);
  auto header = bj::parse(lines.front()).as_object();
  EXPECT_EQ(header.at("format").as_string(), "laurel-audit/1");
  EXPECT_EQ(header.at("key").as_string(), verifier_key());
  EXPECT_EQ(header.at("keys").as_array().size(), 1u);
  EXPECT_EQ(lines[1].substr(0, 19), "{\"index\":0,\"leaf\":\"");
  EXPECT_EQ(bj::parse(lines.back()).at("checkpoint").as_string(), latest_note());

  auto r = check(text, verifier_key());
  EXPECT_TRUE(r.ok) << r.summary();
  EXPECT_EQ(r.records, size);
  EXPECT_EQ(r.verified_size, size);
  EXPECT_EQ(r.checkpoints, 1);

  // To a file: never over an existing one.
  auto written = audit::export_log_to_file(db(), path("log.ndjson"));
  ASSERT_TRUE(written) << written.error();
  EXPECT_EQ(read_text(path("log.ndjson")), text);
  auto again = audit::export_log_to_file(db(), path("log.ndjson"));
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error(), HasSubstr("already exists"));
}

TEST_F(AuditExportTest, TamperedExportsAreRefused) {
  const std::string text = export_text(db());
  const std::string key = verifier_key();

  auto leaf = check(with_leaf(text, 90, [](std::string& l) { change_one_byte(l); }), key);
  ASSERT_TRUE(leaf.first_error);
  EXPECT_EQ(leaf.first_error->kind, Problem::checkpoint_inconsistent) << leaf.summary();
  EXPECT_THAT(leaf.first_error->message, HasSubstr("do not give the checkpoint's root"));

  auto lines = split_lines(text);
  auto dropped = lines;
  dropped.erase(dropped.begin() + 1 + 120);
  auto d = check(join_lines(dropped), key);
  ASSERT_TRUE(d.first_error);
  EXPECT_EQ(d.first_error->kind, Problem::missing) << d.summary();
  EXPECT_EQ(d.first_error->index, 120);

  auto reordered = lines;
  std::swap(reordered[1 + 30], reordered[1 + 31]);
  auto o = check(join_lines(reordered), key);
  ASSERT_TRUE(o.first_error);
  EXPECT_EQ(o.first_error->kind, Problem::out_of_order) << o.summary();
  EXPECT_EQ(o.first_error->index, 30);

  // Reordered and renumbered: only the root can tell.
  auto renumbered =
      with_leaf(with_leaf(text, 30, [&](std::string& l) { l = unbase64(std::string(bj::parse(lines[1 + 31]).at("leaf").as_string())); }),
                31, [&](std::string& l) { l = unbase64(std::string(bj::parse(lines[1 + 30]).at("leaf").as_string())); });
  auto rn = check(renumbered, key);
  ASSERT_TRUE(rn.first_error);
  EXPECT_EQ(rn.first_error->kind, Problem::checkpoint_inconsistent) << rn.summary();

  auto cut = lines;
  cut.pop_back();
  auto c = check(join_lines(cut), key);
  ASSERT_TRUE(c.first_error);
  EXPECT_EQ(c.first_error->kind, Problem::truncated) << c.summary();

  auto wrong = checkpoint::Signer::generate(std::string(bj::parse(lines.front()).at("origin").as_string()));
  ASSERT_TRUE(wrong);
  auto w = check(text, wrong->verifier_key());
  ASSERT_TRUE(w.first_error);
  EXPECT_EQ(w.first_error->kind, Problem::checkpoint_signature) << w.summary();
  EXPECT_THAT(w.first_error->message, HasSubstr("not signed by any known key"));

  auto noncanonical = check(with_leaf(text, 10, [](std::string& l) { l += " "; }), key);
  ASSERT_TRUE(noncanonical.first_error);
  EXPECT_EQ(noncanonical.first_error->kind, Problem::not_canonical) << noncanonical.summary();
  EXPECT_EQ(noncanonical.first_error->index, 10);

  auto garbage = check(text + "{\"index\":9999}\n", key);
  ASSERT_TRUE(garbage.first_error);
  EXPECT_EQ(garbage.first_error->kind, Problem::malformed) << garbage.summary();
  auto malformed_key = check(text, "not a key");
  ASSERT_TRUE(malformed_key.first_error);
  EXPECT_EQ(malformed_key.first_error->kind, Problem::malformed);
}

TEST_F(AuditExportTest, RestoringAnOlderBackupIsCaughtWithASavedCheckpoint) {
  const std::string backup = copy_db("backup.db");  // before more commands
  const auto backup_size = store->log_size();
  grow_to(backup_size + 40);
  const std::string saved = latest_note();  // the auditor keeps this one
  const std::string key = verifier_key();
  EXPECT_TRUE(check(export_text(db()), key, saved).ok);

  // The older backup is put back in place of the database.
  auto r = check(export_text(backup), key, saved);
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::rollback) << r.summary();
  EXPECT_EQ(r.first_error->index, backup_size);
  EXPECT_THAT(r.first_error->message, HasSubstr("rollback or truncation"));
  // Without the saved checkpoint the backup looks like a fine, shorter log.
  EXPECT_TRUE(check(export_text(backup), key).ok);
  // The database verifier with the same checkpoint agrees.
  audit::VerifyOptions with;
  with.trusted_checkpoint = saved;
  auto db_report = audit::verify_database(backup, with);
  ASSERT_TRUE(db_report.first_error);
  EXPECT_EQ(db_report.first_error->kind, Problem::rollback) << db_report.summary();

  // Commands run on the restored backup until it is longer than the saved checkpoint: a fork.
  store.reset();
  fs::copy_file(backup, db(), fs::copy_options::overwrite_existing);
  fs::remove(db() + "-wal");
  fs::remove(db() + "-shm");
  reopen();
  grow_to(std::stoll(split_lines(saved)[1]) + 20);
  auto fork = check(export_text(db()), key, saved);
  ASSERT_TRUE(fork.first_error);
  EXPECT_EQ(fork.first_error->kind, Problem::rollback) << fork.summary();
  EXPECT_THAT(fork.first_error->message, HasSubstr("not consistent with the trusted checkpoint"));
}

// The independent verifier in Python agrees with this one on good and bad exports, and checks the
// proofs the server would serve against roots it computes itself.
TEST_F(AuditExportTest, ThePythonVerifierAgrees) {
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import sys' > /dev/null 2>&1"), 0) << "/usr/bin/python3 is missing (deploy/install-deps.sh)";
  const std::string early = latest_note();
  write_text(path("early.checkpoint"), early);
  grow_to(store->log_size() + 30);
  const std::string text = export_text(db());
  write_text(path("log.ndjson"), text);
  write_text(path("key.pub"), verifier_key() + "\n");
  const std::string key = "--key @" + path("key.pub");

  EXPECT_EQ(python(path("log.ndjson") + " " + key), 0) << python_output;
  EXPECT_THAT(python_output, HasSubstr("ok: " + std::to_string(store->log_size()) + " records"));
  EXPECT_EQ(python(path("log.ndjson") + " --key '" + verifier_key() + "' --trusted-checkpoint " + path("early.checkpoint")), 0)
      << python_output;

  // Proofs, as the API serves them, between the early checkpoint and the latest.
  auto reader = audit::AuditReader::open(db());
  ASSERT_TRUE(reader);
  auto latest = (*reader)->latest_checkpoint();
  ASSERT_TRUE(latest);
  const auto early_size = static_cast<std::uint64_t>(std::stoll(split_lines(early)[1]));
  std::string proofs;
  for (std::uint64_t size : {early_size, latest->size}) {
    for (std::uint64_t index : {std::uint64_t{0}, std::uint64_t{1}, size / 3, size - 2, size - 1}) {
      auto p = (*reader)->inclusion_proof(index, size);
      ASSERT_TRUE(p) << p.error().message;
      bj::array hashes;
      for (auto& h : audit::base64_hashes(*p)) hashes.push_back(bj::string(h));
      proofs += bj::serialize(bj::object{{"index", index}, {"size", size}, {"hashes", hashes}}) + "\n";
    }
  }
  for (auto [from, to] : {std::pair{early_size, latest->size}, std::pair{std::uint64_t{1}, latest->size},
                          std::pair{std::uint64_t{64}, latest->size}, std::pair{early_size - 3, early_size}}) {
    auto p = (*reader)->consistency_proof(from, to);
    ASSERT_TRUE(p) << p.error().message;
    bj::array hashes;
    for (auto& h : audit::base64_hashes(*p)) hashes.push_back(bj::string(h));
    proofs += bj::serialize(bj::object{{"from", from}, {"to", to}, {"hashes", hashes}}) + "\n";
  }
  write_text(path("proofs.jsonl"), proofs);
  EXPECT_EQ(python(path("log.ndjson") + " " + key + " --proofs " + path("proofs.jsonl")), 0) << python_output;
  EXPECT_THAT(python_output, HasSubstr("14 proofs verified"));
  // A proof with one hash changed is refused.
  std::string bad = proofs;
  const auto at = bad.find("\"hashes\":[\"") + 11;
  bad[at] = bad[at] == 'A' ? 'B' : 'A';
  write_text(path("bad-proofs.jsonl"), bad);
  EXPECT_EQ(python(path("log.ndjson") + " " + key + " --proofs " + path("bad-proofs.jsonl")), 1) << python_output;

  // Every tampering the C++ verifier refuses, the Python one refuses too.
  auto lines = split_lines(text);
  auto refused = [&](const std::string& name, const std::string& tampered, const std::string& extra = "") {
    write_text(path(name), tampered);
    std::istringstream in(tampered);
    audit::ExportVerifyOptions options;
    options.keys = {verifier_key()};
    if (!extra.empty()) options.trusted_checkpoint = read_text(path("late.checkpoint"));
    EXPECT_FALSE(audit::verify_export(in, options).ok) << name;
    EXPECT_EQ(python(path(name) + " " + key + extra), 1) << name << ": " << python_output;
    EXPECT_THAT(python_output, HasSubstr("FAIL: ")) << name;
  };
  refused("leaf.ndjson", with_leaf(text, 50, [](std::string& l) { change_one_byte(l); }));
  auto dropped = lines;
  dropped.erase(dropped.begin() + 60);
  refused("dropped.ndjson", join_lines(dropped));
  auto reordered = lines;
  std::swap(reordered[20], reordered[21]);
  refused("reordered.ndjson", join_lines(reordered));
  auto cut = lines;
  cut.pop_back();
  refused("cut.ndjson", join_lines(cut));
  refused("noncanonical.ndjson", with_leaf(text, 5, [](std::string& l) { l.insert(1, " "); }));
  auto flipped = lines;
  {
    auto note = std::string(bj::parse(lines.back()).at("checkpoint").as_string());
    const auto sig = note.rfind(' ') + 12;
    note[sig] = note[sig] == 'A' ? 'B' : 'A';
    flipped.back() = bj::serialize(bj::object{{"checkpoint", note}});
  }
  refused("signature.ndjson", join_lines(flipped));
  // Rollback: an export of an older state against a later saved checkpoint.
  std::string old_export = export_text(copy_db("old.db"));
  grow_to(store->log_size() + 20);
  write_text(path("late.checkpoint"), latest_note());
  refused("rollback.ndjson", old_export, " --trusted-checkpoint " + path("late.checkpoint"));
  EXPECT_THAT(python_output, HasSubstr("rollback or truncation"));
  // The wrong key.
  auto stranger = checkpoint::Signer::generate("stranger");
  ASSERT_TRUE(stranger);
  EXPECT_EQ(python(path("log.ndjson") + " --key '" + stranger->verifier_key() + "'"), 1) << python_output;
  // A malformed key (its id does not match the key).
  std::string forged_key = verifier_key();
  forged_key[forged_key.find('+') + 1] = forged_key[forged_key.find('+') + 1] == 'a' ? 'b' : 'a';
  EXPECT_EQ(python(path("log.ndjson") + " --key '" + forged_key + "'"), 1) << python_output;
  EXPECT_THAT(python_output, HasSubstr("key id does not match"));
}

// A retired key verifies only checkpoints up to its rotation point, so whoever steals it cannot
// sign a longer history: a checkpoint for a later size signed with it is refused by
// `laurel audit verify` (from signing_keys), by verify-export and by the Python verifier (from the
// rotation record in the log), even with the retired key among the trusted ones.
TEST_F(AuditExportTest, ARetiredKeyCannotSignPastItsRotation) {
  const std::string old_key = verifier_key();
  const std::string early = latest_note();
  store.reset();
  auto old_signer = checkpoint::read_signer_key_file(options().key_file());
  ASSERT_TRUE(old_signer) << old_signer.error();
  auto rotation = audit::rotate_signing_key(db(), options().key_file(), path("laurel.db.key.2"), now);
  ASSERT_TRUE(rotation) << rotation.error();
  Options o = options();
  o.key_path = path("laurel.db.key.2");
  auto opened = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_TRUE(opened) << opened.error().message;
  store = std::move(*opened);
  grow_to(store->log_size() + 30);
  const auto size = static_cast<std::uint64_t>(store->log_size());
  const auto point = rotation->checkpoint_size;
  ASSERT_GT(size, point);

  // The stolen old key signs the real tree at its latest size (the attacker needs no more).
  auto latest = store->audit().latest_checkpoint();
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->size, size);
  const std::string forged = old_signer->sign({old_signer->name(), size, latest->root});
  auto ring = audit::KeyRing::make(std::vector<std::string>{old_key});
  ASSERT_TRUE(ring);
  ASSERT_TRUE(ring->verify(forged)) << "a valid signature, without the rotation point";
  ring->retire(old_key, point);
  auto refused_by_ring = ring->verify(forged);
  ASSERT_FALSE(refused_by_ring);
  EXPECT_THAT(refused_by_ring.error(), HasSubstr("retired at size " + std::to_string(point)));

  // The database: the latest checkpoint replaced by the forged one.
  const std::string copy = copy_db("forged-checkpoint.db");
  tamper(copy, [&](sql::Db& d) {
    sql::Stmt u(d, "UPDATE checkpoints SET note = ? WHERE size = ?");
    u.bind(1, forged).bind(2, static_cast<std::int64_t>(size)).run();
  });
  auto r = audit::verify_database(copy);
  ASSERT_TRUE(r.first_error) << r.summary();
  EXPECT_EQ(r.first_error->kind, Problem::checkpoint_signature) << r.summary();
  EXPECT_EQ(r.first_error->checkpoint_size, static_cast<std::int64_t>(size));
  EXPECT_THAT(r.first_error->message, HasSubstr("retired at size " + std::to_string(point)));
  // The rotation point itself altered (or removed) in signing_keys: the rotation record disagrees.
  for (const char* change : {"UPDATE signing_keys SET retired_size = NULL WHERE retired_at IS NOT NULL",
                             "UPDATE signing_keys SET retired_size = retired_size + 1000 WHERE retired_at IS NOT NULL"}) {
    const std::string altered = copy_db("altered-rotation.db");
    tamper(altered, [&](sql::Db& d) { d.exec(change); });
    auto a = audit::verify_database(altered);
    ASSERT_TRUE(a.first_error) << change;
    EXPECT_EQ(a.first_error->index, rotation->record_index) << a.summary();
    EXPECT_THAT(a.first_error->message, HasSubstr("the key table was altered")) << a.summary();
    fs::remove(altered);
  }
  EXPECT_TRUE(audit::verify_database(db()).ok);

  // The export: its checkpoint line replaced by the forged one; both keys trusted.
  auto lines = split_lines(export_text(db()));
  ASSERT_EQ(lines.size(), size + 2);
  lines.back() = bj::serialize(bj::object{{"checkpoint", forged}});
  const std::string text = join_lines(lines);
  audit::ExportVerifyOptions both{{rotation->new_verifier_key, old_key}, std::nullopt};
  {
    std::istringstream in(text);
    auto e = audit::verify_export(in, both);
    ASSERT_TRUE(e.first_error) << e.summary();
    EXPECT_EQ(e.first_error->kind, Problem::checkpoint_signature);
    EXPECT_THAT(e.first_error->message, HasSubstr("retired at size " + std::to_string(point)));
  }
  write_text(path("forged.ndjson"), text);
  const std::string keys = " --key '" + rotation->new_verifier_key + "' --key '" + old_key + "'";
  EXPECT_EQ(python(path("forged.ndjson") + keys), 1) << python_output;
  EXPECT_THAT(python_output, HasSubstr("retired at size " + std::to_string(point)));

  // The genuine export still verifies with both keys, with a checkpoint saved before the rotation.
  write_text(path("real.ndjson"), export_text(db()));
  write_text(path("early.checkpoint"), early);
  EXPECT_EQ(python(path("real.ndjson") + keys + " --trusted-checkpoint " + path("early.checkpoint")), 0) << python_output;
  {
    std::istringstream in(read_text(path("real.ndjson")));
    both.trusted_checkpoint = early;
    auto e = audit::verify_export(in, both);
    EXPECT_TRUE(e.ok) << e.summary();
  }
}

}  // namespace
}  // namespace laurel::storage::testing
