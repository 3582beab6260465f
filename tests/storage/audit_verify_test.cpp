// `laurel audit verify` against a real store's database: intact, then tampered with directly with
// SQL on a copy (an edited byte, a deleted record, two swapped, a cut tail, an altered or missing
// tree node, forged and altered checkpoints, a rewritten history, a record appended without a
// checkpoint): each is detected, named by its kind and the first record concerned. Also: proofs
// fetched while writers run, key rotation, and the `laurel audit` command line.
#include "storage/audit_verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <sstream>
#include <thread>

#include "storage/audit_export.h"
#include "storage/audit_keys.h"
#include "storage/audit_proofs.h"
#include "storage/canonical_json.h"
#include "tests/storage/audit_fixture.h"
#include "web/cli_audit.h"

namespace laurel::storage::testing {
namespace {

using audit::Problem;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr std::int64_t kRecords = 300;

std::string describe(const audit::Report& r) { return r.summary(); }

class AuditVerifyTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    grow_to(kRecords);
  }

  // The checkpoint sizes, in order.
  std::vector<std::int64_t> checkpoint_sizes(const std::string& path) {
    sql::Db d(path, sql::Db::Mode::read_only);
    sql::Stmt s(d, "SELECT size FROM checkpoints ORDER BY size");
    std::vector<std::int64_t> sizes;
    while (s.step()) sizes.push_back(s.i64(0));
    return sizes;
  }

  audit::Report verify_copy(const std::string& name, const std::function<void(sql::Db&)>& change) {
    std::string copy = copy_db(name);
    tamper(copy, change);
    return audit::verify_database(copy);
  }
};

TEST_F(AuditVerifyTest, AnIntactLogVerifies) {
  auto size = store->log_size();
  auto r = audit::verify_database(db());
  EXPECT_TRUE(r.ok) << describe(r);
  EXPECT_FALSE(r.first_error);
  EXPECT_EQ(r.records, size);
  EXPECT_EQ(r.verified_size, size);
  EXPECT_EQ(r.unverified_tail, 0);
  EXPECT_EQ(r.checkpoints, static_cast<std::int64_t>(checkpoint_sizes(db()).size()));
  EXPECT_GT(r.checkpoints, 10);
  EXPECT_LT(r.checkpoints, size);  // some batches held several records
  EXPECT_THAT(r.summary(), HasSubstr("ok: " + std::to_string(size) + " records"));
  // One thread or many: the same answer.
  auto single = audit::verify_database(db(), audit::VerifyOptions{std::nullopt, 1});
  EXPECT_TRUE(single.ok) << describe(single);
  EXPECT_EQ(single.checkpoints, r.checkpoints);
}

// Each commit batch that appended records ends with one checkpoint; a batch that appended nothing
// (here the writer's no-op round trip) signs nothing.
TEST_F(AuditVerifyTest, ABatchThatAppendsNothingSignsNothing) {
  const auto before = checkpoint_sizes(db());
  ASSERT_TRUE(store->ping());
  ASSERT_TRUE(store->ping());
  EXPECT_EQ(checkpoint_sizes(db()), before);
  grow_to(store->log_size() + 1);
  const auto after = checkpoint_sizes(db());
  EXPECT_GT(after.size(), before.size());
  EXPECT_EQ(after.back(), store->log_size());
}

// Options::audit_tree = false (the storage benchmark's comparison only) writes records without
// tree nodes or checkpoints: such a log does not pass for verified.
TEST_F(AuditVerifyTest, WithoutTheTreeTheLogDoesNotVerify) {
  const auto size = store->log_size();
  store.reset();
  Options o = options();
  o.audit_tree = false;
  auto opened = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_TRUE(opened) << opened.error().message;
  store = std::move(*opened);
  grow_to(size + 5);
  EXPECT_EQ(checkpoint_sizes(db()).back(), size);
  auto r = audit::verify_database(db());
  ASSERT_TRUE(r.first_error);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_error->index, size) << describe(r);
  EXPECT_EQ(r.first_error->kind, Problem::node_missing) << describe(r);
}

