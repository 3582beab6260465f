#include "web/demo.h"

#include <array>
#include <map>
#include <ostream>
#include <random>

#include "storage/attachments.h"

namespace laurel::web {
namespace {

using storage::CommandResult;
using storage::Store;

constexpr engine::Time kHour = 3600;
constexpr engine::Time kDay = 86400;
// 2018-11-05 09:00 +08:00, a Monday.
constexpr engine::Time kStart = 1541379600;

const std::vector<std::pair<std::string, std::string>> kTownships{
    {"620922209", "腰站子东乡族乡"}, {"620922212", "七墩回族东乡族乡"}, {"620922215", "沙河回族乡"},
    {"620922214", "广至藏族乡"}, {"620922213", "双塔乡"}, {"620922216", "梁湖乡"}};

struct Seed {
  const char* category;
  int county;    // named by the county
  int city;      // of those, named by the city too
  int province;  // of those, named by the province too
};

// The seed report: county 6 townships, 32 villages, 2 communities, 20 organs, 6 enterprises,
// 10 schools, 5 hospitals, 2 military camps, 198 families; city 48 units and 145 families; province
// 1 unit and 3 families.
constexpr std::array<Seed, 9> kSeed{{{"township", 6, 4, 1}, {"village", 32, 16, 0}, {"community", 2, 1, 0},
                                     {"organ", 20, 12, 0}, {"enterprise", 6, 3, 0}, {"school", 10, 6, 0},
                                     {"hospital", 5, 4, 0}, {"military", 2, 2, 0}, {"family", 198, 145, 3}}};

const std::vector<std::string> kOrgans{"瓜州县教育局", "瓜州县卫生健康局", "瓜州县交通运输局", "瓜州县民政局", "瓜州县司法局",
                                       "瓜州县公安局", "瓜州县文化和旅游局", "瓜州县农业农村局", "瓜州县人力资源和社会保障局",
                                       "瓜州县财政局", "瓜州县住房和城乡建设局", "瓜州县自然资源局", "瓜州县市场监督管理局",
                                       "瓜州县统计局", "瓜州县林业和草原局", "瓜州县水务局", "瓜州县审计局", "瓜州县商务局",
                                       "瓜州县广播电视台", "瓜州县妇女联合会"};
const std::vector<std::string> kEnterprises{"瓜州县宏丰农业发展有限公司", "瓜州县锁阳城文化旅游有限公司", "甘肃瓜州风电运维有限公司",
                                            "瓜州县蜜瓜产业合作社联合社", "瓜州县玉泉清真食品有限公司", "瓜州县汇通物流有限公司"};
const std::vector<std::string> kSchools{"瓜州县第一中学", "瓜州县第二中学", "瓜州县渊泉小学", "瓜州县东关小学", "瓜州县职业中等专业学校",
                                        "腰站子东乡族乡九年制学校", "七墩回族东乡族乡中心小学", "沙河回族乡中心小学", "广至藏族乡中心小学",
                                        "瓜州县第一幼儿园"};
const std::vector<std::string> kHospitals{"瓜州县人民医院", "瓜州县中医医院", "瓜州县妇幼保健院", "七墩回族东乡族乡卫生院", "沙河回族乡卫生院"};
const std::vector<std::string> kMilitary{"驻瓜部队某部", "瓜州县消防救援大队"};
const std::vector<std::string> kCommunities{"渊泉镇南街社区", "渊泉镇东大街社区"};
const std::vector<std::string> kVillagePrefixes{"团结", "幸福", "和平", "东湖", "西湖", "南岔", "北桥", "新民", "光明", "向阳", "双泉",
                                                "月牙墩", "疙瘩井", "锁阳", "踏实", "桥湾", "河东", "兴隆", "红旗", "建设", "胜利",
                                                "三工", "四工", "五工", "六工", "七工", "八工", "九工", "十工", "沙河", "金河", "玉泉"};
const std::vector<std::string> kSurnames{"马", "李", "王", "张", "赵", "刘", "杨", "韩", "何", "周", "陈", "冶", "拜", "白", "沙", "穆", "阿"};
const std::vector<std::string> kGiven{"玉兰", "建国", "秀英", "志明", "海军", "桂花", "永福", "春梅", "德胜", "文华", "国庆", "凤英",
                                      "尕布", "学军", "丽娟", "有福", "金花", "正清", "卫东", "艳萍"};
const std::vector<std::string> kEthnicMixes{"回族、汉族", "东乡族、汉族", "藏族、汉族", "回族、东乡族", "哈萨克族、汉族", "蒙古族、汉族",
                                            "回族、藏族、汉族", "汉族、裕固族"};

struct Names {
  std::mt19937 rng{2018};
  std::string person() { return kSurnames[rng() % kSurnames.size()] + kGiven[rng() % kGiven.size()]; }
};

std::string unit_name(const std::string& category, int i, Names& names) {
  auto pick = [&](const std::vector<std::string>& v) { return v[static_cast<std::size_t>(i) % v.size()]; };
  if (category == "township") return kTownships[static_cast<std::size_t>(i) % kTownships.size()].second;
  if (category == "village") return kTownships[static_cast<std::size_t>(i) % kTownships.size()].second + pick(kVillagePrefixes) + "村";
  if (category == "community") return pick(kCommunities);
  if (category == "organ") return pick(kOrgans);
  if (category == "enterprise") return pick(kEnterprises);
  if (category == "school") return pick(kSchools);
  if (category == "hospital") return pick(kHospitals);
  if (category == "military") return pick(kMilitary);
  return names.person() + "家庭";
}

std::string summary_for(const std::string& category, const std::string& name) {
  if (category == "family") {
    return name + "各民族成员和睦相处、互帮互助，带头学习宣传党的民族政策，积极参与民族团结进步创建活动，"
                  "在邻里间传承“民族一家亲”的良好家风，多次帮助困难群众解决生产生活难题。";
  }
  return name + "坚持以铸牢中华民族共同体意识为主线，深入开展民族团结进步“八进”活动，"
                "把民族团结进步创建与中心工作同规划、同部署、同考核，各族干部群众交往交流交融不断深化，"
                "示范引领作用明显。";
}

// Small files whose content matches their declared type (the store checks types by content).
std::vector<std::uint8_t> demo_file(const std::string& type, const std::string& label) {
  std::string body;
  if (type == "application/pdf") {
    body = "%PDF-1.4\n% Laurel demo: " + label + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  } else if (type == "image/png") {
    body = std::string("\x89PNG\r\n\x1a\n", 8) + label;
  } else {
    body = std::string("\xFF\xD8\xFF\xE0", 4) + "JFIF demo " + label;
  }
  return {body.begin(), body.end()};
}

class Demo {
 public:
  Demo(Store& store, std::ostream& log) : store_(store), log_(log), files_(store.options().files_folder(), store.options().max_attachment_bytes) {}

