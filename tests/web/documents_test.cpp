// Documents and data exchange: CSV and XLSX written and read back (formula neutralisation, quoting,
// BOM), hostile files (wrong columns, wrong types, 100,000 rows, a zip bomb, formulas, DOCTYPE,
// non-UTF-8), the import all or nothing with its audit record, the export → import round trip into an
// empty database, PDFs rendered with poppler (pdftotext, pdftoppm: Chinese text present, one
// certificate a page), verification codes, and the HTTP endpoints through Api::handle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <zip.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "storage/canonical_json.h"
#include "tests/storage/store_fixture.h"
#include "web/api.h"
#include "web/documents_api.h"
#include "web/documents_export.h"
#include "web/documents_import.h"
#include "web/documents_print.h"
#include "web/documents_table.h"
#include "web/pages.h"

namespace laurel::web {
namespace {

using namespace documents;
using ::testing::HasSubstr;
using ::testing::Not;
namespace bj = boost::json;

// ---- Building hostile XLSX files by hand -------------------------------------------------------

struct Entry {
  std::string name;
  std::string data;
};

std::string make_zip(const std::vector<Entry>& entries) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &ze);
  zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
  EXPECT_NE(z, nullptr);
  zip_source_keep(src);
  for (const auto& e : entries) {
    zip_source_t* s = zip_source_buffer(z, e.data.data(), e.data.size(), 0);
    EXPECT_GE(zip_file_add(z, e.name.c_str(), s, ZIP_FL_OVERWRITE), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  zip_source_open(src);
  zip_source_seek(src, 0, SEEK_END);
  auto size = zip_source_tell(src);
  zip_source_seek(src, 0, SEEK_SET);
  std::string out(static_cast<std::size_t>(size), '\0');
  zip_source_read(src, out.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(src);
  zip_source_free(src);
  zip_error_fini(&ze);
  return out;
}

const char* kWorkbook =
    R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const char* kRels =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)";

std::string sheet(const std::string& rows) {
  return R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" + rows +
         "</sheetData></worksheet>";
}

std::string xlsx(const std::string& sheet_xml) {
  return make_zip({{"xl/workbook.xml", kWorkbook}, {"xl/_rels/workbook.xml.rels", kRels}, {"xl/worksheets/sheet1.xml", sheet_xml}});
}

// pdftotext's output without white space: pango breaks lines anywhere in Chinese text.
std::string squeeze(std::string text) {
  std::erase_if(text, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\f'; });
  return text;
}

std::string run_capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// ---- Tables ------------------------------------------------------------------------------------

TEST(DocumentsTable, CsvHasBomCrlfQuotingAndNeutralisedFormulas) {
  Table t;
  t.header = {"名称(name)", "备注"};
  t.rows = {{"=cmd|' /C calc'!A0", "a,b"}, {"+1", "he said \"hi\""}, {"-2", "two\nlines"}, {"@SUM(A1)", "\tx"}, {"瓜州县", ""}};
  std::string csv = to_csv(t);
  EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBF名称(name),备注\r\n"));
  EXPECT_THAT(csv, HasSubstr("'=cmd|' /C calc'!A0,\"a,b\"\r\n"));
  EXPECT_THAT(csv, HasSubstr("'+1,\"he said \"\"hi\"\"\"\r\n"));
  EXPECT_THAT(csv, HasSubstr("'-2,\"two\nlines\"\r\n"));
  EXPECT_THAT(csv, HasSubstr("'@SUM(A1),'\tx\r\n"));
  auto back = read_csv(csv);
  ASSERT_TRUE(back) << back.error().en;
  EXPECT_EQ(back->header, t.header);
  EXPECT_EQ(back->rows, t.rows);  // the apostrophes come off again
}

TEST(DocumentsTable, XlsxWritesFormulasAsTextAndReadsBack) {
  Table t;
  t.header = {"名称(name)", "年度(year)"};
  t.rows = {{"=cmd|' /C calc'!A0", "2018"}, {"马玉兰家庭", "=1+1"}, {"", "0012"}};
  auto bytes = to_xlsx(t);
  ASSERT_TRUE(bytes) << bytes.error();
  EXPECT_TRUE(bytes->starts_with("PK\x03\x04"));
  // The reader refuses any formula cell, so reading it back proves none was written.
  auto back = read_xlsx(*bytes);
  ASSERT_TRUE(back) << back.error().en;
  EXPECT_EQ(back->header, t.header);
  EXPECT_EQ(back->rows, t.rows);
}

TEST(DocumentsTable, NonUtf8CsvIsRefusedWithTheLine) {
  std::string gbk = "名称(name)\r\nok\r\n\xC2\xED\xD3\xF1\xC0\xBC\r\n";  // 马玉兰 in GBK on line 3
  auto r = read_csv(gbk);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().en, HasSubstr("not UTF-8 (line 3)"));
  EXPECT_THAT(r.error().zh, HasSubstr("UTF-8"));
  auto xls = read_table(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8));
  ASSERT_FALSE(xls);
  EXPECT_THAT(xls.error().en, HasSubstr(".xls"));
}

TEST(DocumentsTable, AHundredThousandRowsAreRefused) {
  std::string csv = "名称(name),年度(year)\r\n";
  for (int i = 0; i < 100000; ++i) csv += "家庭" + std::to_string(i) + ",2018\r\n";
  auto r = read_csv(csv);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().en, HasSubstr("at most 5000 data rows"));
  std::string rows;
  for (int i = 1; i <= 100001; ++i) rows += "<row r=\"" + std::to_string(i) + "\"><c r=\"A" + std::to_string(i) + "\" t=\"inlineStr\"><is><t>x</t></is></c></row>";
  auto x = read_xlsx(xlsx(sheet(rows)));
  ASSERT_FALSE(x);
  EXPECT_THAT(x.error().en, HasSubstr("at most 5000 data rows"));
}

