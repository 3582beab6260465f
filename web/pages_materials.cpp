// A nomination's materials uploaded without JavaScript: the materials form on the nomination page
// posts one file as multipart/form-data to POST /nominations/{id}/materials. The server streams the
// body to a file (web/server.cpp, the same limit as the API's attachment upload plus room for the
// form around it); pages.cpp parses it (web/multipart.h, read_multipart_form) and checks the CSRF
// field like every form's; here the file part is stored exactly as the API's attachment route stores a body: only the nominating
// unit (anyone else is refused by the engine and the attempt recorded), the type decided by the
// content, the size held to the upload limit. Then Post/Redirect/Get back to the nomination page, or
// that page again with the reason, in the viewer's language.
#include "engine/decide.h"
#include "web/site.h"

namespace laurel::web {

namespace {

Response refused(Site& site, Page& page, const std::string& id, int status, std::string message) {
  return nomination_page(site, page, id, status, nullptr, message);
}

}  // namespace

std::string chosen_file_name(const std::string& filename) {
  // Old browsers sent the whole path of the chosen file ("C:\Users\...\申报表.pdf"): keep the name.
  auto slash = filename.find_last_of("/\\");
  return slash == std::string::npos ? filename : filename.substr(slash + 1);
}

void drop_empty_file_inputs(std::vector<MultipartFile>& files) {
  // A file input left empty arrives as a part with no name and no bytes.
  std::erase_if(files, [](const MultipartFile& f) { return f.filename.empty() && f.length == 0; });
}

std::string upload_limit_text(const Site& site) { return size_text(site.api.attachments().max_bytes()); }

std::string size_text(std::int64_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MB";
  if (bytes >= 1024 * 1024) return std::to_string(bytes / (1024 * 1024)) + "." + std::to_string(bytes % (1024 * 1024) * 10 / (1024 * 1024)) + " MB";
  return std::to_string(bytes / 1024) + " KB";
}

Response upload_material(Site& site, Page& page, const std::string& id) {
  const Lang lang = page.lang;
  auto n = site.store.nomination(id);
  if (!n) return site.error_page(page, 404, "error_not_found");
  std::string material = page.form.get("material");
  if (material.empty()) return refused(site, page, id, 422, std::string(page.t("upload_no_material")));

  auto execute = [&](engine::Command cmd) {
    storage::CommandRequest req;
    req.caller = page.caller();
    req.nomination_id = id;
    req.command = std::move(cmd);
    req.now = page.now;
    return site.store.execute(std::move(req));
  };
  auto answer = [&](const storage::CommandResult& result) {
    using S = storage::CommandResult::Status;
    switch (result.status) {
      case S::accepted: return site.redirect(page, "/nominations/" + url_encode(id) + "?done=attach#materials");
      case S::rejected:
        if (!engine::may_see(*n, page.who.actor, site.catalog.tree())) return site.error_page(page, 403, "problem_forbidden");
        return nomination_page(site, page, id, engine::http_status(result.rejection->code), &*result.rejection);
      case S::not_found: return site.error_page(page, 404, "error_not_found");
      default: return site.error_page(page, 503, "error_unavailable", result.error);
    }
  };

  engine::Command cmd;
  cmd.action = "attach";
  cmd.expected_version = n->version;
  cmd.attachment.material = material;
  // Only the nominating unit uploads: anyone else is refused by the engine (and recorded) before a
  // byte is stored, as the API does.
  if (!(page.who.actor.user == n->owner)) return answer(execute(cmd));

  // One file a post.
  drop_empty_file_inputs(page.files);
  if (page.files.empty()) return refused(site, page, id, 422, std::string(page.t("upload_no_file")));
  if (page.files.size() > 1) return refused(site, page, id, 422, std::string(page.t("upload_one_file")));
  const MultipartFile& part = page.files.front();
  if (part.length == 0) return refused(site, page, id, 422, std::string(page.t("upload_empty")));

  auto& files = site.api.attachments();
  auto stored = page.request.body_file.empty()
                    ? files.put(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(page.request.body.data() + part.offset), part.length))
                    : files.put_file(page.request.body_file, part.offset, part.length);
  if (!stored) {
    using K = storage::AttachmentError::Kind;
    if (stored.error().kind == K::too_large) return refused(site, page, id, 413, trf(lang, "upload_too_large", {upload_limit_text(site)}));
    if (stored.error().kind == K::empty) return refused(site, page, id, 422, std::string(page.t("upload_empty")));
    return site.error_page(page, 503, "error_unavailable", stored.error().message);
  }
  cmd.attachment = engine::Attachment{material, stored->sha256, chosen_file_name(part.filename), stored->content_type, stored->size, 0};
  return answer(execute(cmd));
}

Response material_too_large(Site& site, Page& page, const std::string& id) {
  return refused(site, page, id, 413, trf(page.lang, "upload_too_large", {upload_limit_text(site)}));
}

}  // namespace laurel::web