  engine::Time now = kStart;

  storage::Caller caller(const std::string& user) {
    auto u = store_.user(user);
    return storage::Caller{engine::Actor{engine::Actor::Kind::person, user, u ? u->roles : std::vector<engine::RoleGrant>{}}, "cli", "127.0.0.1"};
  }

  CommandResult run(const std::string& user, const std::string& id, engine::Command c) {
    storage::CommandRequest r;
    r.caller = caller(user);
    r.nomination_id = id;
    if (!id.empty() && !c.expected_version) {
      if (auto n = store_.nomination(id)) c.expected_version = n->version;
    }
    r.command = std::move(c);
    r.now = now;
    now += 37;
    auto result = store_.execute(std::move(r));
    if (result.status == CommandResult::Status::failed) throw std::runtime_error(result.error);
    return result;
  }

  CommandResult must(const std::string& user, const std::string& id, engine::Command c) {
    std::string action = c.action;
    auto r = run(user, id, std::move(c));
    if (r.status != CommandResult::Status::accepted) {
      throw std::runtime_error("demo: " + user + " " + action + " on " + id + " refused: " +
                               (r.rejection ? r.rejection->detail : std::string("not found")));
    }
    return r;
  }

  static engine::Command action(std::string a) {
    engine::Command c;
    c.action = std::move(a);
    return c;
  }