TEST(DocumentsTable, AnXlsxBombIsRefusedBeforeItIsInflated) {
  // 40 MiB of one byte compresses about a thousandfold: the directory alone gives it away.
  std::string huge(40u << 20, 'A');
  std::string bomb = make_zip({{"xl/workbook.xml", kWorkbook}, {"xl/_rels/workbook.xml.rels", kRels}, {"xl/worksheets/sheet1.xml", huge}});
  huge.clear();
  huge.shrink_to_fit();
  EXPECT_LT(bomb.size(), 1u << 20);
  auto r = read_xlsx(bomb);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().en, HasSubstr("zip bomb"));
  // Many small entries.
  std::vector<Entry> many{{"xl/workbook.xml", kWorkbook}, {"xl/_rels/workbook.xml.rels", kRels}};
  for (int i = 0; i < 300; ++i) many.push_back({"x/" + std::to_string(i), "x"});
  auto m = read_xlsx(make_zip(many));
  ASSERT_FALSE(m);
  EXPECT_THAT(m.error().en, HasSubstr("too many entries"));
  // Not a zip at all.
  auto junk = read_xlsx("PK\x03\x04 not really");
  ASSERT_FALSE(junk);
  EXPECT_THAT(junk.error().en, HasSubstr("not a valid XLSX"));
}

TEST(DocumentsTable, XlsxFormulasDoctypesAndBadReferencesAreRefused) {
  auto f = read_xlsx(xlsx(sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>名称(name)</t></is></c></row>)"
                                R"(<row r="2"><c r="A2"><f>HYPERLINK("http://x","y")</f><v>y</v></c></row>)")));
  ASSERT_FALSE(f);
  EXPECT_THAT(f.error().en, HasSubstr("Cell A2 holds a formula"));
  EXPECT_THAT(f.error().zh, HasSubstr("公式"));
  std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>)"
                       R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>)";
  auto d = read_xlsx(xlsx(laughs));
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().en, HasSubstr("DOCTYPE"));
  auto s = read_xlsx(xlsx(sheet(R"(<row r="1"><c r="A1" t="s"><v>7</v></c></row>)")));
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().en, HasSubstr("shared string that does not exist"));
}

// ---- Import planning ---------------------------------------------------------------------------

const engine::Actor kUnit{engine::Actor::Kind::person, "unit", {{"nominator", "620922213"}}};

Table template_with(std::vector<std::vector<std::pair<std::string, std::string>>> rows) {
  Table t = import_template(engine::testing::shipped_catalog());
  for (const auto& fields : rows) {
    std::vector<std::string> row(t.header.size());
    for (const auto& [id, value] : fields) {
      for (std::size_t i = 0; i < t.header.size(); ++i) if (t.header[i].ends_with("(" + id + ")")) row[i] = value;
    }
    t.rows.push_back(row);
  }
  return t;
}

std::vector<std::pair<std::string, std::string>> family(std::string name) {
  return {{"category", "家庭"}, {"level", "县级"}, {"year", "2018"}, {"jurisdiction", "620922213"}, {"name", std::move(name)},
          {"ethnic_groups", "回族、汉族"}, {"members", "5"}, {"address", "双塔乡月牙墩村"}, {"contact_phone", "13993700001"},
          {"summary", "邻里互助"}};
}

