#include "web/api.h"

#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include <sys/statvfs.h>

#include <cstring>

#include <array>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "engine/administration.h"
#include "storage/audit_export.h"
#include "storage/audit_proofs.h"
#include "storage/canonical_json.h"
#include "storage/merkle.h"
#include "web/api_json.h"
#include "web/backups.h"
#include "web/documents_api.h"

namespace laurel::web {
namespace bj = boost::json;
using engine::Time;

namespace {

using storage::sha256_hex;



// A sliding-window counter per key, for login throttling and objection rate limits.
class RateLimiter {
 public:
  // Records an event; true when the key had fewer than `limit` events within `window` before it.
  bool hit(const std::string& key, Time now, int limit, Time window) {
    std::lock_guard lock(mu_);
    auto& q = events_[key];
    while (!q.empty() && q.front() <= now - window) q.pop_front();
    if (static_cast<int>(q.size()) >= limit) return false;
    q.push_back(now);
    return true;
  }
  bool blocked(const std::string& key, Time now, int limit, Time window) {
    std::lock_guard lock(mu_);
    auto it = events_.find(key);
    if (it == events_.end()) return false;
    auto& q = it->second;
    while (!q.empty() && q.front() <= now - window) q.pop_front();
    return static_cast<int>(q.size()) >= limit;
  }
  void clear(const std::string& key) {
    std::lock_guard lock(mu_);
    events_.erase(key);
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Time>> events_;
};

using Auth = Identity;

bj::value user_json(const storage::User& u) {
  bj::array roles;
  for (const auto& g : u.roles) roles.push_back(bj::object{{"role", g.role}, {"jurisdiction", g.jurisdiction}});
  return bj::object{{"username", u.username}, {"display_name", u.display_name}, {"disabled", u.disabled}, {"roles", roles}};
}

bj::value jurisdiction_json(const engine::JurisdictionTree& tree, int index) {
  const auto& j = tree.all()[static_cast<std::size_t>(index)];
  bj::array children;
  for (int c : j.children) children.push_back(jurisdiction_json(tree, c));
  return bj::object{{"code", j.code}, {"name", j.name}, {"name_en", j.name_en}, {"level", j.level}, {"children", children}};
}

Response not_found() { return problem(404, "not_found", "Not found", "no such resource"); }
Response unauthenticated() { return problem(401, "unauthenticated", "Sign-in required", "sign in or send a bearer token"); }
Response forbidden(std::string_view detail) { return problem(403, "forbidden", "Forbidden", detail); }
Response method_not_allowed() { return problem(405, "method_not_allowed", "Method not allowed", "this resource does not take that method"); }
Response unavailable(std::string_view detail) { return problem(503, "unavailable", "Service unavailable", detail); }

// Reads role grants from a JSON array: [{"role", "jurisdiction"}].
std::optional<std::vector<engine::RoleGrant>> read_grants(const bj::array* arr, BodyReader& body) {
  if (!arr) return std::nullopt;
  std::vector<engine::RoleGrant> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& v = (*arr)[i];
    std::string field = "roles[" + std::to_string(i) + "]";
    if (!v.is_object()) { body.error(field, "must be an object {role, jurisdiction}"); continue; }
    const auto& o = v.get_object();
    auto r = o.if_contains("role");
    auto j = o.if_contains("jurisdiction");
    if (!r || !r->is_string() || !j || !j->is_string() || o.size() != 2) { body.error(field, "must be {role, jurisdiction} strings"); continue; }
    out.push_back({std::string(r->get_string()), std::string(j->get_string())});
  }
  return out;
}

std::string merkle_leaf_hex(const std::string& bytes) {
  auto h = storage::merkle::leaf_hash(std::string_view(bytes));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (auto c : h) { out.push_back(hex[c >> 4]); out.push_back(hex[c & 15]); }
  return out;
}

}  // namespace

struct Api::Impl {
  Impl(storage::Store& s, Clock& c, ApiConfig cfg)
      : store(s), catalog(s.catalog()), clock(c), config(cfg),
        files(s.options().files_folder(), s.options().max_attachment_bytes), documents(s) {}

  storage::Store& store;
  const engine::Catalog& catalog;
  Clock& clock;
  ApiConfig config;
  storage::AttachmentStore files;
  RateLimiter login_account, login_address, objections;
  const Time started_at = std::time(nullptr);
  DocumentsApi documents;  // exports, imports, PDFs, verification codes (web/documents_api.h)

  // Metrics.
  std::mutex metrics_mu;
  std::map<std::pair<std::string, int>, std::uint64_t> requests;  // (route, status) -> count
  std::array<std::uint64_t, 12> latency_buckets{};
  double latency_sum = 0;
  std::uint64_t latency_count = 0;

  // Who a bearer token or session cookie stands for, remembered for a few seconds so that a request
  // does not cost a hash and two SQLite reads: an entry is used only while Store::auth_generation()
  // is the one read before its lookup, so a logout, a disabled user or a changed role applies to the
  // next request. Only successful lookups are kept; the key is the secret's SHA-256.
  struct CachedAuth {
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point until;
    Auth auth;
    Time created_at = 0, last_seen = 0;  // sessions: their expiry is checked on every use
  };
  static constexpr auto kAuthTtl = std::chrono::seconds(5);
  static constexpr std::size_t kAuthCacheMax = 10000;
  std::mutex auth_mu;
  std::unordered_map<std::string, CachedAuth> auth_cache;

  static std::string auth_key(char kind, std::string_view secret) {
    std::string key(1 + crypto_hash_sha256_BYTES, kind);
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(key.data() + 1), reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    return key;
  }
  std::optional<CachedAuth> cached_auth(const std::string& key, std::uint64_t generation) {
    std::lock_guard lock(auth_mu);
    auto it = auth_cache.find(key);
    if (it == auth_cache.end()) return std::nullopt;
    if (it->second.generation != generation || std::chrono::steady_clock::now() >= it->second.until) {
      auth_cache.erase(it);
      return std::nullopt;
    }
    return it->second;
  }
  void remember_auth(std::string key, CachedAuth entry) {
    entry.until = std::chrono::steady_clock::now() + kAuthTtl;
    std::lock_guard lock(auth_mu);
    if (auth_cache.size() >= kAuthCacheMax) auth_cache.clear();
    auth_cache.insert_or_assign(std::move(key), std::move(entry));
  }

  // GET one nomination, as built for one viewer from one version: the body and its ETag are kept
  // (a few thousand at most), so that a repeated read costs one SQLite lookup of the version instead
  // of decoding the snapshot, building and serialising the JSON and hashing it. Kept only when the
  // body depends on nothing but the nomination's version and the viewer's name and roles (objection
  // contacts come from another table, so a nomination that shows one is never kept).
  struct CachedBody {
    std::int64_t version = 0;
    std::uint64_t commits = 0;  // commit_count() read before the version was
    std::string body, etag;
  };
  // Moves on with every commit batch (or failed one, whose outcome may be unknown), before any of
  // its callers is answered: while it stands still the database has not changed, so a kept body is
  // still right without even looking up its version.
  std::uint64_t commit_count() const {
    auto c = store.counters();
    return c.batches + c.failures;
  }
  static constexpr std::size_t kBodyCacheMax = 2048;
  std::mutex body_mu;
  std::unordered_map<std::string, CachedBody> body_cache;