TEST_F(AuditVerifyTest, OneChangedByteIsAnEditAtThatIndex) {
  auto r = verify_copy("edit.db", [](sql::Db& d) {
    std::string bytes = record_bytes(d, 137);
    change_one_byte(bytes);  // still canonical JSON: only the hash can tell
    ASSERT_TRUE(parse_canonical_json(bytes));
    set_record_bytes(d, 137, bytes);
  });
  ASSERT_FALSE(r.ok);
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::edited) << describe(r);
  EXPECT_EQ(r.first_error->index, 137);
  EXPECT_THAT(r.summary(), HasSubstr("error at record 137 (edited)"));
  EXPECT_EQ(r.records, 138);
  EXPECT_LT(r.verified_size, 138);
}

TEST_F(AuditVerifyTest, ADeletedRecordIsMissing) {
  auto r = verify_copy("delete.db", [](sql::Db& d) { d.exec("DELETE FROM audit_log WHERE idx = 200"); });
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::missing) << describe(r);
  EXPECT_EQ(r.first_error->index, 200);
  EXPECT_THAT(r.first_error->message, HasSubstr("record 200 missing"));
}

TEST_F(AuditVerifyTest, SwappedRecordsAreOutOfOrderAtTheFirst) {
  auto r = verify_copy("swap.db", [](sql::Db& d) {
    std::string a = record_bytes(d, 150), b = record_bytes(d, 170);
    ASSERT_NE(a, b);
    set_record_bytes(d, 150, b);
    set_record_bytes(d, 170, a);
  });
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::out_of_order) << describe(r);
  EXPECT_EQ(r.first_error->index, 150);
  EXPECT_THAT(r.first_error->message, HasSubstr("what was recorded at index 170"));
}

TEST_F(AuditVerifyTest, ACutTailIsTruncation) {
  auto sizes = checkpoint_sizes(db());
  const std::int64_t last = sizes.back();
  auto r = verify_copy("truncate.db", [&](sql::Db& d) {
    sql::Stmt s(d, "DELETE FROM audit_log WHERE idx >= ?");
    s.bind(1, last - 10).run();
  });
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::truncated) << describe(r);
  EXPECT_EQ(r.first_error->index, last - 10);
  EXPECT_EQ(r.records, last - 10);
  EXPECT_THAT(r.first_error->message, HasSubstr("checkpoint was signed for"));
}

TEST_F(AuditVerifyTest, ATailCutWithItsNodesAndCheckpointsNeedsATrustedCheckpoint) {
  const std::string saved = latest_note();
  const std::int64_t keep = 250;
  std::string copy = copy_db("rollback.db");
  tamper(copy, [&](sql::Db& d) {
    // Everything about records >= keep goes, as if the log had never been longer.
    sql::Stmt a(d, "DELETE FROM audit_log WHERE idx >= ?");
    a.bind(1, keep).run();
    sql::Stmt n(d, "DELETE FROM merkle_nodes WHERE (idx + 1) << level > ?");
    n.bind(1, keep).run();
    sql::Stmt c(d, "DELETE FROM checkpoints WHERE size > ?");
    c.bind(1, keep).run();
  });
  // The database alone cannot tell (it only lost its unverified tail, if any)...
  auto alone = audit::verify_database(copy);
  EXPECT_TRUE(!alone.first_error || alone.first_error->kind == Problem::unverified) << describe(alone);
  // ...an auditor's saved checkpoint can.
  audit::VerifyOptions with;
  with.trusted_checkpoint = saved;
  auto r = audit::verify_database(copy, with);
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::rollback) << describe(r);
  EXPECT_THAT(r.first_error->message, HasSubstr("rollback or truncation"));
  // And the intact database extends the same checkpoint.
  auto intact = audit::verify_database(db(), with);
  EXPECT_TRUE(intact.ok) << describe(intact);
}