TEST(DocumentsImport, WrongColumnsAreFileProblems) {
  Table t;
  t.header = {"类别(category)", "年度(year)", "电话号码", "年度"};
  t.rows = {{"家庭", "2018", "1", "2018"}};
  auto plan = plan_import(t, engine::testing::shipped_catalog(), kUnit, engine::testing::kStart);
  ASSERT_TRUE(plan.file_problem());
  EXPECT_TRUE(plan.commands.empty());
  std::vector<std::string> en;
  for (const auto& p : plan.problems) {
    EXPECT_EQ(p.row, 0u);
    EXPECT_FALSE(p.zh.empty());
    en.push_back(p.en);
  }
  EXPECT_THAT(en, ::testing::Contains(HasSubstr("Unknown column \"电话号码\"")));
  EXPECT_THAT(en, ::testing::Contains(HasSubstr("Column \"年度\" appears twice")));
  EXPECT_THAT(en, ::testing::Contains(HasSubstr("required column \"级别(level)\" is missing")));
  EXPECT_THAT(en, ::testing::Contains(HasSubstr("required column \"名称(name)\" is missing")));
}

TEST(DocumentsImport, WrongTypesAreReportedPerRowAndColumnInBothLanguages) {
  auto bad_year = family("甲家庭");
  bad_year[2].second = "二〇一八";
  auto bad_category = family("乙家庭");
  bad_category[0].second = "宫殿";
  auto missing_name = family("");
  auto bad_place = family("丙家庭");
  bad_place[3].second = "999999";
  auto not_mine = family("丁家庭");
  not_mine[3].second = "620982";  // 敦煌市: outside the unit's subtree
  auto long_phone = family("戊家庭");
  long_phone[8].second = std::string(30, '1');
  auto wrong_field = family("己家庭");
  wrong_field.push_back({"credit_code", "91620922MA00000000"});
  Table t = template_with({family("好家庭"), bad_year, bad_category, missing_name, bad_place, not_mine, long_phone, wrong_field});
  auto plan = plan_import(t, engine::testing::shipped_catalog(), kUnit, engine::testing::kStart);
  ASSERT_FALSE(plan.file_problem());
  ASSERT_EQ(plan.commands.size(), 1u);
  EXPECT_EQ(plan.command_rows, std::vector<std::size_t>{2});
  std::map<std::size_t, RowProblem> by_row;
  for (const auto& p : plan.problems) by_row.emplace(p.row, p);
  EXPECT_EQ(by_row[3].column, "年度(year)");
  EXPECT_THAT(by_row[3].en, HasSubstr("year from 2000 to 2100"));
  EXPECT_THAT(by_row[3].zh, HasSubstr("年份"));
  EXPECT_EQ(by_row[4].column, "类别(category)");
  EXPECT_THAT(by_row[4].en, HasSubstr("Unknown category \"宫殿\""));
  EXPECT_EQ(by_row[5].column, "名称(name)");
  EXPECT_EQ(by_row[5].en, "required");
  EXPECT_EQ(by_row[6].column, "地区代码(jurisdiction)");
  EXPECT_EQ(by_row[7].column, "地区代码(jurisdiction)");
  EXPECT_THAT(by_row[7].en, HasSubstr("nominator role"));
  EXPECT_EQ(by_row[8].column, "联系电话(contact_phone)");
  EXPECT_THAT(by_row[8].en, HasSubstr("longer than 20"));
  EXPECT_EQ(by_row[9].column, "统一社会信用代码(credit_code)");
  ASSERT_EQ(plan.rejected.rows.size(), 7u);
  EXPECT_EQ(plan.rejected.header.back(), "问题(problems)");
  EXPECT_THAT(plan.rejected.rows[0].back(), HasSubstr("年度(year)"));
}

// ---- With a store ------------------------------------------------------------------------------

