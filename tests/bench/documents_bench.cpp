// Documents: the time to draw 200 certificates into one PDF (pango on cairo, Noto Serif CJK), the
// naming decision, and a 5,000-row list written as XLSX and CSV and read back.
// Run: build/release/tests/documents_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "web/documents_pdf.h"
#include "web/documents_table.h"

namespace {

using namespace laurel::web::documents;

std::vector<Certificate> certificates(int n) {
  std::vector<Certificate> out;
  for (int i = 0; i < n; ++i) {
    Certificate c;
    c.nominee = i % 3 ? "马玉兰家庭" + std::to_string(i) : "腰站子东乡族乡第" + std::to_string(i) + "村";
    c.honour = i % 3 ? "民族团结进步示范家庭" : "民族团结进步示范单位";
    c.category = i % 3 ? "家庭" : "村";
    c.office = "瓜州县";
    c.year = "2018";
    c.document_no = "瓜民团发〔2019〕3号";
    c.date = "2019年1月20日";
    c.valid_until = "2024年1月20日";
    c.verification_code = "53RKN8KHKV";
    c.verification_url = "https://laurel.example.gov.cn/verify/53RKN8KHKV";
    out.push_back(std::move(c));
  }
  return out;
}

void BM_CertificatesPdf(benchmark::State& state) {
  auto certs = certificates(static_cast<int>(state.range(0)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto pdf = certificates_pdf(certs);
    if (!pdf) state.SkipWithError(pdf.error().c_str());
    bytes = pdf ? pdf->size() : 0;
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["pdf_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_CertificatesPdf)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DecisionPdf(benchmark::State& state) {
  OfficialDocument doc;
  doc.authority_mark = "瓜州县民族团结进步创建工作领导小组文件";
  doc.document_no = "瓜民团发〔2019〕3号";
  doc.title = "关于命名2018年度县级民族团结进步示范单位（家庭）的决定";
  doc.paragraphs_before = {"各乡镇人民政府，县直各部门、各单位：", "为深入贯彻落实党的民族政策，经申报、审核、专家评审和社会公示，决定命名以下281个单位（家庭）。"};
  for (int g = 0; g < 8; ++g) {
    NomineeGroup group{"民族团结进步示范村", {}};
    for (int i = 0; i < 35; ++i) group.names.push_back("腰站子东乡族乡团结村" + std::to_string(i));
    doc.groups.push_back(group);
  }
  doc.signature = "瓜州县民族团结进步创建工作领导小组";
  doc.date = "2019年1月20日";
  doc.verification_code = "53RKN8KHKV";
  for (auto _ : state) {
    auto pdf = official_document_pdf(doc);
    if (!pdf) state.SkipWithError(pdf.error().c_str());
    benchmark::DoNotOptimize(pdf);
  }
}
BENCHMARK(BM_DecisionPdf)->Unit(benchmark::kMillisecond)->UseRealTime();

Table list(int rows) {
  Table t;
  t.header = {"编号(id)", "类别(category)", "级别(level)", "年度(year)", "地区代码(jurisdiction)", "名称(name)", "事迹摘要(summary)"};
  for (int i = 0; i < rows; ++i) {
    t.rows.push_back({"N" + std::to_string(i), "家庭", "县级", "2018", "620922213", "马玉兰家庭" + std::to_string(i),
                      "各民族邻里互帮互助，带头学习宣传党的民族政策，家庭和睦，热心公益。"});
  }
  return t;
}

void BM_XlsxWriteRead(benchmark::State& state) {
  Table t = list(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto bytes = to_xlsx(t);
    auto back = read_xlsx(*bytes);
    if (!back) state.SkipWithError(back.error().en.c_str());
    benchmark::DoNotOptimize(back);
  }
}
BENCHMARK(BM_XlsxWriteRead)->Arg(5000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CsvWriteRead(benchmark::State& state) {
  Table t = list(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto back = read_csv(to_csv(t));
    if (!back) state.SkipWithError(back.error().en.c_str());
    benchmark::DoNotOptimize(back);
  }
}
BENCHMARK(BM_CsvWriteRead)->Arg(5000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
