// Server-side rendering time of the pages, through the same Pages::handle the server calls (no
// socket): a reviewer's list of 50 nominations, one nomination's page, the naming decision of 281,
// the publicity notice, the audit trail and the certificates of a decision. The database is the real
// demo (`laurel demo`: the seed county's 2018 figures run through the workflow), made once in a
// temporary folder. Prints each page's size too, to keep an eye on the 100 KB budget.
// Reproduce: build/release/tests/pages_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <iostream>
#include <regex>
#include <sstream>

#include "web/api.h"
#include "web/catalog_files.h"
#include "web/clock.h"
#include "web/demo.h"
#include "web/pages.h"

namespace {
using namespace laurel;

constexpr const char* kPassword = "pages-bench-demo-password";

struct Site {
  std::filesystem::path dir;
  engine::Catalog catalog;
  std::unique_ptr<storage::Store> store;
  web::Clock clock;
  std::unique_ptr<web::Api> api;
  std::unique_ptr<web::Pages> pages;
  std::map<std::string, std::string> cookies;
  std::string family_id, decision, notice;

  Site() : dir(std::filesystem::temp_directory_path() / ("laurel-pages-bench-" + std::to_string(::getpid()))), catalog(load()) {
    std::filesystem::create_directories(dir);
    storage::Options o;
    o.db_path = (dir / "laurel.db").string();
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto made = storage::Store::init(o, catalog, {}, "laurel-root-bench-2018", now);
    if (!made) fail("init: " + made.error().message);
    auto opened = storage::Store::open(o, catalog);
    if (!opened) fail("open: " + opened.error().message);
    store = std::move(*opened);
    std::ostringstream log;
    if (auto r = web::run_demo(*store, kPassword, log); !r) fail("demo: " + r.error());
    api = std::make_unique<web::Api>(*store, clock, web::ApiConfig{});
    pages = std::make_unique<web::Pages>(*store, *api, clock);
    decision = "/decisions/%E7%93%9C%E6%B0%91%E5%9B%A2%E5%8F%91%E3%80%942019%E3%80%953%E5%8F%B7";  // 瓜民团发〔2019〕3号
    storage::ListQuery q;
    q.category = "family";
    q.level = "county";
    q.state = "named";
    q.per_page = 1;
    family_id = store->list(q, engine::Actor::system_actor()).items.at(0).id;
    notice = "/notices/" + store->nomination(family_id)->notice_id;
  }
  ~Site() {
    pages.reset();
    api.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  static engine::Catalog load() {
    auto c = web::load_catalog(LAUREL_WORKFLOWS_DIR);
    if (!c) fail("the workflows folder does not load");
    return std::move(*c);
  }
  [[noreturn]] static void fail(const std::string& what) {
    std::cerr << "pages_bench: " << what << "\n";
    std::exit(1);
  }

  const std::string& cookie(const std::string& user) {
    auto& c = cookies[user];
    if (c.empty()) {
      web::Request r;
      r.method = "POST";
      r.target = r.path = "/login";
      r.headers["content-type"] = "application/x-www-form-urlencoded";
      r.body = "username=" + user + "&password=" + kPassword;
      r.client_address = "127.0.0.1";
      auto resp = pages->handle(r);
      for (const auto& [k, v] : resp.headers) if (k == "Set-Cookie" && v.starts_with("laurel_session=")) c = v.substr(0, v.find(';'));
      if (c.empty()) fail("sign-in of " + user + " failed: " + std::to_string(resp.status));
    }
    return c;
  }

  web::Response get(const std::string& target, const std::string& user) {
    web::Request r;
    r.method = "GET";
    r.target = target;
    web::parse_target(target, r.path, r.query);
    if (!user.empty()) r.headers["cookie"] = cookie(user);
    r.client_address = "127.0.0.1";
    return pages->handle(r);
  }
};

Site& site() {
  static Site s;
  return s;
}

void page(benchmark::State& state, const std::string& target, const std::string& user) {
  auto& s = site();
  auto first = s.get(target, user);
  if (first.status != 200) {
    state.SkipWithError(("status " + std::to_string(first.status) + " for " + target).c_str());
    return;
  }
  std::size_t rows = 0;
  for (std::size_t at = first.body.find("<tr"); at != std::string::npos; at = first.body.find("<tr", at + 3)) ++rows;
  for (auto _ : state) {
    auto r = s.get(target, user);
    benchmark::DoNotOptimize(r.body.data());
  }
  state.counters["html_kb"] = static_cast<double>(first.body.size()) / 1024.0;
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_List50(benchmark::State& st) { page(st, "/nominations?per_page=50", "gz_reviewer"); }
void BM_List50Filtered(benchmark::State& st) { page(st, "/nominations?per_page=50&category=family&year=2018&state=named", "gz_reviewer"); }
void BM_Nomination(benchmark::State& st) { page(st, "/nominations/" + site().family_id, "gz_reviewer"); }
void BM_Home(benchmark::State& st) { page(st, "/", "gz_reviewer"); }
void BM_Notice(benchmark::State& st) { page(st, site().notice, ""); }
void BM_Decision281(benchmark::State& st) { page(st, site().decision, ""); }
void BM_Audit(benchmark::State& st) { page(st, "/audit", "auditor"); }
void BM_Stats(benchmark::State& st) { page(st, "/stats?year=2018", "gz_reviewer"); }

BENCHMARK(BM_List50)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_List50Filtered)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Nomination)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Home)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Notice)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Decision281)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Audit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Stats)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