class DocumentsTest : public storage::testing::StoreTest {
 protected:
  // Takes `count` family nominations through to named in one decision; returns their ids.
  std::vector<std::string> named(int count, const std::string& document_no = "瓜民团发〔2019〕3号") {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) ids.push_back(shortlisted());
    storage::BatchRequest approve;
    approve.caller = as("county_approver");
    approve.command.action = "approve";
    approve.command.notice_title = "瓜州县2018年度县级民族团结进步示范家庭拟命名对象公示";
    approve.now = now;
    for (const auto& id : ids) approve.items.push_back({id, store->nomination(id)->version});
    auto a = store->execute_batch(approve);
    EXPECT_TRUE(a.accepted);
    notice_id = a.notice_id;
    now += 10 * engine::testing::kDay;
    store->fire_due_timers(now);
    storage::BatchRequest name;
    name.caller = as("county_approver");
    name.command.action = "name";
    name.command.document_no = document_no;
    name.command.decision_title = "关于命名2018年度县级民族团结进步示范家庭的决定";
    name.now = now;
    for (const auto& id : ids) name.items.push_back({id, store->nomination(id)->version});
    auto n = store->execute_batch(name);
    EXPECT_TRUE(n.accepted) << (n.items.empty() || !n.items[0].rejection ? n.error : n.items[0].rejection->detail);
    return ids;
  }

  std::string write_temp(const std::string& name, const std::string& bytes) {
    auto path = (dir.path() / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string notice_id;
};

TEST_F(DocumentsTest, ImportIsAllOrNothingAndRecordsTheFilesHash) {
  auto before = store->log_size();
  storage::ImportRequest req;
  req.caller = as("unit");
  req.file_name = "from-township.xlsx";
  req.file_sha256 = std::string(64, 'a');
  req.now = now;
  Table t = template_with({family("一号家庭"), family("二号家庭")});
  auto plan = plan_import(t, store->catalog(), actor("unit"), now);
  ASSERT_EQ(plan.commands.size(), 2u);
  // A third row that the engine refuses (unknown category) sinks the whole file.
  req.rows = plan.commands;
  req.rows.push_back(plan.commands[0]);
  req.rows.back().category = "palace";
  req.rows_in_file = 3;
  auto refused = store->import_nominations(req);
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(store->list(storage::ListQuery{}, actor("unit")).total, 0);
  ASSERT_EQ(store->log_size(), before + 1);  // only the denied import record
  auto denied = store->records(storage::RecordQuery{before, 10, {}, {}, {}, {}, {}, {}});
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_THAT(denied[0].bytes, HasSubstr(R"("kind":"import")"));
  EXPECT_THAT(denied[0].bytes, HasSubstr(R"("outcome":"denied")"));

  req.rows = plan.commands;
  req.rows_in_file = 2;
  auto done = store->import_nominations(req);
  ASSERT_TRUE(done.accepted);
  ASSERT_EQ(done.rows.size(), 2u);
  EXPECT_EQ(store->list(storage::ListQuery{}, actor("unit")).total, 2);
  // Each row is an ordinary creation record, then one import record naming the file.
  auto rows = store->records(storage::RecordQuery{before + 1, 10, {}, {}, {}, {}, {}, {}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].bytes, HasSubstr(R"("action":"create")"));
  EXPECT_THAT(rows[1].bytes, HasSubstr(R"("action":"create")"));
  EXPECT_THAT(rows[2].bytes, HasSubstr(R"("kind":"import")"));
  EXPECT_THAT(rows[2].bytes, HasSubstr(R"("file_sha256":")" + std::string(64, 'a') + "\""));
  EXPECT_EQ(done.audit_index, rows[2].index);
  // Personal contact data stays out of the records, as for any creation.
  for (const auto& r : rows) EXPECT_THAT(r.bytes, Not(HasSubstr("13993700001")));
}

TEST_F(DocumentsTest, ExportThenImportIntoAnEmptyDatabaseGivesTheSameNominations) {
  std::vector<std::string> ids{create_nomination(), create_nomination()};
  {
    engine::Command c;
    c.action = "create";
    c.category = "enterprise";
    c.level = "county";
    c.year = 2019;
    c.jurisdiction = engine::testing::kShuangta;
    c.nominee = std::map<std::string, std::string>{{"name", "=HYPERLINK(\"x\")有限公司"}, {"contact_person", "李四"},
                                                    {"contact_phone", "0937-5521234"}, {"credit_code", "0091620922"}};
    c.summary = "带动各族群众就业，\"守望相助\"，第二行\n第三行";
    auto r = run("unit", "", c);
    ASSERT_EQ(r.status, storage::CommandResult::Status::accepted) << (r.rejection ? r.rejection->detail : "");
    ids.push_back(r.nomination->id);
  }
  auto list = all_nominations(*store, {}, actor("unit"));
  ASSERT_EQ(list.size(), 3u);
  Table exported = nominations_table(list, actor("unit"), store->catalog());

  for (Format f : {Format::csv, Format::xlsx}) {
    auto bytes = write_table(exported, f);
    ASSERT_TRUE(bytes) << bytes.error();
    auto read = read_table(*bytes);
    ASSERT_TRUE(read) << read.error().en;

    storage::testing::TempDir other;
    storage::Options o;
    o.db_path = (other.path() / "empty.db").string();
    o.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    o.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    ASSERT_TRUE(storage::Store::init(o, store->catalog(), {}, "correct horse battery staple", now));
    auto empty = storage::Store::open(o, store->catalog());
    ASSERT_TRUE(empty);
    auto plan = plan_import(*read, store->catalog(), actor("unit"), now);
    ASSERT_TRUE(plan.problems.empty()) << plan.problems[0].column << ": " << plan.problems[0].en;
    storage::ImportRequest req;
    req.caller = as("unit");
    req.rows = plan.commands;
    req.rows_in_file = static_cast<std::int64_t>(plan.rows);
    req.now = now;
    auto done = (*empty)->import_nominations(req);
    ASSERT_TRUE(done.accepted);
    auto again = all_nominations(**empty, {}, actor("unit"));
    ASSERT_EQ(again.size(), list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(again[i].category, list[i].category);
      EXPECT_EQ(again[i].level, list[i].level);
      EXPECT_EQ(again[i].year, list[i].year);
      EXPECT_EQ(again[i].jurisdiction, list[i].jurisdiction);
      EXPECT_EQ(again[i].nominee, list[i].nominee);
      EXPECT_EQ(again[i].summary, list[i].summary);
      EXPECT_EQ(again[i].state, "draft");
    }
  }
}