TEST_F(AuditVerifyTest, AnAlteredOrMissingTreeNodeIsNamed) {
  auto altered =
      verify_copy("node.db", [](sql::Db& d) { d.exec("UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 3 AND idx = 20"); });
  ASSERT_TRUE(altered.first_error);
  EXPECT_EQ(altered.first_error->kind, Problem::node_mismatch) << describe(altered);
  EXPECT_EQ(altered.first_error->index, 160);  // the first record under node (3, 20)
  EXPECT_THAT(altered.first_error->message, HasSubstr("records 160..167"));

  // The level and index columns are checked too (the key is the position).
  auto renamed =
      verify_copy("renamed.db", [](sql::Db& d) { d.exec("UPDATE merkle_nodes SET idx = 21 WHERE level = 3 AND idx = 20"); });
  ASSERT_TRUE(renamed.first_error);
  EXPECT_EQ(renamed.first_error->kind, Problem::node_mismatch) << describe(renamed);
  EXPECT_EQ(renamed.first_error->index, 160);
  EXPECT_THAT(renamed.first_error->message, HasSubstr("the table was altered"));

  auto missing = verify_copy("nonode.db", [](sql::Db& d) { d.exec("DELETE FROM merkle_nodes WHERE level = 0 AND idx = 99"); });
  ASSERT_TRUE(missing.first_error);
  EXPECT_EQ(missing.first_error->kind, Problem::node_missing) << describe(missing);
  EXPECT_EQ(missing.first_error->index, 99);

  // A record changed together with its leaf node shows in the node above it (record 43 completes
  // node (1, 21) over records 42..43 before the checkpoint after it is checked).
  auto both = verify_copy("leafnode.db", [](sql::Db& d) {
    std::string bytes = record_bytes(d, 43);
    change_one_byte(bytes);
    set_record_bytes(d, 43, bytes);
    sql::Stmt s(d, "UPDATE merkle_nodes SET hash = ? WHERE level = 0 AND idx = 43");
    s.bind_blob(1, merkle::leaf_hash(bytes)).run();
  });
  ASSERT_TRUE(both.first_error);
  EXPECT_EQ(both.first_error->kind, Problem::node_mismatch) << describe(both);
  EXPECT_EQ(both.first_error->index, 42);
  EXPECT_THAT(both.first_error->message, HasSubstr("records 42..43"));
}

TEST_F(AuditVerifyTest, AForgedCheckpointHasAnInvalidSignature) {
  auto sizes = checkpoint_sizes(db());
  // A byte of a real signature changed.
  auto flipped = verify_copy("sig.db", [&](sql::Db& d) {
    sql::Stmt s(d, "SELECT note FROM checkpoints WHERE size = ?");
    s.bind(1, sizes[5]);
    ASSERT_TRUE(s.step());
    std::string note = s.text(0);
    s.reset();
    const auto sig = note.rfind(' ') + 10;
    note[sig] = note[sig] == 'A' ? 'B' : 'A';
    sql::Stmt u(d, "UPDATE checkpoints SET note = ? WHERE size = ?");
    u.bind(1, note).bind(2, sizes[5]).run();
  });
  ASSERT_TRUE(flipped.first_error);
  EXPECT_EQ(flipped.first_error->kind, Problem::checkpoint_signature) << describe(flipped);
  EXPECT_EQ(flipped.first_error->checkpoint_size, sizes[5]);
  EXPECT_EQ(flipped.first_error->index, sizes[4]);  // the first record no good checkpoint vouches for
  EXPECT_EQ(flipped.checkpoints, 5);
  EXPECT_EQ(flipped.verified_size, sizes[4]);

  // A new checkpoint row with the right root, signed by a key the log does not know.
  const std::int64_t forged_size = sizes[8] + 1 < sizes[9] ? sizes[8] + 1 : sizes[8] - 1;
  auto forged = verify_copy("forged.db", [&](sql::Db& d) {
    SqlNodeReader nodes(d);
    auto root = merkle::root_at(static_cast<std::uint64_t>(forged_size), nodes);
    ASSERT_TRUE(root);
    std::string origin;
    {
      sql::Stmt s(d, "SELECT value FROM meta WHERE key = 'origin'");
      s.step();
      origin = s.text(0);
    }
    auto attacker = checkpoint::Signer::generate(origin);
    ASSERT_TRUE(attacker);
    std::string note = attacker->sign({origin, static_cast<std::uint64_t>(forged_size), *root});
    sql::Stmt ins(d, "INSERT OR REPLACE INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, 0)");
    ins.bind(1, forged_size).bind_blob(2, *root).bind(3, note).run();
  });
  ASSERT_TRUE(forged.first_error);
  EXPECT_EQ(forged.first_error->kind, Problem::checkpoint_signature) << describe(forged);
  EXPECT_EQ(forged.first_error->checkpoint_size, forged_size);
  EXPECT_THAT(forged.first_error->message, HasSubstr("not signed by any known key"));
}