  Response nomination_get(const std::string& id, const Auth& a) {
    std::string key = id;
    key += '\0';
    key += a.actor.user;
    for (const auto& g : a.actor.roles) {
      key += '\0';
      key += g.role;
      key += '/';
      key += g.jurisdiction;
    }
    std::int64_t known = -1;
    std::optional<CachedBody> hit;
    const std::uint64_t commits = commit_count();  // before the lookup
    {
      std::lock_guard lock(body_mu);
      if (auto it = body_cache.find(key); it != body_cache.end()) {
        if (it->second.commits == commits) {
          Response out;
          out.body = it->second.body;
          out.set_header("ETag", it->second.etag);
          return out;
        }
        hit = it->second;
        known = it->second.version;
      }
    }
    auto n = store.nomination_unless(id, known);
    if (!n) return not_found();
    if (hit && n->version == known && n->state.empty()) {
      Response out;
      out.body = hit->body;
      out.set_header("ETag", hit->etag);
      std::lock_guard lock(body_mu);
      if (auto it = body_cache.find(key); it != body_cache.end() && it->second.version == known) {
        it->second.commits = std::max(it->second.commits, commits);
      }
      return out;
    }
    if (!engine::may_see(*n, a.actor, catalog.tree())) return not_found();
    Response out = json_response(200, nomination_json(*n, a.actor, catalog, &store));
    std::string etag = body_etag(out.body);
    bool keep = std::none_of(n->objections.begin(), n->objections.end(), [](const auto& o) { return o.has_contact; });
    if (keep) {
      std::lock_guard lock(body_mu);
      if (body_cache.size() >= kBodyCacheMax) body_cache.clear();
      body_cache.insert_or_assign(std::move(key), CachedBody{n->version, commits, out.body, etag});
    }
    out.set_header("ETag", std::move(etag));
    return out;
  }

  static std::string body_etag(const std::string& body) { return "\"" + sha256_hex(body).substr(0, 32) + "\""; }

  Auth authenticate(const Request& r, Time now) {
    Auth a;
    const std::uint64_t generation = store.auth_generation();  // before any lookup
    std::string authz = r.header("authorization");
    if (authz.size() > 7 && (authz.compare(0, 7, "Bearer ") == 0 || authz.compare(0, 7, "bearer ") == 0)) {
      std::string key = auth_key('t', std::string_view(authz).substr(7));
      if (auto hit = cached_auth(key, generation)) return hit->auth;
      if (auto user = store.find_token(authz.substr(7))) {
        if (auto u = store.user(*user); u && !u->disabled) {
          a.authenticated = true;
          a.actor = engine::Actor{engine::Actor::Kind::person, u->username, u->roles};
          a.method = "token";
          remember_auth(std::move(key), CachedAuth{generation, {}, a, 0, 0});
        }
      }
      return a;
    }
    std::string token = cookie_value(r.header("cookie"), "laurel_session");
    if (token.empty()) return a;
    std::string key = auth_key('s', token);
    if (auto hit = cached_auth(key, generation)) {
      // Expired, or due for its once-a-minute touch: ask the store.
      bool live = now - hit->last_seen <= config.session_idle && now - hit->created_at <= config.session_absolute;
      if (live && now - hit->last_seen < 60) return hit->auth;
    }
    auto s = store.find_session(token, now, config.session_idle, config.session_absolute);
    if (!s) return a;
    auto u = store.user(s->username);
    if (!u || u->disabled) return a;
    a.authenticated = true;
    a.actor = engine::Actor{engine::Actor::Kind::person, u->username, u->roles};
    a.method = "session";
    a.csrf = s->csrf;
    a.session_token = token;
    remember_auth(std::move(key), CachedAuth{generation, {}, a, s->created_at, s->last_seen});
    return a;
  }

  storage::Caller caller(const Auth& a, const Request& r) { return storage::Caller{a.actor, a.method, r.client_address}; }

  std::string session_cookie(const std::string& token, bool secure, Time max_age) {
    std::string c = "laurel_session=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
    if (secure) c += "; Secure";
    return c;
  }