TEST_F(DocumentsTest, ExportsShowOnlyWhatTheViewerMaySee) {
  std::string id = create_nomination();
  // The county reviewer sees a draft? No: drafts stay with their unit. The owner sees the phone.
  auto mine = nominations_table(all_nominations(*store, {}, actor("unit")), actor("unit"), store->catalog());
  ASSERT_EQ(mine.rows.size(), 1u);
  EXPECT_THAT(to_csv(mine), HasSubstr("13993700001"));
  auto others = all_nominations(*store, {}, actor("other_unit"));
  EXPECT_TRUE(others.empty());
  // A panelist of the office sees it in evaluation, without personal data.
  attach_all(id);
  ASSERT_EQ(run("unit", id, "submit").status, storage::CommandResult::Status::accepted);
  ASSERT_EQ(run("county_reviewer", id, "accept").status, storage::CommandResult::Status::accepted);
  auto panel = nominations_table(all_nominations(*store, {}, actor("p1")), actor("p1"), store->catalog());
  ASSERT_EQ(panel.rows.size(), 1u);
  EXPECT_THAT(to_csv(panel), HasSubstr("马玉兰家庭"));
  EXPECT_THAT(to_csv(panel), Not(HasSubstr("13993700001")));
  // Notices and decisions are public and carry no personal data.
  auto ids = named(2);
  auto notice = store->notice(notice_id);
  ASSERT_TRUE(notice);
  std::string n = to_csv(notice_table(*notice, store->catalog()));
  EXPECT_THAT(n, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(n, Not(HasSubstr("13993700001")));
  EXPECT_THAT(n, Not(HasSubstr("月牙墩村")));
  std::string d = to_csv(decision_table(*store->decision("瓜民团发〔2019〕3号"), store->catalog()));
  EXPECT_THAT(d, HasSubstr("瓜民团发〔2019〕3号"));
  EXPECT_THAT(d, Not(HasSubstr("13993700001")));
}

TEST_F(DocumentsTest, CertificatesRenderOneAPageWithChineseTextAndAVerificationCode) {
  auto ids = named(3);
  PrintOptions po;
  po.public_url = "https://laurel.example.gov.cn/";
  auto pdf = documents::certificates_pdf(*store, "瓜民团发〔2019〕3号", {}, now, po);
  ASSERT_TRUE(pdf) << pdf.error().message;
  EXPECT_TRUE(pdf->starts_with("%PDF-"));
  std::string path = write_temp("certificates.pdf", *pdf);
  std::string info = run_capture("pdfinfo " + path);
  EXPECT_THAT(info, HasSubstr("Pages:           3"));
  for (int page = 1; page <= 3; ++page) {
    std::string text = squeeze(run_capture("pdftotext -f " + std::to_string(page) + " -l " + std::to_string(page) + " " + path + " -"));
    EXPECT_THAT(text, HasSubstr("荣誉证书")) << "page " << page;
    EXPECT_THAT(text, HasSubstr("马玉兰家庭"));
    EXPECT_THAT(text, HasSubstr("民族团结进步示范家庭"));
    EXPECT_THAT(text, HasSubstr("瓜民团发〔2019〕3号"));
    EXPECT_THAT(text, HasSubstr("https://laurel.example.gov.cn/verify/"));
    EXPECT_THAT(text, Not(HasSubstr("13993700001")));
  }
  // Rendered to pixels: the page is drawn (not blank), at A4 landscape.
  std::string png = (dir.path() / "page").string();
  run_capture("pdftoppm -r 30 -f 2 -l 2 -png " + path + " " + png);
  std::ifstream image(png + "-2.png", std::ios::binary);
  ASSERT_TRUE(image.good());
  std::string bytes((std::istreambuf_iterator<char>(image)), std::istreambuf_iterator<char>());
  EXPECT_GT(bytes.size(), 2000u);

  // Each certificate's code leads to its naming record; a second print keeps the codes.
  auto codes = store->verification_codes("certificate", "瓜民团发〔2019〕3号", ids, now);
  ASSERT_TRUE(codes);
  std::string text = run_capture("pdftotext -f 1 -l 1 " + path + " -");
  EXPECT_THAT(text, HasSubstr(grouped_code((*codes)[0].code)));
  auto v = verify(*store, grouped_code((*codes)[0].code), now);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, "valid");
  EXPECT_EQ(v->office_name, "瓜州县");
  EXPECT_EQ(v->nominee, "马玉兰家庭");
  auto record = store->records(storage::RecordQuery{v->code.audit_index, 1, {}, {}, {}, {}, {}, {}});
  ASSERT_EQ(record.size(), 1u);
  EXPECT_THAT(record[0].bytes, HasSubstr(R"("action":"name")"));
  EXPECT_THAT(record[0].bytes, HasSubstr("\"object\":{\"id\":\"" + ids[0] + "\""));
  // Typed by hand: lower case, O for 0 and without the hyphen still works; a wrong code does not.
  std::string typed = (*codes)[0].code;
  for (auto& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(verify(*store, typed, now));
  EXPECT_FALSE(verify(*store, "ZZZZZ-ZZZZZ", now));

  // Revoked: the check says so.
  engine::Command revoke;
  revoke.action = "revoke";
  revoke.reason = "发现弄虚作假";
  ASSERT_EQ(run("county_approver", ids[0], revoke).status, storage::CommandResult::Status::accepted);
  EXPECT_EQ(verify(*store, (*codes)[0].code, now)->status, "revoked");
  // Expired once the validity has passed.
  EXPECT_EQ(verify(*store, (*codes)[1].code, now + 6 * 366 * engine::testing::kDay)->status, "expired");
}

TEST_F(DocumentsTest, TheDecisionAndTheNoticeAreOfficialDocuments) {
  auto ids = named(2);
  auto decision = decision_pdf(*store, "瓜民团发〔2019〕3号", now);
  ASSERT_TRUE(decision) << decision.error().message;
  std::string text = squeeze(run_capture("pdftotext " + write_temp("decision.pdf", *decision) + " -"));
  EXPECT_THAT(text, HasSubstr("瓜州县民族团结进步创建工作领导小组文件"));
  EXPECT_THAT(text, HasSubstr("瓜民团发〔2019〕3号"));
  EXPECT_THAT(text, HasSubstr("关于命名2018年度县级民族团结进步示范家庭的决定"));
  EXPECT_THAT(text, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(text, HasSubstr("核验码"));
  EXPECT_THAT(text, Not(HasSubstr("13993700001")));
  auto notice = notice_pdf(*store, notice_id, now);
  ASSERT_TRUE(notice) << notice.error().message;
  std::string ntext = squeeze(run_capture("pdftotext " + write_temp("notice.pdf", *notice) + " -"));
  EXPECT_THAT(ntext, HasSubstr("公示"));
  EXPECT_THAT(ntext, HasSubstr("公示时间：2019年1月15日至1月21日"));
  EXPECT_THAT(ntext, HasSubstr("实名"));
  EXPECT_THAT(ntext, Not(HasSubstr("月牙墩村")));
  EXPECT_EQ(decision_pdf(*store, "no such", now).error().kind, PrintError::Kind::not_found);
  EXPECT_EQ(documents::certificates_pdf(*store, "瓜民团发〔2019〕3号", {"N999999"}, now).error().kind, PrintError::Kind::validation);
}

// ---- Over the API (no socket: Api::handle) -----------------------------------------------------

class DocumentsApiTest : public DocumentsTest {
 protected:
  void SetUp() override {
    DocumentsTest::SetUp();
    clock.set(now);
    api = std::make_unique<Api>(*store, clock, ApiConfig{});
  }
  void TearDown() override {
    api.reset();
    DocumentsTest::TearDown();
  }
  std::string token(const std::string& user) {
    auto t = store->create_token(as(user), "test", now);
    EXPECT_TRUE(t);
    return t ? *t : "";
  }
  Response call(const std::string& method, const std::string& target, const std::string& user = "", std::string body = "") {
    Request r;
    r.method = method;
    r.target = target;
    EXPECT_TRUE(parse_target(target, r.path, r.query));
    if (!user.empty()) r.headers["authorization"] = "Bearer " + token(user);
    r.body = std::move(body);
    r.client_address = "192.0.2.9";
    clock.set(now);
    return api->handle(r);
  }
  static std::string header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) if (k == name) return v;
    return "";
  }
  Clock clock;
  std::unique_ptr<Api> api;
};