TEST_F(AuditVerifyTest, AnAlteredCheckpointRowIsInconsistent) {
  auto sizes = checkpoint_sizes(db());
  auto r = verify_copy("cproot.db", [&](sql::Db& d) {
    sql::Stmt u(d, "UPDATE checkpoints SET root = zeroblob(32) WHERE size = ?");
    u.bind(1, sizes[3]).run();
  });
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::checkpoint_inconsistent) << describe(r);
  EXPECT_EQ(r.first_error->checkpoint_size, sizes[3]);
  EXPECT_THAT(r.first_error->message, HasSubstr("do not match its signed note"));
}

TEST_F(AuditVerifyTest, AHistoryRewrittenWithItsTreeFailsAtTheNextCheckpoint) {
  auto sizes = checkpoint_sizes(db());
  // Pick a record inside a checkpoint that covers several.
  std::size_t k = 1;
  while (k < sizes.size() && sizes[k] - sizes[k - 1] < 3) ++k;
  ASSERT_LT(k, sizes.size());
  const std::int64_t victim = sizes[k] - 2;
  auto r = verify_copy("rewrite.db", [&](sql::Db& d) {
    std::string bytes = record_bytes(d, victim);
    change_one_byte(bytes);
    set_record_bytes(d, victim, bytes);
    rewrite_tree(d);
  });
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::checkpoint_inconsistent) << describe(r);
  EXPECT_EQ(r.first_error->checkpoint_size, sizes[k]);
  EXPECT_EQ(r.first_error->index, sizes[k - 1]);  // the first record no verified checkpoint vouches for
  EXPECT_THAT(r.first_error->message, HasSubstr("records " + std::to_string(sizes[k - 1]) + ".." + std::to_string(sizes[k] - 1)));
  EXPECT_EQ(r.verified_size, sizes[k - 1]);
}

TEST_F(AuditVerifyTest, ARecordAppendedWithoutACheckpointIsUnverifiedNotFine) {
  const auto size = store->log_size();
  auto r = verify_copy(
      "append.db", [](sql::Db& d) { append_unsigned_record(d, R"({"action":"approve","kind":"command","outcome":"accepted","v":1})"); });
  EXPECT_FALSE(r.ok) << describe(r);
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::unverified) << describe(r);
  EXPECT_EQ(r.first_error->index, size);
  EXPECT_EQ(r.records, size + 1);
  EXPECT_EQ(r.unverified_tail, 1);
  EXPECT_EQ(r.verified_size, size);
  EXPECT_THAT(r.summary(), HasSubstr("unverified (not yet covered by a checkpoint)"));
}

