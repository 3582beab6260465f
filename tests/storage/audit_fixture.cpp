#include "tests/storage/audit_fixture.h"

#include <fstream>
#include <future>
#include <sstream>

#include "storage/audit_proofs.h"
#include "storage/audit_tree.h"

namespace laurel::storage::testing {

CommandRequest AuditTest::create_request() {
  engine::Command c;
  c.action = "create";
  c.category = "family";
  c.level = "county";
  c.year = 2018;
  c.jurisdiction = kShuangta;
  c.nominee = std::map<std::string, std::string>{{"name", "马玉兰家庭"},
                                                 {"ethnic_groups", "回族、汉族"},
                                                 {"members", "5"},
                                                 {"address", "双塔乡月牙墩村3组"},
                                                 {"contact_phone", "13993700001"}};
  c.summary = "各民族邻里互帮互助，带头学习宣传党的民族政策。";
  CommandRequest req;
  req.caller = as("unit");
  req.command = std::move(c);
  req.now = now;
  return req;
}

void AuditTest::grow_to(std::int64_t records) {
  while (store->log_size() < records) {
    // Several at once: the writer commits them together, under one checkpoint.
    std::vector<std::future<CommandResult>> together;
    for (int i = 0; i < 6; ++i) together.push_back(store->submit(create_request()));
    for (auto& f : together) ASSERT_EQ(f.get().status, CommandResult::Status::accepted);
    // One by one: a checkpoint each.
    std::string id = create_nomination();
    ASSERT_EQ(run("other_unit", id, "submit").status, CommandResult::Status::rejected);  // a denied attempt is a record too
    now += 60;
  }
}

std::string AuditTest::copy_db(const std::string& name) {
  std::string to = path(name);
  auto copied = Store::backup(db(), to);
  EXPECT_TRUE(copied) << copied.error().message;
  return to;
}

std::string AuditTest::latest_note() {
  auto reader = audit::AuditReader::open(db());
  EXPECT_TRUE(reader) << reader.error();
  auto cp = (*reader)->latest_checkpoint();
  EXPECT_TRUE(cp) << cp.error().message;
  return cp ? cp->note : std::string();
}

std::string AuditTest::verifier_key() {
  auto reader = audit::AuditReader::open(db());
  EXPECT_TRUE(reader) << reader.error();
  auto key = (*reader)->verifier_key();
  EXPECT_TRUE(key) << key.error().message;
  return key ? *key : std::string();
}

void tamper(const std::string& db_path, const std::function<void(sql::Db&)>& change) {
  sql::Db db(db_path, sql::Db::Mode::read_write);
  db.exec("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");
  change(db);
}

void rewrite_tree(sql::Db& db) {
  db.exec("DELETE FROM merkle_nodes");
  merkle::Appender tree;
  sql::Stmt rows(db, "SELECT record FROM audit_log ORDER BY idx");
  sql::Stmt insert(db, kInsertNodeSql);
  while (rows.step()) insert_nodes(insert, tree.append(merkle::leaf_hash(rows.blob_view(0))));
}

void append_unsigned_record(sql::Db& db, const std::string& bytes) {
  std::int64_t size = 0;
  {
    sql::Stmt s(db, "SELECT count(*) FROM audit_log");
    s.step();
    size = s.i64(0);
  }
  SqlNodeReader reader(db);
  auto tree = merkle::Appender::load(static_cast<std::uint64_t>(size), reader);
  ASSERT_TRUE(tree);
  sql::Stmt ins(db,
                "INSERT INTO audit_log (idx, record, at, actor, kind, action, object_id, outcome) VALUES (?, ?, 0, 'x', 'system', 'x', "
                "'x', 'accepted')");
  ins.bind(1, size).bind_blob(2, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())).run();
  sql::Stmt node(db, kInsertNodeSql);
  insert_nodes(node, tree->append(merkle::leaf_hash(bytes)));
}

std::string record_bytes(sql::Db& db, std::int64_t index) {
  sql::Stmt s(db, "SELECT record FROM audit_log WHERE idx = ?");
  s.bind(1, index);
  EXPECT_TRUE(s.step()) << index;
  auto blob = s.blob_view(0);
  return std::string(reinterpret_cast<const char*>(blob.data()), blob.size());
}

void change_one_byte(std::string& record) {
  const auto at = record.find("\"outcome\":\"");
  ASSERT_NE(at, std::string::npos) << record;
  char& c = record[at + 11];
  c = c == 'a' ? 'b' : 'a';
}

void set_record_bytes(sql::Db& db, std::int64_t index, const std::string& bytes) {
  sql::Stmt s(db, "UPDATE audit_log SET record = ? WHERE idx = ?");
  s.bind_blob(1, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())).bind(2, index).run();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace laurel::storage::testing