TEST_F(DocumentsApiTest, ExportsAnswerWithFilesAndRespectSignIn) {
  create_nomination();
  EXPECT_EQ(call("GET", "/api/v1/exports/nominations?format=csv").status, 401);
  Response csv = call("GET", "/api/v1/exports/nominations?format=csv&state=draft", "unit");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_THAT(header(csv, "Content-Disposition"), HasSubstr("laurel-nominations.csv"));
  EXPECT_THAT(csv.body, HasSubstr("马玉兰家庭"));
  Response none = call("GET", "/api/v1/exports/nominations?format=csv&state=named", "unit");
  EXPECT_THAT(none.body, Not(HasSubstr("马玉兰家庭")));
  Response xlsx = call("GET", "/api/v1/exports/nominations", "unit");
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_TRUE(xlsx.body.starts_with("PK"));
  Response bad = call("GET", "/api/v1/exports/nominations?format=pdf", "unit");
  EXPECT_EQ(bad.status, 422);
  EXPECT_THAT(bad.body, HasSubstr(R"("field":"format")"));
  EXPECT_EQ(call("GET", "/api/v1/exports/stats?format=csv&year=2018", "county_reviewer").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/exports/stats?office=999", "county_reviewer").status, 422);
  // Audit records: auditors only, and the refusal is itself recorded.
  auto before = store->log_size();
  Response refused = call("GET", "/api/v1/exports/audit-records?format=csv", "county_reviewer");
  EXPECT_EQ(refused.status, 403);
  EXPECT_GT(store->log_size(), before);
  Response audit = call("GET", "/api/v1/exports/audit-records?format=csv&action=create", "auditor");
  ASSERT_EQ(audit.status, 200);
  EXPECT_THAT(audit.body, HasSubstr(",create,"));
  EXPECT_THAT(audit.body, Not(HasSubstr("13993700001")));
  Response tpl = call("GET", "/api/v1/imports/nominations/template?format=csv", "unit");
  EXPECT_EQ(tpl.status, 200);
  EXPECT_THAT(tpl.body, HasSubstr("类别(category),级别(level),年度(year),地区代码(jurisdiction),名称(name)"));
}

TEST_F(DocumentsApiTest, ImportsRefuseHostileFilesAndImportNothing) {
  auto count = [&] { return store->list(storage::ListQuery{}, actor("unit")).total; };
  std::string good = to_csv(template_with({family("一号家庭"), family("二号家庭")}));
  auto bad_rows = template_with({family("一号家庭"), family("")});
  std::string half = to_csv(bad_rows);
  std::string hundred_k = "名称(name)\r\n";
  for (int i = 0; i < 100000; ++i) hundred_k += "x\r\n";
  std::string bomb = make_zip({{"xl/workbook.xml", kWorkbook}, {"xl/_rels/workbook.xml.rels", kRels},
                               {"xl/worksheets/sheet1.xml", std::string(20u << 20, ' ')}});
  for (const auto& [what, body] : std::vector<std::pair<std::string, std::string>>{
           {"one bad row", half}, {"100,000 rows", hundred_k}, {"zip bomb", bomb}, {"GBK", "\xC0\xE0,\xB1\xF0\r\n"},
           {"wrong columns", "foo,bar\r\n1,2\r\n"}, {"empty", ""}}) {
    Response r = call("POST", "/api/v1/imports/nominations?filename=x", "unit", body);
    EXPECT_EQ(r.status, 422) << what << ": " << r.body.substr(0, 300);
    EXPECT_EQ(r.content_type, "application/problem+json") << what;
    EXPECT_THAT(r.body, HasSubstr(R"("code":"validation_failed")")) << what;
    EXPECT_EQ(count(), 0) << what;
  }
  Response per_row = call("POST", "/api/v1/imports/nominations", "unit", half);
  auto problem = bj::parse(per_row.body).as_object();
  ASSERT_EQ(problem["rows"].as_array().size(), 1u);
  EXPECT_EQ(problem["rows"].as_array()[0].as_object()["row"].as_int64(), 3);
  EXPECT_EQ(problem["rows"].as_array()[0].as_object()["column"].as_string(), "名称(name)");
  EXPECT_EQ(problem["rows"].as_array()[0].as_object()["message_zh"].as_string(), "必填");
  EXPECT_TRUE(problem["rejected_file"].is_object());

  // Not a nominator: 403 before reading anything, and the attempt recorded as denied.
  auto log_before = store->log_size();
  EXPECT_EQ(call("POST", "/api/v1/imports/nominations", "county_reviewer", good).status, 403);
  auto denied = store->records(storage::RecordQuery{log_before, 100, {}, {}, std::string("import_nominations"), {}, {}, {}});
  ASSERT_EQ(denied.size(), 1u);  // (the caller's first call also issued its token)
  EXPECT_THAT(denied[0].bytes, HasSubstr(R"("outcome":"denied")"));
  // Only the valid rows, on request: the rejected one comes back as a CSV to fix.
  Response valid = call("POST", "/api/v1/imports/nominations?mode=valid&filename=half.csv", "unit", half);
  ASSERT_EQ(valid.status, 201) << valid.body;
  auto v = bj::parse(valid.body).as_object();
  EXPECT_EQ(v["imported"].as_int64(), 1);
  EXPECT_EQ(v["rejected"].as_array().size(), 1u);
  EXPECT_EQ(count(), 1);
  Response all = call("POST", "/api/v1/imports/nominations?filename=good.csv", "unit", good);
  ASSERT_EQ(all.status, 201) << all.body;
  EXPECT_EQ(count(), 3);
  auto a = bj::parse(all.body).as_object();
  auto rec = store->records(storage::RecordQuery{a["audit_index"].as_int64(), 1, {}, {}, {}, {}, {}, {}});
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_THAT(rec[0].bytes, HasSubstr(std::string(a["file_sha256"].as_string())));
  EXPECT_THAT(rec[0].bytes, HasSubstr(R"("file_name":"good.csv")"));
}

TEST_F(DocumentsApiTest, PdfsAndTheVerificationEndpoint) {
  auto ids = named(2);
  const std::string no = "%E7%93%9C%E6%B0%91%E5%9B%A2%E5%8F%91%E3%80%942019%E3%80%953%E5%8F%B7";
  Response decision = call("GET", "/api/v1/documents/decisions/" + no + "/decision.pdf");
  ASSERT_EQ(decision.status, 200) << decision.body;
  EXPECT_EQ(decision.content_type, "application/pdf");
  EXPECT_EQ(call("GET", "/api/v1/documents/notices/" + notice_id + "/notice.pdf").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/documents/decisions/" + no + "/certificates.pdf").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/documents/decisions/" + no + "/certificates.pdf", "unit").status, 403);
  Response certs = call("GET", "/api/v1/documents/decisions/" + no + "/certificates.pdf?ids=" + ids[1], "county_approver");
  ASSERT_EQ(certs.status, 200) << certs.body;
  EXPECT_THAT(run_capture("pdfinfo " + write_temp("one.pdf", certs.body)), HasSubstr("Pages:           1"));
  auto codes = store->verification_codes("certificate", "瓜民团发〔2019〕3号", {ids[1]}, now);
  ASSERT_TRUE(codes);
  Response v = call("GET", "/api/v1/verify/" + grouped_code((*codes)[0].code));
  ASSERT_EQ(v.status, 200) << v.body;
  auto o = bj::parse(v.body).as_object();
  EXPECT_EQ(o["genuine"].as_bool(), true);
  EXPECT_EQ(o["status"].as_string(), "valid");
  EXPECT_EQ(o["office_name"].as_string(), "瓜州县");
  EXPECT_EQ(o["nominee"].as_object()["name"].as_string(), "马玉兰家庭");
  EXPECT_THAT(v.body, Not(HasSubstr("13993700001")));
  Response no_such = call("GET", "/api/v1/verify/ABCDE-FGHJK");
  EXPECT_EQ(no_such.status, 404);
  EXPECT_EQ(no_such.content_type, "application/problem+json");
}