// A log longer than a chunk (4,096 records) is read by several connections at once, each a range
// of indexes: what lies beyond the first chunks is found and named as well, whatever the number of
// workers (each has its own connection; with one, the reading thread helps on its own).
TEST_F(AuditVerifyTest, FindingsBeyondTheFirstChunksAreNamedWithAnyNumberOfReaders) {
  const std::int64_t size = store->log_size();
  constexpr std::int64_t kExtra = 9000;
  const std::string base = copy_db("long.db");
  tamper(base, [](sql::Db& d) {
    sql::Transaction t(d);
    for (std::int64_t i = 0; i < kExtra; ++i) append_unsigned_record(d, R"({"n":)" + std::to_string(i) + "}");
    t.commit();
  });
  int variant = 0;
  auto verify_variant = [&](const std::function<void(sql::Db&)>& change, unsigned threads) {
    const std::string copy = path("long-" + std::to_string(variant++) + ".db");
    fs::copy_file(base, copy);
    tamper(copy, change);
    return audit::verify_database(copy, audit::VerifyOptions{std::nullopt, threads});
  };
  for (unsigned threads : {1u, 2u, 3u}) {
    SCOPED_TRACE(threads);
    auto intact = verify_variant([](sql::Db&) {}, threads);
    ASSERT_TRUE(intact.first_error);
    EXPECT_EQ(intact.first_error->kind, Problem::unverified) << describe(intact);
    EXPECT_EQ(intact.first_error->index, size);
    EXPECT_EQ(intact.records, size + kExtra);

    auto edited = verify_variant([&](sql::Db& d) { set_record_bytes(d, size + 5000, R"({"n":"edited"})"); }, threads);
    ASSERT_TRUE(edited.first_error);
    EXPECT_EQ(edited.first_error->kind, Problem::edited) << describe(edited);
    EXPECT_EQ(edited.first_error->index, size + 5000);

    // An index made huge: the chunks stop short of it, and the last one holds it.
    auto moved = verify_variant(
        [&](sql::Db& d) {
          sql::Stmt s(d, "UPDATE audit_log SET idx = 1000000000000 WHERE idx = ?");
          s.bind(1, size + 6000).run();
        },
        threads);
    ASSERT_TRUE(moved.first_error);
    EXPECT_EQ(moved.first_error->kind, Problem::missing) << describe(moved);
    EXPECT_EQ(moved.first_error->index, size + 6000);
    EXPECT_EQ(moved.records, size + 6000);

    // Three thousand records gone from the middle.
    auto deleted = verify_variant(
        [&](sql::Db& d) {
          sql::Stmt s(d, "DELETE FROM audit_log WHERE idx >= ? AND idx < ?");
          s.bind(1, size + 4000).bind(2, size + 7000).run();
        },
        threads);
    ASSERT_TRUE(deleted.first_error);
    EXPECT_EQ(deleted.first_error->kind, Problem::missing) << describe(deleted);
    EXPECT_EQ(deleted.first_error->index, size + 4000);
    EXPECT_THAT(deleted.first_error->message, HasSubstr("records " + std::to_string(size + 4000) + ".." + std::to_string(size + 6999)));

    // A stored node inside a later chunk altered, another removed: found by the main thread once the
    // worker's comparison fails.
    const std::int64_t over = (size + 5000) / 8;
    auto node = verify_variant(
        [&](sql::Db& d) {
          sql::Stmt s(d, "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 3 AND idx = ?");
          s.bind(1, over).run();
        },
        threads);
    ASSERT_TRUE(node.first_error);
    EXPECT_EQ(node.first_error->kind, Problem::node_mismatch) << describe(node);
    EXPECT_EQ(node.first_error->index, over * 8);
    auto gone = verify_variant(
        [&](sql::Db& d) {
          sql::Stmt s(d, "DELETE FROM merkle_nodes WHERE level = 2 AND idx = ?");
          s.bind(1, over * 2).run();
        },
        threads);
    ASSERT_TRUE(gone.first_error);
    EXPECT_EQ(gone.first_error->kind, Problem::node_missing) << describe(gone);
    EXPECT_EQ(gone.first_error->index, over * 8);

    auto not_canonical = verify_variant([&](sql::Db& d) { set_record_bytes(d, size + 8999, R"({"n": 1})"); }, threads);
    ASSERT_TRUE(not_canonical.first_error);
    // Its leaf differs from the stored one, which is found first.
    EXPECT_EQ(not_canonical.first_error->kind, Problem::edited) << describe(not_canonical);
    EXPECT_EQ(not_canonical.first_error->index, size + 8999);
  }
}

TEST_F(AuditVerifyTest, ANonCanonicalRecordIsNamedEvenWithAMatchingTree) {
  auto r = verify_copy("canon.db", [](sql::Db& d) {
    std::string bytes = record_bytes(d, 77);
    bytes.insert(1, " ");
    set_record_bytes(d, 77, bytes);
    rewrite_tree(d);
  });
  ASSERT_TRUE(r.first_error);
  EXPECT_EQ(r.first_error->kind, Problem::not_canonical) << describe(r);
  EXPECT_EQ(r.first_error->index, 77);
  EXPECT_THAT(r.first_error->message, HasSubstr("not in canonical form"));
}

TEST_F(AuditVerifyTest, WhatIsNotALaurelDatabaseIsUnreadable) {
  auto none = audit::verify_database(path("nothing.db"));
  ASSERT_TRUE(none.first_error);
  EXPECT_EQ(none.first_error->kind, Problem::unreadable);
  write_text(path("text.db"), "hello");
  auto text = audit::verify_database(path("text.db"));
  ASSERT_TRUE(text.first_error);
  EXPECT_EQ(text.first_error->kind, Problem::unreadable);
  EXPECT_FALSE(text.ok);
}