  std::string create(const std::string& owner, const std::string& category, const std::string& level, int year,
                     const std::string& jurisdiction, const std::string& name, Names& names) {
    engine::Command c = action("create");
    c.category = category;
    c.level = level;
    c.year = year;
    c.jurisdiction = jurisdiction;
    std::map<std::string, std::string> nominee{{"name", name}};
    std::string phone = "139" + std::to_string(93700000 + static_cast<int>(names.rng() % 99999));
    if (category == "family") {
      nominee["ethnic_groups"] = kEthnicMixes[names.rng() % kEthnicMixes.size()];
      nominee["members"] = std::to_string(3 + names.rng() % 5);
      nominee["address"] = "瓜州县" + kTownships[names.rng() % kTownships.size()].second + kVillagePrefixes[names.rng() % kVillagePrefixes.size()] + "村";
      nominee["contact_phone"] = phone;
    } else {
      nominee["contact_person"] = names.person();
      nominee["contact_phone"] = phone;
    }
    c.nominee = nominee;
    c.summary = summary_for(category, name);
    return must(owner, "", c).nomination->id;
  }

  void attach_materials(const std::string& owner, const std::string& id) {
    auto n = store_.nomination(id);
    const auto* cat = store_.catalog().category(n->category);
    for (const auto& m : cat->materials) {
      for (int i = 0; i < std::max(m.min, m.required ? 1 : 0); ++i) {
        auto bytes = demo_file(m.types.front(), id + " " + m.id + " " + std::to_string(i));
        auto stored = files_.put(bytes);
        if (!stored) throw std::runtime_error("demo: " + stored.error().message);
        engine::Command c = action("attach");
        c.attachment = engine::Attachment{m.id, stored->sha256, m.name + std::to_string(i + 1) + (m.types.front() == "application/pdf" ? ".pdf" : ".jpg"),
                                          stored->content_type, stored->size, 0};
        must(owner, id, c);
      }
    }
  }

  void score(const std::vector<std::string>& panel, const std::string& id, Names& names) {
    auto n = store_.nomination(id);
    const auto* cat = store_.catalog().category(n->category);
    for (const auto& p : panel) {
      engine::Command c = action("score");
      for (const auto& ind : cat->indicators) {
        if (ind.veto) continue;
        c.points[ind.id] = ind.max - static_cast<int>(names.rng() % 2 == 0 && ind.max > 10 ? 1 : 0);
      }
      must(p, id, c);
    }
  }

  // Approves `ids` as one notice, lets the window run out, names them in one decision.
  void publicise_and_name(const std::string& approver, const std::vector<std::string>& ids, const std::string& title,
                          const std::string& document_no, const std::string& decision_title) {
    storage::BatchRequest approve;
    approve.caller = caller(approver);
    approve.command = action("approve");
    approve.command.notice_title = title;
    approve.now = now;
    for (const auto& id : ids) approve.items.push_back({id, store_.nomination(id)->version});
    auto a = store_.execute_batch(approve);
    if (!a.accepted) throw std::runtime_error("demo: batch approve refused: " + (a.error.empty() ? describe(a) : a.error));
    auto first = store_.nomination(ids.front());
    now = first->publicity_ends + kHour;
    store_.fire_due_timers(now);
    now += 2 * kDay;
    storage::BatchRequest name;
    name.caller = caller(approver);
    name.command = action("name");
    name.command.document_no = document_no;
    name.command.decision_title = decision_title;
    name.now = now;
    for (const auto& id : ids) name.items.push_back({id, store_.nomination(id)->version});
    auto nm = store_.execute_batch(name);
    if (!nm.accepted) throw std::runtime_error("demo: batch name refused: " + (nm.error.empty() ? describe(nm) : nm.error));
    log_ << "  named " << ids.size() << " in " << document_no << "\n";
  }

  static std::string describe(const storage::BatchResult& r) {
    for (const auto& i : r.items) {
      if (i.rejection) return i.id + ": " + i.rejection->detail;
    }
    return "unknown";
  }