  Response handle(const Request& r);
  Response session(const Request& r, const Auth& a, Time now);
  std::expected<std::pair<std::string, std::string>, Response> sign_in(const Request& r, const std::string& username,
                                                                       const std::string& password, Time now);
  Response nominations(const Request& r, const Auth& a, Time now, const std::vector<std::string>& p);
  Response run_command(const Request& r, const Auth& a, Time now, const std::string& id, engine::Command cmd, int ok_status);
  Response batch(const Request& r, const Auth& a, Time now);
  Response users(const Request& r, const Auth& a, Time now, const std::vector<std::string>& p);
  Response quotas(const Request& r, const Auth& a, Time now);
  Response public_notices(const Request& r, Time now, const std::vector<std::string>& p);
  Response stats(const Request& r, const Auth& a);
  Response audit(const Request& r, const Auth& a, Time now, const std::vector<std::string>& p);
  Response dev_clock(const Request& r, const Auth& a);
  Response metrics_text();
  Response render_result(const storage::CommandResult& result, const Auth& a, int ok_status);
  std::optional<Response> parse_action_data(const std::string& action, const bj::object* data, engine::Command& cmd);
};

Api::Api(storage::Store& store, Clock& clock, ApiConfig config) : impl_(std::make_unique<Impl>(store, clock, config)) {}
Api::~Api() = default;
const ApiConfig& Api::config() const { return impl_->config; }
storage::AttachmentStore& Api::attachments() { return impl_->files; }

Response Api::handle(const Request& r) { return impl_->handle(r); }
Identity Api::authenticate(const Request& r) { return impl_->authenticate(r, impl_->clock.now()); }
std::expected<std::pair<std::string, std::string>, Response> Api::sign_in(const Request& r, const std::string& username,
                                                                         const std::string& password) {
  return impl_->sign_in(r, username, password, impl_->clock.now());
}

void Api::observe(const Request& request, const Response& response, double seconds) {
  static const std::array<double, 12> bounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  std::lock_guard lock(impl_->metrics_mu);
  impl_->requests[{response.route.empty() ? "other" : response.route, response.status}] += 1;
  for (std::size_t i = 0; i < bounds.size(); ++i) if (seconds <= bounds[i]) impl_->latency_buckets[i] += 1;
  impl_->latency_sum += seconds;
  impl_->latency_count += 1;
  (void)request;
}

Response Api::Impl::metrics_text() {
  static const std::array<const char*, 12> bounds{"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "5"};
  std::ostringstream o;
  std::lock_guard lock(metrics_mu);
  o << "# HELP laurel_http_requests_total HTTP requests by route and status.\n# TYPE laurel_http_requests_total counter\n";
  for (const auto& [k, v] : requests) o << "laurel_http_requests_total{route=\"" << k.first << "\",status=\"" << k.second << "\"} " << v << "\n";
  o << "# HELP laurel_http_request_duration_seconds Time to answer a request.\n# TYPE laurel_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < bounds.size(); ++i) o << "laurel_http_request_duration_seconds_bucket{le=\"" << bounds[i] << "\"} " << latency_buckets[i] << "\n";
  o << "laurel_http_request_duration_seconds_bucket{le=\"+Inf\"} " << latency_count << "\n";
  o << "laurel_http_request_duration_seconds_sum " << latency_sum << "\nlaurel_http_request_duration_seconds_count " << latency_count << "\n";
  auto c = store.counters();
  o << "# HELP laurel_commit_batches_total Group commits.\n# TYPE laurel_commit_batches_total counter\nlaurel_commit_batches_total " << c.batches << "\n";
  o << "# HELP laurel_committed_jobs_total Commands and records committed.\n# TYPE laurel_committed_jobs_total counter\nlaurel_committed_jobs_total " << c.commands << "\n";
  o << "# HELP laurel_commit_failures_total Commit batches that failed (I/O).\n# TYPE laurel_commit_failures_total counter\nlaurel_commit_failures_total " << c.failures << "\n";
  o << "# HELP laurel_commit_seconds_total Time spent in commit batches.\n# TYPE laurel_commit_seconds_total counter\nlaurel_commit_seconds_total " << static_cast<double>(c.commit_micros) / 1e6 << "\n";
  o << "# HELP laurel_wal_pages_total Pages the commits wrote to the WAL.\n# TYPE laurel_wal_pages_total counter\nlaurel_wal_pages_total " << c.wal_pages << "\n";
  o << "# HELP laurel_wal_restarts_total Times the WAL started over from its beginning after a checkpoint.\n# TYPE laurel_wal_restarts_total counter\nlaurel_wal_restarts_total " << c.wal_restarts << "\n";
  o << "# HELP laurel_wal_syncs_total Syncs of the WAL, each making every commit written before it durable.\n# TYPE laurel_wal_syncs_total counter\nlaurel_wal_syncs_total " << c.wal_syncs << "\n";
  o << "# HELP laurel_last_batch_size Jobs in the last commit batch.\n# TYPE laurel_last_batch_size gauge\nlaurel_last_batch_size " << c.last_batch << "\n";
  o << "# HELP laurel_audit_log_records Records in the audit log.\n# TYPE laurel_audit_log_records gauge\nlaurel_audit_log_records " << store.log_size() << "\n";
  o << "# HELP laurel_commit_duration_seconds Time to commit one batch (SQLite transaction and fsync).\n# TYPE laurel_commit_duration_seconds histogram\n";
  for (std::size_t i = 0; i < c.commit_buckets.size(); ++i) {
    o << "laurel_commit_duration_seconds_bucket{le=\"" << storage::Store::Counters::kCommitBuckets[i] << "\"} " << c.commit_buckets[i] << "\n";
  }
  o << "laurel_commit_duration_seconds_bucket{le=\"+Inf\"} " << c.batches << "\nlaurel_commit_duration_seconds_sum "
    << static_cast<double>(c.commit_micros) / 1e6 << "\nlaurel_commit_duration_seconds_count " << c.batches << "\n";
  o << "# HELP laurel_build_info The running version.\n# TYPE laurel_build_info gauge\nlaurel_build_info{version=\"" << config.version << "\"} 1\n";
  o << "# HELP laurel_start_time_seconds When the server started (Unix time).\n# TYPE laurel_start_time_seconds gauge\nlaurel_start_time_seconds " << started_at << "\n";
  if (auto cp = store.audit().latest_checkpoint(); cp && cp->size > 0) {
    o << "# HELP laurel_checkpoint_timestamp_seconds When the latest checkpoint of the audit log was signed (Unix time).\n"
         "# TYPE laurel_checkpoint_timestamp_seconds gauge\nlaurel_checkpoint_timestamp_seconds " << cp->at << "\n";
    o << "# HELP laurel_checkpoint_size Records covered by the latest signed checkpoint.\n# TYPE laurel_checkpoint_size gauge\nlaurel_checkpoint_size " << cp->size << "\n";
  }
  const auto& db_path = store.options().db_path;
  std::error_code ec;
  auto folder = std::filesystem::absolute(db_path, ec).parent_path();
  if (struct statvfs v; ::statvfs(folder.c_str(), &v) == 0) {
    o << "# HELP laurel_data_free_bytes Free space for the service in the data folder's file system.\n# TYPE laurel_data_free_bytes gauge\nlaurel_data_free_bytes "
      << static_cast<double>(v.f_bavail) * static_cast<double>(v.f_frsize) << "\n";
    o << "# HELP laurel_data_size_bytes Size of the data folder's file system.\n# TYPE laurel_data_size_bytes gauge\nlaurel_data_size_bytes "
      << static_cast<double>(v.f_blocks) * static_cast<double>(v.f_frsize) << "\n";
  }
  {
    auto size = std::filesystem::file_size(db_path, ec);
    auto wal = std::filesystem::file_size(db_path + "-wal", ec);
    if (ec) wal = 0;
    o << "# HELP laurel_database_bytes Size of the database file and its write-ahead log.\n# TYPE laurel_database_bytes gauge\nlaurel_database_bytes " << size + wal << "\n";
  }
  if (auto backup = read_backup_status(db_path)) {
    o << "# HELP laurel_last_backup_timestamp_seconds When the last verified backup (laurel backup --dir) finished (Unix time).\n"
         "# TYPE laurel_last_backup_timestamp_seconds gauge\nlaurel_last_backup_timestamp_seconds " << backup->first << "\n";
    o << "# HELP laurel_last_backup_records Audit records in the last verified backup.\n# TYPE laurel_last_backup_records gauge\nlaurel_last_backup_records " << backup->second << "\n";
  }
  if (auto due = store.next_due()) o << "# HELP laurel_next_timer_seconds When the next system action falls due (Unix time).\n# TYPE laurel_next_timer_seconds gauge\nlaurel_next_timer_seconds " << *due << "\n";
  Response resp;
  resp.content_type = "text/plain; version=0.0.4";
  resp.body = o.str();
  return resp;
}

Response Api::Impl::handle(const Request& r) {
  Time now = clock.now();
  auto p = split_path(r.path);
  Response resp;
  if (r.path == "/healthz") {
    resp.route = "healthz";
    if (!store.ping()) return unavailable("the database cannot be read or written");
    resp.content_type = "text/plain";
    resp.body = "ok";
    return resp;
  }
  if (r.path == "/metrics") {
    resp = metrics_text();
    resp.route = "metrics";
    return resp;
  }
  if (p.size() < 2 || p[0] != "api" || p[1] != "v1") return not_found();
  p.erase(p.begin(), p.begin() + 2);
  if (p.empty()) return not_found();

  Auth auth = authenticate(r, now);
  // CSRF: a cookie session must send the token on every request that changes state.
  bool changes = r.method != "GET" && r.method != "HEAD";
  bool login = p.size() == 1 && p[0] == "session" && r.method == "POST";
  if (changes && auth.method == "session" && !login && r.header("x-csrf-token") != auth.csrf) {
    Response f = problem(403, "csrf_failed", "CSRF check failed", "send the X-CSRF-Token header given at sign-in");
    f.route = p[0];
    return f;
  }
  const std::string& root = p[0];
  Response out;
  if (root == "session") out = session(r, auth, now);
  else if (root == "tokens") {
    if (!auth.authenticated) out = unauthenticated();
    else if (r.method != "POST") out = method_not_allowed();
    else {
      BodyReader body(r.body);
      auto name = body.str("name", true, 100);
      body.only({"name"});
      if (!body.ok()) out = validation_problem(body.errors());
      else {
        auto t = store.create_token(caller(auth, r), *name, now);
        out = t ? json_response(201, bj::object{{"token", *t}, {"name", *name}}) : unavailable(t.error().message);
      }
    }
  } else if (root == "nominations") out = nominations(r, auth, now, p);
  else if (root == "batch-actions") out = batch(r, auth, now);
  else if (root == "users") out = users(r, auth, now, p);
  else if (root == "quotas") out = quotas(r, auth, now);
  else if (root == "jurisdictions" && p.size() == 1) out = json_response(200, jurisdiction_json(catalog.tree(), 0));
  else if (root == "categories" && p.size() == 1) {
    bj::array cats;
    for (const auto& c : catalog.categories()) {
      bj::array mats, inds, fields;
      for (const auto& m : c.materials) {
        bj::array types;
        for (const auto& t : m.types) types.push_back(bj::value(t));
        mats.push_back(bj::object{{"id", m.id}, {"name", m.name}, {"name_en", m.name_en}, {"required", m.required}, {"min", m.min}, {"max", m.max}, {"types", types}});
      }
      for (const auto& i : c.indicators) {
        bj::object o{{"id", i.id}, {"name", i.name}, {"name_en", i.name_en}, {"max", i.max}};
        if (i.veto) o["veto"] = true;
        inds.push_back(o);
      }
      for (const auto& f : c.nominee_fields) {
        fields.push_back(bj::object{{"id", f.id}, {"name", f.name}, {"name_en", f.name_en}, {"required", f.required}, {"max_length", f.max_length}, {"personal", f.personal}});
      }
      cats.push_back(bj::object{{"id", c.id}, {"name", c.name}, {"name_en", c.name_en}, {"kind", c.kind}, {"materials", mats},
                                {"indicators", inds}, {"pass_mark", c.pass_mark}, {"nominee_fields", fields},
                                {"summary_max_length", c.summary_max_length}});
    }
    out = json_response(200, cats);
  } else if (root == "workflows" && p.size() == 1) {
    bj::array defs;
    for (const auto* d : catalog.definitions()) {
      bj::array states, actions;
      for (const auto& s : d->states) states.push_back(bj::object{{"id", s.id}, {"name", s.name}, {"name_en", s.name_en}, {"terminal", s.terminal}});
      for (const auto& a : d->actions) {
        bj::array from;
        for (int f : a.from) from.push_back(bj::value(d->state(f).id));
        bj::array to;
        if (a.to >= 0) to.push_back(bj::value(d->state(a.to).id));
        for (const auto& b : a.branches) to.push_back(bj::value(d->state(b.to).id));
        actions.push_back(bj::object{{"id", a.id}, {"name", a.name}, {"name_en", a.name_en}, {"from", from}, {"to", to},
                                     {"stay", a.stay}, {"role", engine::to_string(a.role) == "public_" ? "public" : std::string(engine::to_string(a.role))}});
      }
      defs.push_back(bj::object{{"id", d->id}, {"version", d->version}, {"name", d->name}, {"name_en", d->name_en},
                                {"target_level", d->target_level}, {"states", states}, {"actions", actions}});
    }
    out = json_response(200, defs);
  } else if (root == "public") out = public_notices(r, now, p);
  else if (root == "decisions" && p.size() == 2) {
    auto d = store.decision(p[1]);
    if (!d) out = not_found();
    else {
      bj::array noms;
      for (const auto& n : d->nominations) {
        noms.push_back(bj::object{{"id", n.id}, {"name", n.nominee.contains("name") ? n.nominee.at("name") : ""}, {"category", n.category}, {"state", n.state}});
      }
      out = json_response(200, bj::object{{"document_no", d->document_no}, {"title", d->title}, {"office", d->office}, {"level", d->level},
                                          {"named_at", engine::format_rfc3339(d->named_at)}, {"nominations", noms}});
    }
  } else if (root == "stats") out = stats(r, auth);
  else if (root == "audit") out = audit(r, auth, now, p);
  else if (root == "dev" && p.size() == 2 && p[1] == "clock" && config.dev_clock) out = dev_clock(r, auth);
  else if (auto d = documents.handle(r, auth, now, p)) out = std::move(*d);
  else out = not_found();
  out.route = root;
  out.user = auth.actor.user;
  // ETag on GETs: a client that has this body already gets 304.
  if (r.method == "GET" && out.status == 200 && out.file.empty()) {
    std::string etag;
    for (const auto& [k, v] : out.headers) if (k == "ETag") etag = v;  // computed already (nomination_get)
    if (etag.empty()) {
      etag = body_etag(out.body);
      out.set_header("ETag", etag);
    }
    if (r.header("if-none-match") == etag) {
      out.status = 304;
      out.body.clear();
    }
  }
  return out;
}

Response Api::Impl::session(const Request& r, const Auth& a, Time now) {
  if (r.method == "GET") {
    if (!a.authenticated) return unauthenticated();
    auto u = store.user(a.actor.user);
    if (!u) return unauthenticated();
    bj::object o{{"user", user_json(*u)}};
    if (!a.csrf.empty()) o["csrf_token"] = a.csrf;
    return json_response(200, o);
  }
  if (r.method == "DELETE") {
    if (!a.authenticated) return unauthenticated();
    if (!a.session_token.empty()) store.delete_session(a.session_token, caller(a, r), now);
    Response out;
    out.status = 204;
    out.set_header("Set-Cookie", session_cookie("", r.secure, 0));
    return out;
  }
  if (r.method != "POST") return method_not_allowed();
  BodyReader body(r.body);
  auto username = body.str("username", true, 64);
  auto password = body.str("password", true, 1024);
  body.only({"username", "password"});
  if (!body.ok()) return validation_problem(body.errors());
  auto signed_in = sign_in(r, *username, *password, now);
  if (!signed_in) return signed_in.error();
  auto user = store.user(*username);
  if (!user) return unauthenticated();
  Response out = json_response(200, bj::object{{"user", user_json(*user)}, {"csrf_token", signed_in->second}});
  out.set_header("Set-Cookie", signed_in->first);
  return out;
}

std::expected<std::pair<std::string, std::string>, Response> Api::Impl::sign_in(const Request& r, const std::string& username,
                                                                                 const std::string& password, Time now) {
  const std::string account_key = "u:" + username, address_key = "a:" + r.client_address;
  if (login_account.blocked(account_key, now, config.login_failures_per_account, config.login_window) ||
      login_address.blocked(address_key, now, config.login_failures_per_address, config.login_window)) {
    storage::AuditRecord rec;
    rec.at = now;
    rec.who = storage::Who{username, "", "", "password", r.client_address};
    rec.kind = "login";
    rec.action = "login";
    rec.object_type = "session";
    rec.object_id = username;
    rec.outcome = "denied";
    rec.reason = engine::Rejection{engine::Problem::forbidden, "throttled after repeated failures", {}, {}};
    (void)store.append_record(rec);
    Response t = problem(429, "rate_limited", "Too many attempts", "too many failed sign-ins; wait 15 minutes and try again");
    t.set_header("Retry-After", std::to_string(config.login_window));
    return std::unexpected(t);
  }
  auto user = store.login(username, password, r.client_address, now);
  if (!user) {
    login_account.hit(account_key, now, 1 << 30, config.login_window);
    login_address.hit(address_key, now, 1 << 30, config.login_window);
    return std::unexpected(problem(401, "unauthenticated", "Sign-in failed", "wrong username or password"));
  }
  login_account.clear(account_key);
  auto s = store.create_session(user->username, "password", now);
  if (!s) return std::unexpected(unavailable(s.error().message));
  return std::make_pair(session_cookie(s->token, r.secure, config.session_absolute), s->csrf);
}

std::optional<Response> Api::Impl::parse_action_data(const std::string& action, const bj::object* data, engine::Command& cmd) {
  std::vector<engine::FieldError> errors;
  auto known = [&](std::initializer_list<std::string_view> keys) {
    if (!data) return;
    for (const auto& kv : *data) {
      if (std::find(keys.begin(), keys.end(), std::string_view(kv.key())) == keys.end()) errors.push_back({"data." + std::string(kv.key()), "unknown field"});
    }
  };
  auto str = [&](std::string_view key, std::string& out) {
    if (!data) return;
    auto p = data->if_contains(key);
    if (!p || p->is_null()) return;
    if (!p->is_string()) { errors.push_back({"data." + std::string(key), "must be a string"}); return; }
    out = std::string(p->get_string());
  };
  if (action == "score") {
    known({"points", "veto", "veto_reason"});
    if (data) {
      if (auto p = data->if_contains("points")) {
        if (!p->is_object()) errors.push_back({"data.points", "must be an object of indicator ids to integers"});
        else for (const auto& kv : p->get_object()) {
          if (!kv.value().is_int64()) { errors.push_back({"data.points." + std::string(kv.key()), "must be an integer"}); continue; }
          auto v = kv.value().get_int64();
          cmd.points[std::string(kv.key())] = static_cast<int>(std::clamp<std::int64_t>(v, -1, 1000));
        }
      }
      if (auto v = data->if_contains("veto")) {
        if (!v->is_bool()) errors.push_back({"data.veto", "must be true or false"});
        else cmd.veto = v->get_bool();
      }
    }
    str("veto_reason", cmd.veto_reason);
  } else if (action == "approve") {
    known({"notice_title", "days"});
    str("notice_title", cmd.notice_title);
    if (data) {
      if (auto d = data->if_contains("days")) {
        if (!d->is_int64()) errors.push_back({"data.days", "must be an integer"});
        else cmd.days = static_cast<int>(std::clamp<std::int64_t>(d->get_int64(), -1, 1000));
      }
    }
  } else if (action == "uphold_objection" || action == "dismiss_objection") {
    known({"objection_id", "finding"});
    str("objection_id", cmd.objection_id);
    str("finding", cmd.finding);
  } else if (action == "name") {
    known({"document_no", "decision_title"});
    str("document_no", cmd.document_no);
    str("decision_title", cmd.decision_title);
  } else if (action == "revoke" || action == "declare_conflict") {
    known({"reason"});
    str("reason", cmd.reason);
  } else if (action == "detach") {
    known({"sha256"});
    str("sha256", cmd.attachment.sha256);
  } else {
    known({});
  }
  if (!errors.empty()) return validation_problem(errors);
  return std::nullopt;
}

Response Api::Impl::render_result(const storage::CommandResult& result, const Auth& a, int ok_status) {
  using S = storage::CommandResult::Status;
  switch (result.status) {
    case S::accepted: {
      bj::value v = nomination_json(*result.nomination, a.actor, catalog, &store);
      if (!result.opened.empty()) {
        bj::array opened;
        for (const auto& c : result.opened) opened.push_back(nomination_json(c, a.actor, catalog, &store));
        v.as_object()["opened"] = opened;
      }
      return json_response(ok_status, v);
    }
    case S::rejected: return rejection_problem(*result.rejection);
    case S::not_found: return not_found();
    case S::replayed: {
      Response r;
      r.status = result.replay->status;
      r.body = result.replay->body;
      r.content_type = r.status >= 400 ? "application/problem+json" : "application/json";
      r.set_header("Idempotent-Replayed", "true");
      return r;
    }
    case S::idempotency_mismatch:
      return validation_problem({{"Idempotency-Key", "already used with a different request"}}, "the Idempotency-Key was used before with a different request");
    case S::failed: return unavailable(result.error);
  }
  return unavailable("unknown result");
}

Response Api::Impl::run_command(const Request& r, const Auth& a, Time now, const std::string& id, engine::Command cmd, int ok_status) {
  storage::CommandRequest req;
  req.caller = caller(a, r);
  req.nomination_id = id;
  req.command = std::move(cmd);
  req.now = now;
  std::string key = r.header("idempotency-key");
  if (!key.empty() && a.authenticated) {
    if (key.size() > 200) return validation_problem({{"Idempotency-Key", "at most 200 characters"}});
    req.idempotency_key = key;
    req.fingerprint = sha256_hex(r.method + " " + r.path + "\n" + r.body + "\n" + r.body_file);
    Auth viewer = a;
    req.render = [this, viewer, ok_status](const storage::CommandResult& res) {
      Response resp = render_result(res, viewer, ok_status);
      return storage::StoredResponse{resp.status, resp.body};
    };
  }
  auto result = store.execute(std::move(req));
  return render_result(result, a, ok_status);
}

Response Api::Impl::nominations(const Request& r, const Auth& a, Time now, const std::vector<std::string>& p) {
  if (!a.authenticated) return unauthenticated();
  if (p.size() == 1) {
    if (r.method == "GET") {
      std::vector<engine::FieldError> errors;
      storage::ListQuery q = list_filters(r, errors);
      q.page = int_param(r, "page", 1, 1000000, errors).value_or(1);
      q.per_page = int_param(r, "per_page", 1, 200, errors).value_or(20);
      if (!errors.empty()) return validation_problem(errors);
      auto page = store.list(q, a.actor);
      bj::array items;
      for (const auto& n : page.items) items.push_back(nomination_json(n, a.actor, catalog, nullptr));
      return json_response(200, bj::object{{"items", items}, {"total", page.total}, {"page", q.page}, {"per_page", q.per_page}});
    }
    if (r.method != "POST") return method_not_allowed();
    BodyReader body(r.body);
    engine::Command cmd;
    cmd.action = "create";
    cmd.category = body.str("category", true, 64).value_or("");
    cmd.level = body.str("level", true, 32).value_or("");
    cmd.year = static_cast<int>(std::clamp<std::int64_t>(body.integer("year", true).value_or(0), -1, 100000));
    cmd.jurisdiction = body.str("jurisdiction", true, 32).value_or("");
    cmd.summary = body.str("summary", false, 100000).value_or("");
    cmd.comment = body.str("comment", false, 2000).value_or("");
    if (const auto* nominee = body.obj("nominee", true)) {
      std::map<std::string, std::string> fields;
      for (const auto& kv : *nominee) {
        if (!kv.value().is_string()) { body.error("nominee." + std::string(kv.key()), "must be a string"); continue; }
        fields[std::string(kv.key())] = std::string(kv.value().get_string());
      }
      cmd.nominee = fields;
    }
    body.only({"category", "level", "year", "jurisdiction", "nominee", "summary", "comment"});
    if (!body.ok()) return validation_problem(body.errors());
    return run_command(r, a, now, "", cmd, 201);
  }
  const std::string& id = p[1];
  if (p.size() == 2) {
    if (r.method == "GET") return nomination_get(id, a);
    if (r.method != "PATCH") return method_not_allowed();
    BodyReader body(r.body);
    engine::Command cmd;
    cmd.action = "edit";
    cmd.expected_version = body.integer("expected_version", true);
    if (const auto* nominee = body.obj("nominee")) {
      std::map<std::string, std::string> fields;
      for (const auto& kv : *nominee) {
        if (!kv.value().is_string()) { body.error("nominee." + std::string(kv.key()), "must be a string"); continue; }
        fields[std::string(kv.key())] = std::string(kv.value().get_string());
      }
      cmd.nominee = fields;
    }
    if (auto s = body.str("summary", false, 100000)) cmd.summary = *s;
    body.only({"expected_version", "nominee", "summary"});
    if (!body.ok()) return validation_problem(body.errors());
    return run_command(r, a, now, id, cmd, 200);
  }
  const std::string& sub = p[2];
  if (sub == "actions" && p.size() == 3) {
    if (r.method != "POST") return method_not_allowed();
    BodyReader body(r.body);
    engine::Command cmd;
    cmd.action = body.str("action", true, 64).value_or("");
    cmd.expected_version = body.integer("expected_version", true);
    cmd.comment = body.str("comment", false, 2000).value_or("");
    const bj::object* data = body.obj("data");
    body.only({"action", "expected_version", "comment", "data"});
    if (!body.ok()) return validation_problem(body.errors());
    if (auto bad = parse_action_data(cmd.action, data, cmd)) return *bad;
    if (cmd.action == "create" || cmd.action == "edit" || cmd.action == "attach" || cmd.action == "object") {
      return validation_problem({{"action", "use the dedicated endpoint for " + cmd.action}});
    }
    return run_command(r, a, now, id, cmd, 200);
  }
  if (sub == "history" && p.size() == 3) {
    if (r.method != "GET") return method_not_allowed();
    auto n = store.nomination(id);
    if (!n || !engine::may_see(*n, a.actor, catalog.tree())) return not_found();
    bj::array out;
    for (const auto& row : store.history(id)) {
      auto v = storage::parse_canonical_json(row.bytes);
      if (v) out.push_back(bj::object{{"index", row.index}, {"record", *v}});
    }
    return json_response(200, out);
  }
  if (sub == "attachments") {
    if (p.size() == 4 && r.method == "GET") {
      auto n = store.nomination(id);
      if (!n || !engine::may_see(*n, a.actor, catalog.tree())) return not_found();
      const engine::Attachment* att = nullptr;
      for (const auto& x : n->attachments) if (x.sha256 == p[3]) att = &x;
      if (!att) return not_found();
      auto path = files.path_of(att->sha256);
      if (!path) return unavailable("the attachment file is missing from the attachments folder");
      Response out;
      out.file = path->string();
      out.content_type = att->content_type;
      out.set_header("Content-Disposition", "attachment; filename*=UTF-8''" + att->sha256.substr(0, 12));
      out.set_header("X-Content-Type-Options", "nosniff");
      out.set_header("Cache-Control", "private, max-age=31536000, immutable");
      return out;
    }
    if (p.size() != 3 || r.method != "POST") return method_not_allowed();
    auto material = r.param("material");
    auto filename = r.param("filename");
    std::vector<engine::FieldError> errors;
    if (!material || material->empty()) errors.push_back({"material", "required (query parameter)"});
    if (!filename || filename->empty()) errors.push_back({"filename", "required (query parameter)"});
    if (!errors.empty()) return validation_problem(errors);
    auto n = store.nomination(id);
    if (!n) return not_found();
    // Only the nominating unit may upload; refuse early (and record it) before writing any file.
    if (!(a.actor.user == n->owner)) {
      engine::Command probe;
      probe.action = "attach";
      probe.expected_version = n->version;
      probe.attachment.material = *material;
      return run_command(r, a, now, id, probe, 201);
    }
    std::expected<storage::StoredFile, storage::AttachmentError> stored = std::unexpected(storage::AttachmentError{storage::AttachmentError::Kind::empty, "the file is empty"});
    if (!r.body_file.empty()) {
      std::error_code ec;
      auto size = std::filesystem::file_size(r.body_file, ec);
      if (ec) return unavailable("the upload cannot be read: " + ec.message());
      stored = files.put_file(r.body_file, 0, size);
    } else {
      stored = files.put(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(r.body.data()), r.body.size()));
    }
    if (!stored) {
      if (stored.error().kind == storage::AttachmentError::Kind::too_large) return problem(413, "payload_too_large", "Payload too large", stored.error().message);
      if (stored.error().kind == storage::AttachmentError::Kind::empty) return validation_problem({{"body", "the file is empty"}});
      return unavailable(stored.error().message);
    }
    engine::Command cmd;
    cmd.action = "attach";
    auto v = r.param("expected_version");
    cmd.expected_version = v ? std::optional<std::int64_t>(std::atoll(v->c_str())) : std::optional<std::int64_t>(n->version);
    cmd.attachment = engine::Attachment{*material, stored->sha256, *filename, stored->content_type, stored->size, 0};
    Response resp = run_command(r, a, now, id, cmd, 201);
    if (resp.status == 201) {
      resp = json_response(201, bj::object{{"sha256", stored->sha256}, {"material", *material}, {"filename", *filename},
                                            {"size", stored->size}, {"content_type", stored->content_type}});
    }
    return resp;
  }
  return not_found();
}

Response Api::Impl::batch(const Request& r, const Auth& a, Time now) {
  if (!a.authenticated) return unauthenticated();
  if (r.method != "POST") return method_not_allowed();
  BodyReader body(r.body);
  storage::BatchRequest req;
  req.caller = caller(a, r);
  req.now = now;
  req.command.action = body.str("action", true, 64).value_or("");
  req.command.comment = body.str("comment", false, 2000).value_or("");
  const bj::object* data = body.obj("data");
  const bj::array* items = body.arr("items", true);
  body.only({"action", "items", "comment", "data"});
  if (items) {
    if (items->empty() || items->size() > 1000) body.error("items", "1 to 1000 items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& it = (*items)[i];
      auto id = it.is_object() ? it.get_object().if_contains("id") : nullptr;
      auto ver = it.is_object() ? it.get_object().if_contains("expected_version") : nullptr;
      if (!id || !id->is_string() || !ver || !ver->is_int64() || it.get_object().size() != 2) {
        body.error("items[" + std::to_string(i) + "]", "must be {id, expected_version}");
        continue;
      }
      req.items.push_back({std::string(id->get_string()), ver->get_int64()});
    }
  }
  if (!body.ok()) return validation_problem(body.errors());
  if (req.command.action != "approve" && req.command.action != "name") {
    return validation_problem({{"action", "batch actions are approve and name"}});
  }
  if (auto bad = parse_action_data(req.command.action, data, req.command)) return *bad;
  auto result = store.execute_batch(std::move(req));
  if (!result.error.empty()) return unavailable(result.error);
  if (result.accepted) {
    bj::array out;
    for (const auto& it : result.items) out.push_back(nomination_json(*it.nomination, a.actor, catalog, nullptr));
    bj::object o{{"items", out}};
    if (!result.notice_id.empty()) o["notice_id"] = result.notice_id;
    return json_response(200, o);
  }
  bj::array failing;
  int status = 0;
  std::string code = "validation_failed", detail;
  for (const auto& it : result.items) {
    if (it.status == storage::CommandResult::Status::accepted) continue;
    int st = it.status == storage::CommandResult::Status::not_found ? 404 : engine::http_status(it.rejection->code);
    std::string c = it.status == storage::CommandResult::Status::not_found ? "not_found" : std::string(engine::to_string(it.rejection->code));
    std::string d = it.rejection ? it.rejection->detail : "no such nomination";
    if (!status) { status = st; code = c; detail = it.id + ": " + d; }
    failing.push_back(bj::object{{"id", it.id}, {"status", st}, {"code", c}, {"detail", d}});
  }
  return problem(status ? status : 422, code, "Batch refused", "nothing changed; " + detail, bj::object{{"items", failing}});
}

Response Api::Impl::users(const Request& r, const Auth& a, Time now, const std::vector<std::string>& p) {
  if (!a.authenticated) return unauthenticated();
  if (p.size() == 1 && r.method == "GET") {
    bj::array out;
    for (const auto& u : store.users(a.actor)) out.push_back(user_json(u));
    return json_response(200, out);
  }
  if (p.size() == 1 && r.method == "POST") {
    BodyReader body(r.body);
    storage::User u;
    u.username = body.str("username", true, 32).value_or("");
    u.display_name = body.str("display_name", true, 100).value_or("");
    std::string password = body.str("password", true, 1024).value_or("");
    auto grants = read_grants(body.arr("roles", true), body);
    body.only({"username", "display_name", "password", "roles"});
    if (!body.ok()) return validation_problem(body.errors());
    u.roles = grants.value_or(std::vector<engine::RoleGrant>{});
    auto res = store.create_user(caller(a, r), u, password, now);
    if (res.rejection) return rejection_problem(*res.rejection);
    if (!res.error.empty()) return unavailable(res.error);
    return json_response(201, user_json(*store.user(u.username)));
  }
  if (p.size() == 2 && r.method == "PATCH") {
    BodyReader body(r.body);
    auto grants = read_grants(body.arr("roles"), body);
    auto disabled = body.boolean("disabled");
    auto password = body.str("password", false, 1024);
    body.only({"roles", "disabled", "password"});
    if (!body.ok()) return validation_problem(body.errors());
    auto res = store.update_user(caller(a, r), p[1], grants, disabled, password, now);
    if (res.rejection) {
      if (res.rejection->detail == "no such user") return not_found();
      return rejection_problem(*res.rejection);
    }
    if (!res.error.empty()) return unavailable(res.error);
    return json_response(200, user_json(*store.user(p[1])));
  }
  return method_not_allowed();
}

Response Api::Impl::quotas(const Request& r, const Auth& a, Time now) {
  if (!a.authenticated) return unauthenticated();
  if (r.method == "GET") {
    std::optional<int> year;
    if (auto y = r.param("year")) year = std::atoi(y->c_str());
    bj::array out;
    for (const auto& q : store.quotas(year, r.param("office"))) {
      out.push_back(bj::object{{"office", q.office}, {"level", q.level}, {"category", q.category}, {"year", q.year}, {"limit", q.limit}, {"used", q.used}});
    }
    return json_response(200, out);
  }
  if (r.method != "PUT") return method_not_allowed();
  BodyReader body(r.body);
  storage::Quota q;
  q.office = body.str("office", true, 32).value_or("");
  q.level = body.str("level", true, 32).value_or("");
  q.category = body.str("category", true, 64).value_or("");
  q.year = static_cast<int>(std::clamp<std::int64_t>(body.integer("year", true).value_or(0), -1, 100000));
  q.limit = body.integer("limit", true).value_or(-1);
  body.only({"office", "level", "category", "year", "limit"});
  if (!body.ok()) return validation_problem(body.errors());
  auto res = store.set_quota(caller(a, r), q, now);
  if (res.rejection) return rejection_problem(*res.rejection);
  if (!res.error.empty()) return unavailable(res.error);
  return json_response(200, bj::object{{"office", q.office}, {"level", q.level}, {"category", q.category}, {"year", q.year}, {"limit", q.limit}});
}

Response Api::Impl::public_notices(const Request& r, Time now, const std::vector<std::string>& p) {
  if (p.size() < 2 || p[1] != "notices") return not_found();
  auto notice_json = [&](const storage::Notice& n) {
    bj::array nominees;
    for (const auto& x : n.nominations) {
      if (x.state == "withdrawn" || x.state == "removed") continue;
      nominees.push_back(bj::object{{"nomination_id", x.id}, {"name", x.nominee.contains("name") ? x.nominee.at("name") : ""},
                                    {"category", x.category}, {"summary", x.summary}});
    }
    return bj::object{{"id", n.id}, {"title", n.title}, {"office", n.office}, {"level", n.level},
                      {"starts_at", engine::format_rfc3339(n.starts_at)}, {"ends_at", engine::format_rfc3339(n.ends_at)},
                      {"open", now >= n.starts_at && now < n.ends_at}, {"nominees", nominees}};
  };
  if (p.size() == 2) {
    if (r.method != "GET") return method_not_allowed();
    bj::array out;
    for (const auto& n : store.notices(now, false)) out.push_back(notice_json(n));
    return json_response(200, out);
  }
  auto notice = store.notice(p[2]);
  if (!notice) return not_found();
  if (p.size() == 3) {
    if (r.method != "GET") return method_not_allowed();
    return json_response(200, notice_json(*notice));
  }
  if (p.size() != 4 || p[3] != "objections") return not_found();
  if (r.method != "POST") return method_not_allowed();
  BodyReader body(r.body);
  auto nomination_id = body.str("nomination_id", true, 64);
  auto text = body.str("text", true, 2000);
  auto contact = body.str("contact", false, 200);
  body.only({"nomination_id", "text", "contact"});
  if (!body.ok()) return validation_problem(body.errors());
  if (!objections.hit(r.client_address, now, config.objections_per_hour, 3600)) {
    Response t = problem(429, "rate_limited", "Too many objections", "at most " + std::to_string(config.objections_per_hour) + " objections an hour from one address");
    t.set_header("Retry-After", "3600");
    return t;
  }
  bool in_notice = std::any_of(notice->nominations.begin(), notice->nominations.end(), [&](const engine::Nomination& n) { return n.id == *nomination_id; });
  if (!in_notice) return validation_problem({{"nomination_id", "not a nominee of this notice"}});
  storage::CommandRequest req;
  req.caller = storage::Caller{engine::Actor::anonymous_actor(), "anonymous", r.client_address};
  req.nomination_id = *nomination_id;
  req.command.action = "object";
  req.command.text = *text;
  req.contact = contact.value_or("");
  req.now = now;
  auto result = store.execute(std::move(req));
  if (result.status == storage::CommandResult::Status::accepted) {
    return json_response(202, bj::object{{"receipt", result.nomination->objections.back().id}});
  }
  if (result.status == storage::CommandResult::Status::rejected && result.rejection->code == engine::Problem::invalid_transition) {
    return problem(422, "invalid_transition", "The publicity window is closed", "objections are accepted only while the publicity window is open",
                   bj::object{{"allowed_actions", bj::array{}}});
  }
  Auth anon;
  return render_result(result, anon, 202);
}

Response Api::Impl::stats(const Request& r, const Auth& a) {
  if (!a.authenticated) return unauthenticated();
  std::optional<int> year;
  if (auto y = r.param("year"); y && !y->empty()) {
    year = std::atoi(y->c_str());
    if (*year < 2000 || *year > 2100) return validation_problem({{"year", "must be an integer from 2000 to 2100"}});
  }
  auto office = r.param("office");
  if (office && !catalog.tree().find(*office)) return validation_problem({{"office", "unknown jurisdiction"}});
  bj::array named, by_state;
  for (const auto& s : store.stats_named(year, office)) named.push_back(bj::object{{"level", s.level}, {"category", s.category}, {"count", s.count}});
  for (const auto& s : store.stats_by_state(year, office)) {
    by_state.push_back(bj::object{{"level", s.level}, {"category", s.category}, {"state", s.state}, {"count", s.count}});
  }
  return json_response(200, bj::object{{"named", named}, {"by_state", by_state}});
}

Response Api::Impl::audit(const Request& r, const Auth& a, Time now, const std::vector<std::string>& p) {
  if (!a.authenticated) return unauthenticated();
  bool auditor = std::any_of(a.actor.roles.begin(), a.actor.roles.end(), [](const engine::RoleGrant& g) { return g.role == "auditor"; });
  storage::AuditRecord use;
  use.at = now;
  use.who = storage::Who{a.actor.user, "auditor", "", a.method, r.client_address};
  use.kind = "audit_access";
  use.action = p.size() > 1 ? "audit_" + p[1] : "audit";
  use.object_type = "audit";
  use.object_id = r.target.substr(0, 200);
  if (!auditor) {
    use.outcome = "denied";
    use.reason = engine::Rejection{engine::Problem::forbidden, "the audit endpoints need the auditor role", {}, {}};
    (void)store.append_record(use);
    return forbidden("the audit endpoints need the auditor role (administrators are not auditors)");
  }
  if (r.method != "GET") return method_not_allowed();
  use.outcome = "accepted";
  if (p.size() == 2 && p[1] == "records") {
    storage::RecordQuery q;
    if (auto v = r.param("from")) q.from = std::atoll(v->c_str());
    if (auto v = r.param("limit")) q.limit = std::atoi(v->c_str());
    q.nomination = r.param("nomination");
    q.actor = r.param("actor");
    q.action = r.param("action");
    q.outcome = r.param("outcome");
    if (auto v = r.param("since")) q.since = engine::parse_rfc3339(*v);
    if (auto v = r.param("until")) q.until = engine::parse_rfc3339(*v);
    auto rows = store.records(q);
    bj::array out;
    for (const auto& row : rows) {
      auto v = storage::parse_canonical_json(row.bytes);
      auto leaf = merkle_leaf_hex(row.bytes);
      out.push_back(bj::object{{"index", row.index}, {"record", v ? *v : bj::value(row.bytes)}, {"leaf_hash", leaf}});
    }
    (void)store.append_record(use);
    std::int64_t next = rows.empty() ? q.from : rows.back().index + 1;
    return json_response(200, bj::object{{"records", out}, {"next", rows.size() < static_cast<std::size_t>(std::clamp(q.limit, 1, 1000)) ? bj::value(nullptr) : bj::value(next)}});
  }
  auto num = [&](const char* name) -> std::optional<std::int64_t> {
    auto v = r.param(name);
    if (!v || v->empty() || v->size() > 18 || !std::all_of(v->begin(), v->end(), ::isdigit)) return std::nullopt;
    return std::stoll(*v);
  };
  auto proof_json = [](const storage::audit::Proof& hashes) {
    bj::array a;
    for (auto& h : storage::audit::base64_hashes(hashes)) a.push_back(bj::value(std::move(h)));
    return a;
  };
  // Arguments outside the signed tree are the client's mistake; a node missing is the store's.
  auto proof_problem = [](const storage::audit::ProofError& e, const char* field) {
    if (e.kind == storage::audit::ProofError::Kind::bad_request) return validation_problem({{field, e.message}});
    if (e.kind == storage::audit::ProofError::Kind::damaged) return problem(500, "internal", "Audit log damaged", e.message);
    return unavailable(e.message);
  };
  if (p.size() == 2 && p[1] == "checkpoint") {
    auto cp = store.audit().latest_checkpoint();
    if (!cp) return not_found();
    (void)store.append_record(use);
    Response out;
    out.content_type = "text/plain; charset=utf-8";
    out.body = cp->note;
    return out;
  }
  if (p.size() == 2 && p[1] == "export") {
    // API.md "Audit": the whole log with its latest checkpoint, for offline verification.
    std::ostringstream bundle;
    auto summary = storage::audit::export_log(store.options().db_path, bundle);
    if (!summary) return unavailable(summary.error());
    (void)store.append_record(use);
    Response out;
    out.content_type = "application/x-ndjson";
    out.body = std::move(bundle).str();
    return out;
  }
  if (p.size() == 2 && p[1] == "key") {
    Response out;
    out.content_type = "text/plain; charset=utf-8";
    out.body = store.verifier_key() + "\n";
    return out;
  }
  if (p.size() == 3 && p[1] == "proof" && p[2] == "inclusion") {
    auto index = num("index"), size = num("size");
    if (!index || !size) return validation_problem({{"index", "index and size are required non-negative integers"}});
    auto proof = store.audit().inclusion_proof(static_cast<std::uint64_t>(*index), static_cast<std::uint64_t>(*size));
    if (!proof) return proof_problem(proof.error(), "size");
    (void)store.append_record(use);
    return json_response(200, bj::object{{"index", *index}, {"size", *size}, {"hashes", proof_json(*proof)}});
  }
  if (p.size() == 3 && p[1] == "proof" && p[2] == "consistency") {
    auto from = num("from"), to = num("to");
    if (!from || !to) return validation_problem({{"from", "from and to are required non-negative integers"}});
    auto proof = store.audit().consistency_proof(static_cast<std::uint64_t>(*from), static_cast<std::uint64_t>(*to));
    if (!proof) return proof_problem(proof.error(), "to");
    (void)store.append_record(use);
    return json_response(200, bj::object{{"from", *from}, {"to", *to}, {"hashes", proof_json(*proof)}});
  }
  return not_found();
}

Response Api::Impl::dev_clock(const Request& r, const Auth& a) {
  if (r.method == "GET") return json_response(200, bj::object{{"now", engine::format_rfc3339(clock.now())}});
  if (!a.authenticated) return unauthenticated();
  if (!engine::holds_over(a.actor, "admin", catalog.tree().root().code, catalog.tree()) &&
      std::none_of(a.actor.roles.begin(), a.actor.roles.end(), [](const engine::RoleGrant& g) { return g.role == "admin"; })) {
    return forbidden("moving the clock needs an administrator");
  }
  if (r.method != "POST") return method_not_allowed();
  BodyReader body(r.body);
  auto secs = body.integer("advance_seconds", true);
  body.only({"advance_seconds"});
  if (!body.ok()) return validation_problem(body.errors());
  if (*secs < 0 || *secs > 10LL * 365 * 86400) return validation_problem({{"advance_seconds", "must lie between 0 and ten years"}});
  clock.advance(*secs);
  Time now = clock.now();
  while (store.fire_due_timers(now) > 0) {
  }
  return json_response(200, bj::object{{"now", engine::format_rfc3339(now)}});
}

}  // namespace laurel::web