// Writers keep committing while an auditor repeatedly takes the latest checkpoint and asks for
// proofs: each proof verifies against the checkpoint it was made for, and a concurrent
// verification of the whole database sees one consistent snapshot.
TEST_F(AuditVerifyTest, ProofsFetchedWhileWritersRunVerifyAgainstTheirCheckpoints) {
  auto reader = audit::AuditReader::open(db());
  ASSERT_TRUE(reader) << reader.error();
  auto key = checkpoint::Verifier::parse(verifier_key());
  ASSERT_TRUE(key) << key.error();

  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&] {
      for (int i = 0; i < 40; ++i) EXPECT_EQ(store->execute(create_request()).status, CommandResult::Status::accepted);
    });
  }
  std::atomic<int> inclusions{0}, consistencies{0}, rounds{0}, verifications{0};
  std::thread auditor([&] {
    std::mt19937_64 random(7);
    std::optional<checkpoint::Checkpoint> previous;
    auto check = [&] {
      auto latest = (*reader)->latest_checkpoint();
      ASSERT_TRUE(latest) << latest.error().message;
      auto cp = key->verify(latest->note);
      ASSERT_TRUE(cp) << cp.error();
      ASSERT_EQ(cp->size, latest->size);
      for (std::uint64_t index : {std::uint64_t{0}, cp->size / 2, cp->size - 1, random() % cp->size}) {
        auto proof = (*reader)->inclusion_proof(index, cp->size);
        ASSERT_TRUE(proof) << proof.error().message;
        RecordQuery q;
        q.from = static_cast<std::int64_t>(index);
        q.limit = 1;
        auto rows = store->records(q);
        ASSERT_EQ(rows.size(), 1u);
        EXPECT_TRUE(merkle::verify_inclusion(index, cp->size, merkle::leaf_hash(rows[0].bytes), *proof, cp->root))
            << index << " in " << cp->size;
        ++inclusions;
      }
      if (previous) {
        auto proof = (*reader)->consistency_proof(previous->size, cp->size);
        ASSERT_TRUE(proof) << proof.error().message;
        EXPECT_TRUE(merkle::verify_consistency(previous->size, cp->size, previous->root, cp->root, *proof))
            << previous->size << " -> " << cp->size;
        ++consistencies;
      }
      if (rounds % 3 == 0) {
        auto r = audit::verify_database(db());
        EXPECT_TRUE(r.ok) << describe(r);
        ++verifications;
      }
      previous = *cp;
      ++rounds;
    };
    while (writing) check();
    check();
  });
  for (auto& t : writers) t.join();
  writing = false;
  auditor.join();
  EXPECT_GT(rounds.load(), 3);
  EXPECT_GT(consistencies.load(), 2);
  EXPECT_GE(verifications.load(), 1);
  // Bad arguments are told apart from a damaged store.
  auto size = static_cast<std::uint64_t>(store->log_size());
  auto beyond = (*reader)->inclusion_proof(0, size + 1);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().kind, audit::ProofError::Kind::bad_request);
  auto backwards = (*reader)->consistency_proof(5, 4);
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().kind, audit::ProofError::Kind::bad_request);
  auto final_check = audit::verify_database(db());
  EXPECT_TRUE(final_check.ok) << describe(final_check);
  EXPECT_EQ(final_check.records, store->log_size());
}