TEST_F(DocumentsApiTest, PagesOfferExportsTheImportPageAndTheCodeCheck) {
  Pages pages(*store, *api, clock);
  auto ids = named(1);
  auto page = [&](const std::string& target, const std::string& user) {
    Request r;
    r.method = "GET";
    r.target = target;
    EXPECT_TRUE(parse_target(target, r.path, r.query));
    if (!user.empty()) r.headers["authorization"] = "Bearer " + token(user);
    clock.set(now);
    return pages.handle(r);
  };
  Response list = page("/nominations?state=named", "county_reviewer");
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("/api/v1/exports/nominations?format=xlsx&amp;state=named"));
  Response import = page("/nominations/import", "unit");
  ASSERT_EQ(import.status, 200);
  EXPECT_THAT(import.body, HasSubstr("/api/v1/imports/nominations/template?format=xlsx"));
  EXPECT_THAT(import.body, HasSubstr("/static/import.js"));
  EXPECT_THAT(import.body, HasSubstr(R"(id="import-form")"));
  EXPECT_THAT(page("/nominations/import", "county_reviewer").body, Not(HasSubstr(R"(id="import-form")")));
  Response decision = page("/decisions/%E7%93%9C%E6%B0%91%E5%9B%A2%E5%8F%91%E3%80%942019%E3%80%953%E5%8F%B7", "county_approver");
  EXPECT_THAT(decision.body, HasSubstr("/decision.pdf"));
  EXPECT_THAT(decision.body, HasSubstr("/certificates.pdf"));
  EXPECT_THAT(page("/decisions/%E7%93%9C%E6%B0%91%E5%9B%A2%E5%8F%91%E3%80%942019%E3%80%953%E5%8F%B7", "").body, Not(HasSubstr("/certificates.pdf")));
  auto codes = store->verification_codes("certificate", "瓜民团发〔2019〕3号", ids, now);
  ASSERT_TRUE(codes);
  Response verify = page("/verify/" + grouped_code((*codes)[0].code), "");
  ASSERT_EQ(verify.status, 200);
  EXPECT_THAT(verify.body, HasSubstr("马玉兰家庭"));
  EXPECT_THAT(verify.body, HasSubstr(grouped_code((*codes)[0].code)));
  EXPECT_THAT(verify.body, HasSubstr("有效"));
  EXPECT_THAT(verify.body, Not(HasSubstr("13993700001")));
  EXPECT_EQ(page("/verify/ZZZZZ-ZZZZZ", "").status, 404);
}

}  // namespace
}  // namespace laurel::web