  Store& store_;
  std::ostream& log_;
  storage::AttachmentStore files_;
};

}  // namespace

const std::vector<DemoUser>& demo_users() {
  static const std::vector<DemoUser> users{
      {"gz_unit", "瓜州县民宗局（申报）", "nominator", "620922"},
      {"sh_unit", "沙河回族乡（申报）", "nominator", "620922215"},
      {"gz_reviewer", "瓜州县初审员", "reviewer", "620922"},
      {"gz_panel1", "瓜州县评审专家一", "panelist", "620922"},
      {"gz_panel2", "瓜州县评审专家二", "panelist", "620922"},
      {"gz_panel3", "瓜州县评审专家三", "panelist", "620922"},
      {"gz_approver", "瓜州县创建领导小组", "approver", "620922"},
      {"gz_admin", "瓜州县系统管理员", "admin", "620922"},
      {"jq_reviewer", "酒泉市审核员", "reviewer", "620900"},
      {"jq_panel1", "酒泉市评审专家一", "panelist", "620900"},
      {"jq_panel2", "酒泉市评审专家二", "panelist", "620900"},
      {"jq_panel3", "酒泉市评审专家三", "panelist", "620900"},
      {"jq_approver", "酒泉市创建领导小组", "approver", "620900"},
      {"gs_reviewer", "甘肃省审核员", "reviewer", "620000"},
      {"gs_panel1", "甘肃省评审专家一", "panelist", "620000"},
      {"gs_panel2", "甘肃省评审专家二", "panelist", "620000"},
      {"gs_panel3", "甘肃省评审专家三", "panelist", "620000"},
      {"gs_approver", "甘肃省民族团结进步创建领导小组", "approver", "620000"},
      {"auditor", "纪检监察审计员", "auditor", "620000"},
      {"dh_reviewer", "敦煌市初审员", "reviewer", "620982"},
  };
  return users;
}

std::expected<int, std::string> run_demo(Store& store, const std::string& password, std::ostream& log) {
  try {
    {
      storage::ListQuery any;
      any.per_page = 1;
      if (store.list(any, engine::Actor::system_actor()).total > 0) {
        return std::unexpected("the database already holds nominations; the demo needs an empty one");
      }
    }
    Demo d(store, log);
    storage::Caller admin{engine::Actor{engine::Actor::Kind::person, "admin", {{"admin", store.catalog().tree().root().code}}}, "cli", ""};
    for (const auto& u : demo_users()) {
      if (store.user(u.username)) continue;
      auto r = store.create_user(admin, storage::User{u.username, u.display_name, false, {{u.role, u.jurisdiction}}}, password, d.now);
      if (!r.ok()) return std::unexpected("creating " + u.username + ": " + (r.rejection ? r.rejection->detail : r.error));
    }
    for (const auto& [level, office, limit] : std::vector<std::tuple<std::string, std::string, int>>{
             {"county", "620922", 198}, {"city", "620900", 145}, {"province", "620000", 3}}) {
      store.set_quota(admin, storage::Quota{office, level, "family", 2018, limit, 0}, d.now);
    }

    Names names;
    std::vector<std::string> county_panel{"gz_panel1", "gz_panel2", "gz_panel3"};
    std::map<std::string, std::vector<std::string>> by_category;
    int total = 0;
    log << "county: creating and reviewing 2018 nominations\n";
    for (const auto& seed : kSeed) {
      for (int i = 0; i < seed.county; ++i) {
        std::string category = seed.category;
        std::string jurisdiction = category == "township" ? kTownships[static_cast<std::size_t>(i) % kTownships.size()].first
                                   : (category == "village" || category == "family")
                                       ? kTownships[static_cast<std::size_t>(i) % kTownships.size()].first
                                       : "620922";
        std::string id = d.create("gz_unit", category, "county", 2018, jurisdiction, unit_name(category, i, names), names);
        d.attach_materials("gz_unit", id);
        d.must("gz_unit", id, Demo::action("submit"));
        d.must("gz_reviewer", id, Demo::action("accept"));
        d.score(county_panel, id, names);
        d.must("gz_reviewer", id, Demo::action("close_evaluation"));
        by_category[category].push_back(id);
        ++total;
      }
    }
    std::vector<std::string> county_ids;
    for (const auto& seed : kSeed) for (const auto& id : by_category[seed.category]) county_ids.push_back(id);
    d.now += kDay;
    d.publicise_and_name("gz_approver", county_ids, "2018年度瓜州县民族团结进步示范单位和示范家庭拟命名公示", "瓜民团发〔2019〕3号",
                         "关于命名2018年度全县民族团结进步示范单位和示范家庭的决定");

    log << "city: recommended by the county, reviewed by 酒泉市\n";
    std::vector<std::string> city_ids;
    std::vector<std::string> city_panel{"jq_panel1", "jq_panel2", "jq_panel3"};
    for (const auto& seed : kSeed) {
      for (int i = 0; i < seed.city; ++i) {
        auto r = d.must("gz_reviewer", by_category[seed.category][static_cast<std::size_t>(i)], Demo::action("recommend"));
        std::string child = r.opened.front().id;
        d.must("jq_reviewer", child, Demo::action("accept"));
        d.score(city_panel, child, names);
        d.must("jq_reviewer", child, Demo::action("close_evaluation"));
        city_ids.push_back(child);
        ++total;
      }
    }
    d.now += kDay;
    d.publicise_and_name("jq_approver", city_ids, "2018年度酒泉市民族团结进步示范单位和示范家庭拟命名公示", "酒民团发〔2019〕8号",
                         "关于命名2018年度全市民族团结进步示范单位和示范家庭的决定");

    log << "province: recommended by the city, reviewed by 甘肃省\n";
    std::vector<std::string> province_ids;
    std::vector<std::string> province_panel{"gs_panel1", "gs_panel2", "gs_panel3"};
    std::size_t offset = 0;
    for (const auto& seed : kSeed) {
      for (int i = 0; i < seed.province; ++i) {
        auto r = d.must("jq_reviewer", city_ids[offset + static_cast<std::size_t>(i)], Demo::action("recommend"));
        std::string child = r.opened.front().id;
        d.must("gs_reviewer", child, Demo::action("accept"));
        d.score(province_panel, child, names);
        d.must("gs_reviewer", child, Demo::action("close_evaluation"));
        province_ids.push_back(child);
        ++total;
      }
      offset += static_cast<std::size_t>(seed.city);
    }
    d.now += kDay;
    d.publicise_and_name("gs_approver", province_ids, "2018年度甘肃省民族团结进步示范单位和示范家庭拟命名公示", "甘民宗发〔2019〕15号",
                         "关于命名2018年度全省民族团结进步示范单位和示范家庭的决定");

    log << "2019: work in progress\n";
    d.now = 1573520400;  // 2019-11-12 09:00 +08:00
    std::string draft = d.create("sh_unit", "family", "county", 2019, "620922215", "马有福家庭", names);
    (void)draft;
    std::string submitted = d.create("sh_unit", "village", "county", 2019, "620922215", "沙河回族乡金河村", names);
    d.attach_materials("sh_unit", submitted);
    d.must("sh_unit", submitted, Demo::action("submit"));
    std::string returned = d.create("gz_unit", "school", "county", 2019, "620922", "瓜州县第三中学", names);
    d.attach_materials("gz_unit", returned);
    d.must("gz_unit", returned, Demo::action("submit"));
    engine::Command ret = Demo::action("return");
    ret.comment = "请补充学校民族团结教育课程安排表。";
    d.must("gz_reviewer", returned, ret);
    std::string scoring = d.create("gz_unit", "enterprise", "county", 2019, "620922", "瓜州县丝路商贸有限公司", names);
    d.attach_materials("gz_unit", scoring);
    d.must("gz_unit", scoring, Demo::action("submit"));
    d.must("gz_reviewer", scoring, Demo::action("accept"));
    d.score({"gz_panel1"}, scoring, names);
    total += 4;
    log << "done: " << total << " nominations, " << store.log_size() << " audit records\n";
    return total;
  } catch (const std::exception& e) {
    return std::unexpected(e.what());
  }
}

}  // namespace laurel::web