// AuditReader's proofs share a read transaction for a while (here far longer than the default),
// yet a checkpoint signed meanwhile is seen at once: by latest_checkpoint, and by a proof that
// names its size. And once proofs stop, the transaction ends: the WAL can be checkpointed to nothing.
TEST_F(AuditVerifyTest, SharedProofSnapshotsSeeNewCheckpointsAndEnd) {
  auto reader = audit::AuditReader::open(db(), std::chrono::hours(1));
  ASSERT_TRUE(reader) << reader.error();
  auto before = (*reader)->latest_checkpoint();
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE((*reader)->inclusion_proof(0, before->size));  // the shared snapshot begins
  ASSERT_EQ(store->execute(create_request()).status, CommandResult::Status::accepted);
  const auto size = static_cast<std::uint64_t>(store->log_size());
  ASSERT_GT(size, before->size);
  // Still within the hour: a proof at the new size takes a fresh snapshot rather than refuse.
  auto inclusion = (*reader)->inclusion_proof(size - 1, size);
  ASSERT_TRUE(inclusion) << inclusion.error().message;
  auto consistency = (*reader)->consistency_proof(before->size, size);
  ASSERT_TRUE(consistency) << consistency.error().message;
  ASSERT_TRUE((*reader)->inclusion_proof(0, before->size));  // an older size, from the shared one
  ASSERT_EQ(store->execute(create_request()).status, CommandResult::Status::accepted);
  auto after = (*reader)->latest_checkpoint();
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->size, static_cast<std::uint64_t>(store->log_size()));
  RecordQuery q;
  q.from = static_cast<std::int64_t>(size - 1);
  q.limit = 1;
  auto rows = store->records(q);
  ASSERT_EQ(rows.size(), 1u);
  auto at_size = (*reader)->inclusion_proof(size - 1, size);
  ASSERT_TRUE(at_size) << at_size.error().message;
  EXPECT_EQ(*at_size, *inclusion);
  auto to_latest = (*reader)->consistency_proof(before->size, after->size);
  ASSERT_TRUE(to_latest) << to_latest.error().message;
  EXPECT_TRUE(merkle::verify_consistency(before->size, after->size, before->root, after->root, *to_latest));
  auto in_latest = (*reader)->inclusion_proof(size - 1, after->size);
  ASSERT_TRUE(in_latest) << in_latest.error().message;
  EXPECT_TRUE(merkle::verify_inclusion(size - 1, after->size, merkle::leaf_hash(rows[0].bytes), *in_latest, after->root));
  // Beyond the latest checkpoint: still refused, after a fresh look.
  auto beyond = (*reader)->inclusion_proof(0, after->size + 1);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().kind, audit::ProofError::Kind::bad_request);

  reader->reset();  // its snapshot would pin the WAL for the hour
  // A reader with a short hold: after its last proof the WAL can be reset.
  auto brief = audit::AuditReader::open(db(), std::chrono::milliseconds(20));
  ASSERT_TRUE(brief) << brief.error();
  ASSERT_EQ(store->execute(create_request()).status, CommandResult::Status::accepted);
  ASSERT_TRUE((*brief)->inclusion_proof(0, static_cast<std::uint64_t>(store->log_size())));
  sql::Db writer(db(), sql::Db::Mode::read_write);
  bool reset = false;
  for (int attempt = 0; attempt < 500 && !reset; ++attempt) {
    sql::Stmt s(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
    ASSERT_TRUE(s.step());
    reset = s.i64(0) == 0;
    if (!reset) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(reset) << "the shared read transaction was never ended";
}

TEST_F(AuditVerifyTest, KeyRotationKeepsOldCheckpointsVerifiable) {
  const std::string old_note = latest_note();
  const std::string old_key = verifier_key();
  const std::string new_key_path = path("laurel.db.key.2");
  store.reset();

  auto rotation = audit::rotate_signing_key(db(), options().key_file(), new_key_path, now);
  ASSERT_TRUE(rotation) << rotation.error();
  EXPECT_EQ(rotation->old_verifier_key, old_key);
  EXPECT_EQ(fs::status(new_key_path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  // Once only: the old key is retired, and the new file is never overwritten.
  auto again = audit::rotate_signing_key(db(), options().key_file(), path("third.key"), now);
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error(), HasSubstr("retired"));
  EXPECT_FALSE(fs::exists(path("third.key")));
  auto overwrite = audit::rotate_signing_key(db(), new_key_path, new_key_path, now);
  ASSERT_FALSE(overwrite);
  EXPECT_THAT(overwrite.error(), HasSubstr("already exists"));

  // The store opens only with the new key.
  auto with_old = Store::open(options(), engine::testing::shipped_catalog());
  ASSERT_FALSE(with_old);
  EXPECT_THAT(with_old.error().message, HasSubstr("retired"));
  Options o = options();
  o.key_path = new_key_path;
  auto opened = Store::open(o, engine::testing::shipped_catalog());
  ASSERT_TRUE(opened) << opened.error().message;
  store = std::move(*opened);

  // The rotation is a record, under a last checkpoint signed with the old key.
  RecordQuery q;
  q.from = rotation->record_index;
  q.limit = 1;
  auto rows = store->records(q);
  ASSERT_EQ(rows.size(), 1u);
  auto record = parse_canonical_json(rows[0].bytes);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->at("kind").as_string(), "system");
  EXPECT_EQ(record->at("action").as_string(), "rotate_key");
  EXPECT_EQ(record->at("new").at("verifier_key").as_string(), rotation->new_verifier_key);
  EXPECT_EQ(record->at("old").at("verifier_key").as_string(), old_key);
  EXPECT_EQ(rotation->checkpoint_size, static_cast<std::uint64_t>(rotation->record_index + 1));

  grow_to(kRecords + 40);
  auto r = audit::verify_database(db());
  EXPECT_TRUE(r.ok) << describe(r);
  EXPECT_EQ(verifier_key(), rotation->new_verifier_key);

  auto old_verifier = checkpoint::Verifier::parse(old_key);
  auto new_verifier = checkpoint::Verifier::parse(rotation->new_verifier_key);
  ASSERT_TRUE(old_verifier && new_verifier);
  EXPECT_TRUE(old_verifier->verify(old_note)) << "an old checkpoint verifies with the retired key";
  const std::string latest = latest_note();
  EXPECT_TRUE(new_verifier->verify(latest));
  EXPECT_FALSE(old_verifier->verify(latest)) << "new checkpoints are signed with the new key only";

  std::stringstream exported;
  auto summary = audit::export_log(db(), exported);
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->verifier_key, rotation->new_verifier_key);
  EXPECT_TRUE(audit::verify_export(exported, rotation->new_verifier_key).ok);
  // An auditor's checkpoint from before the rotation: checked with the retired key it was signed with.
  exported.clear();
  exported.seekg(0);
  audit::ExportVerifyOptions both{{rotation->new_verifier_key, old_key}, old_note};
  auto with_trusted = audit::verify_export(exported, both);
  EXPECT_TRUE(with_trusted.ok) << describe(with_trusted);
  EXPECT_EQ(with_trusted.checkpoints, 2);
  exported.clear();
  exported.seekg(0);
  auto new_only = audit::verify_export(exported, rotation->new_verifier_key, old_note);
  ASSERT_TRUE(new_only.first_error);
  EXPECT_EQ(new_only.first_error->kind, Problem::checkpoint_signature);
  EXPECT_THAT(new_only.first_error->message, HasSubstr("trusted checkpoint"));
}

TEST_F(AuditVerifyTest, TheCommandLine) {
  std::ostringstream out, err;
  EXPECT_EQ(web::audit_verify(db(), std::nullopt, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("ok: "));

  std::string copy = copy_db("cli-edit.db");
  tamper(copy, [](sql::Db& d) {
    std::string bytes = record_bytes(d, 61);
    change_one_byte(bytes);
    set_record_bytes(d, 61, bytes);
  });
  out.str(""), err.str("");
  EXPECT_EQ(web::audit_verify(copy, std::nullopt, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("error at record 61 (edited)"));

  out.str(""), err.str("");
  EXPECT_EQ(web::audit_checkpoint(db(), out, err), 0) << err.str();
  EXPECT_EQ(out.str(), latest_note());
  write_text(path("saved.checkpoint"), out.str());
  write_text(path("key.pub"), verifier_key() + "\n");

  // Through CLI11, as `laurel` parses it.
  auto parse = [](const std::string& line) {
    CLI::App app;
    int rc = -1;
    web::add_audit_commands(app, rc);
    app.parse(line, false);
    return rc;
  };
  EXPECT_EQ(parse("audit export --db " + db() + " --out " + path("log.ndjson")), 0);
  EXPECT_EQ(parse("audit export --db " + db() + " --out " + path("log.ndjson")), 1) << "never overwrites";
  EXPECT_EQ(parse("audit verify-export " + path("log.ndjson") + " --key @" + path("key.pub") + " --trusted-checkpoint " +
                  path("saved.checkpoint")),
            0);
  EXPECT_EQ(parse("audit verify-export --key " + verifier_key() + " " + path("log.ndjson")), 0);
  EXPECT_EQ(parse("audit verify --db " + db() + " --trusted-checkpoint " + path("saved.checkpoint")), 0);
  EXPECT_EQ(parse("audit verify --db " + copy), 1);
  store.reset();
  EXPECT_EQ(parse("audit rotate-key --db " + db() + " --new-key " + path("next.key")), 0);
  EXPECT_EQ(parse("audit verify-export " + path("log.ndjson") + " --key @" + path("key.pub")), 0) << "old exports stay valid";
  EXPECT_EQ(parse("audit verify --db " + db()), 0);
}

}  // namespace
}  // namespace laurel::storage::testing
