#include "web/multipart.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

namespace laurel::web {

namespace {

constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kMaxPadding = 256;  // transport padding (spaces, tabs) after a boundary

std::unexpected<MultipartProblem> fail(MultipartError code, std::string detail) {
  return std::unexpected(MultipartProblem{code, std::move(detail)});
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

// RFC 2046 bchars.
bool is_boundary_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

// The body read forward through a window: the cursor's absolute offset is known, bytes before it
// are dropped as the window moves on.
class Reader {
 public:
  explicit Reader(std::istream& in) : in_(in) {}

  // Makes `n` bytes available at the cursor unless the input ends first; returns how many are.
  std::size_t want(std::size_t n) {
    if (buf_.size() - pos_ < n && !eof_) {
      buf_.erase(0, pos_);
      pos_ = 0;
      while (buf_.size() < n && !eof_) {
        std::size_t old = buf_.size();
        buf_.resize(old + std::max(kChunk, n - old));
        in_.read(buf_.data() + old, static_cast<std::streamsize>(buf_.size() - old));
        auto got = static_cast<std::size_t>(in_.gcount());
        buf_.resize(old + got);
        if (got == 0 || !in_) {
          eof_ = true;
          failed_ = in_.bad();
        }
      }
    }
    return buf_.size() - pos_;
  }
  std::string_view view() const { return std::string_view(buf_).substr(pos_); }
  void skip(std::size_t n) {
    pos_ += n;
    offset_ += n;
  }
  std::uint64_t offset() const { return offset_; }
  bool failed() const { return failed_; }

 private:
  std::istream& in_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
  bool failed_ = false;
};

// After "--boundary": a delimiter only when followed by "--", padding or a line end (else the
// bytes are content that merely starts like one, as Go's mime/multipart reads them too).
bool ends_delimiter(std::string_view after) {
  return !after.empty() && std::string_view(" \t\r\n-").find(after.front()) != std::string_view::npos;
}

// Moves the cursor to the next `delim` that ends a delimiter, passing the bytes before it to `keep`
// (when given, failing past `keep_limit`). False when the input ends first.
std::expected<bool, MultipartProblem> scan_to(Reader& r, std::string_view delim, std::string* keep, std::size_t keep_limit) {
  auto take = [&](std::size_t n) -> std::expected<void, MultipartProblem> {
    if (keep) {
      if (keep->size() + n > keep_limit) return fail(MultipartError::field_too_large, "a field is longer than " + std::to_string(keep_limit) + " bytes");
      keep->append(r.view().substr(0, n));
    }
    r.skip(n);
    return {};
  };
  for (;;) {
    std::size_t have = r.want(kChunk + delim.size() + 1);
    std::string_view v = r.view();
    auto pos = v.find(delim);
    if (pos != std::string_view::npos && pos + delim.size() < have) {
      if (ends_delimiter(v.substr(pos + delim.size()))) {
        if (auto t = take(pos); !t) return std::unexpected(t.error());
        return true;
      }
      if (auto t = take(pos + 1); !t) return std::unexpected(t.error());  // content: look again past it
      continue;
    }
    if (r.failed()) return fail(MultipartError::read_failed, "the body cannot be read");
    if (have < kChunk + delim.size() + 1) {  // the input has ended
      if (auto t = take(have); !t) return std::unexpected(t.error());
      return false;
    }
    // Keep what could still begin a delimiter (and its following byte).
    if (auto t = take(have - delim.size()); !t) return std::unexpected(t.error());
  }
}

enum class After { next_part, close };

// At the cursor, just past "--boundary": "--" closes, padding and CRLF start the next part.
std::expected<After, MultipartProblem> after_boundary(Reader& r) {
  r.want(2);
  if (r.view().starts_with("--")) {
    r.skip(2);
    return After::close;
  }
  std::size_t pad = 0;
  for (;;) {
    if (r.want(2) == 0) return fail(MultipartError::truncated, "the body ends after a boundary");
    char c = r.view().front();
    if (c != ' ' && c != '\t') break;
    if (++pad > kMaxPadding) return fail(MultipartError::bad_boundary_line, "a boundary line goes on with spaces");
    r.skip(1);
  }
  if (r.view().starts_with("\r\n")) {
    r.skip(2);
    return After::next_part;
  }
  if (r.view().size() < 2 && r.failed()) return fail(MultipartError::read_failed, "the body cannot be read");
  if (r.view().size() < 2) return fail(MultipartError::truncated, "the body ends after a boundary");
  return fail(MultipartError::bad_boundary_line, "a boundary line does not end with CRLF");
}

struct PartHead {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
};

using Parameters = std::vector<std::pair<std::string, std::string>>;

// The parameters after a media type or a disposition (`; key=value; key="value"`), keys lower-cased,
// in order. A quoted value runs to the next quote without backslash escapes: browsers send a quote in
// a name as %22 and a backslash as itself (the HTML standard). `error` and `what` name a failure.
std::expected<Parameters, MultipartProblem> parse_parameters(std::string_view rest, MultipartError error, std::string_view what) {
  Parameters out;
  auto bad = [&](std::string_view why) { return fail(error, std::string(what) + ": " + std::string(why)); };
  while (!(rest = trim(rest)).empty()) {
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) return bad("a parameter without a value");
    std::string key = lower(trim(rest.substr(0, eq)));
    if (key.empty() || !std::all_of(key.begin(), key.end(), is_token_char)) return bad("a malformed parameter name");
    rest = trim(rest.substr(eq + 1));
    std::string value;
    if (rest.starts_with('"')) {
      auto close = rest.find('"', 1);
      if (close == std::string_view::npos) return bad("an unterminated quoted value");
      value = rest.substr(1, close - 1);
      rest = trim(rest.substr(close + 1));
    } else {
      auto end = rest.find(';');
      value = trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) { return c == '"' || static_cast<unsigned char>(c) < 32; })) {
        return bad("a malformed value");
      }
    }
    if (!rest.empty()) {
      if (rest.front() != ';') return bad("text after a value");
      rest.remove_prefix(1);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

// `form-data; name="x"; filename="y"`; other parameters (filename*, which RFC 7578 tells senders
// not to use) are ignored.
std::expected<PartHead, MultipartProblem> parse_disposition(std::string_view v) {
  PartHead h;
  auto semi = v.find(';');
  if (lower(trim(v.substr(0, semi))) != "form-data") return fail(MultipartError::no_disposition, "a part is not form-data");
  auto params = parse_parameters(semi == std::string_view::npos ? std::string_view() : v.substr(semi + 1), MultipartError::bad_header,
                                 "Content-Disposition");
  if (!params) return std::unexpected(params.error());
  std::optional<std::string> name;
  for (auto& [key, value] : *params) {
    if (key != "name" && key != "filename") continue;
    auto& slot = key == "name" ? name : h.filename;
    if (slot) return fail(MultipartError::bad_header, "a repeated Content-Disposition parameter");
    slot = std::move(value);
  }
  if (!name || name->empty()) return fail(MultipartError::no_disposition, "a part without a field name");
  h.name = std::move(*name);
  return h;
}

std::expected<PartHead, MultipartProblem> parse_part_headers(std::string_view block) {
  if (block.find("\r\n ") != std::string_view::npos || block.find("\r\n\t") != std::string_view::npos) {
    return fail(MultipartError::bad_header, "a folded header line");  // RFC 7578 has none
  }
  std::optional<PartHead> head;
  std::optional<std::string> type;
  while (!block.empty()) {
    auto end = block.find("\r\n");
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    if (line.find_first_of("\r\n") != std::string_view::npos || line.find('\0') != std::string_view::npos) {
      return fail(MultipartError::bad_header, "a header line with a bare CR, LF or NUL");
    }
    if (line.empty() || line.front() == ' ' || line.front() == '\t') return fail(MultipartError::bad_header, "a folded or empty header line");
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail(MultipartError::bad_header, "a header line without a colon");
    std::string_view raw_name = line.substr(0, colon);
    if (raw_name.empty() || !std::all_of(raw_name.begin(), raw_name.end(), is_token_char)) return fail(MultipartError::bad_header, "a malformed header name");
    std::string name = lower(raw_name);
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      if (head) return fail(MultipartError::bad_header, "a repeated Content-Disposition");
      auto h = parse_disposition(value);
      if (!h) return std::unexpected(h.error());
      head = std::move(*h);
    } else if (name == "content-type") {
      if (type) return fail(MultipartError::bad_header, "a repeated Content-Type");
      type = std::string(value);
    } else if (name == "content-transfer-encoding") {
      std::string enc = lower(value);
      if (enc != "binary" && enc != "8bit" && enc != "7bit") return fail(MultipartError::bad_header, "a Content-Transfer-Encoding other than binary");
    }
  }
  if (!head) return fail(MultipartError::no_disposition, "a part without Content-Disposition");
  head->content_type = type.value_or("");
  return *head;
}

}  // namespace

std::string MultipartForm::field(std::string_view name) const {
  for (const auto& f : fields) if (f.name == name) return f.value;
  return {};
}

std::string_view to_string(MultipartError e) {
  switch (e) {
    case MultipartError::not_multipart: return "not_multipart";
    case MultipartError::bad_boundary: return "bad_boundary";
    case MultipartError::no_boundary_line: return "no_boundary_line";
    case MultipartError::bad_boundary_line: return "bad_boundary_line";
    case MultipartError::truncated: return "truncated";
    case MultipartError::header_too_large: return "header_too_large";
    case MultipartError::bad_header: return "bad_header";
    case MultipartError::no_disposition: return "no_disposition";
    case MultipartError::too_many_parts: return "too_many_parts";
    case MultipartError::field_too_large: return "field_too_large";
    case MultipartError::read_failed: return "read_failed";
  }
  return "unknown";
}

std::expected<std::string, MultipartProblem> multipart_boundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data") {
    return fail(MultipartError::not_multipart, "the Content-Type is not multipart/form-data");
  }
  auto params = parse_parameters(semi == std::string_view::npos ? std::string_view() : content_type.substr(semi + 1),
                                 MultipartError::bad_boundary, "Content-Type");
  if (!params) return std::unexpected(params.error());
  for (const auto& [key, value] : *params) {
    if (key != "boundary") continue;
    if (value.empty() || value.size() > 70 || value.back() == ' ' || !std::all_of(value.begin(), value.end(), is_boundary_char)) {
      return fail(MultipartError::bad_boundary, "the boundary must be 1 to 70 characters of RFC 2046's set");
    }
    return value;
  }
  return fail(MultipartError::bad_boundary, "the Content-Type has no boundary");
}

std::expected<MultipartForm, MultipartProblem> parse_multipart(std::istream& body, std::string_view boundary, const MultipartLimits& limits) {
  if (boundary.empty() || boundary.size() > 70) return fail(MultipartError::bad_boundary, "the boundary must be 1 to 70 characters");
  const std::string delim = "\r\n--" + std::string(boundary);
  Reader r(body);

  // The first boundary opens the body, or follows a preamble and its CRLF.
  r.want(delim.size());
  if (r.view() == std::string_view(delim).substr(2)) return fail(MultipartError::truncated, "the body ends after a boundary");
  bool opened = r.view().starts_with(std::string_view(delim).substr(2)) && ends_delimiter(r.view().substr(delim.size() - 2));
  if (opened) {
    r.skip(delim.size() - 2);
  } else {
    auto found = scan_to(r, delim, nullptr, 0);
    if (!found) return std::unexpected(found.error());
    if (!*found) return fail(MultipartError::no_boundary_line, "the body does not contain the boundary");
    r.skip(delim.size());
  }
  auto after = after_boundary(r);
  if (!after) return std::unexpected(after.error());

  MultipartForm form;
  std::size_t parts = 0;
  while (*after == After::next_part) {
    if (++parts > limits.max_parts) return fail(MultipartError::too_many_parts, "more than " + std::to_string(limits.max_parts) + " parts");
    // The header block, up to its empty line (which may come at once: a part with no headers).
    std::size_t have = r.want(limits.max_part_header_bytes + 4);
    std::string_view v = r.view();
    std::size_t block_end = 0;
    if (v.starts_with("\r\n")) {
      block_end = 0;
    } else {
      auto pos = v.substr(0, std::min(have, limits.max_part_header_bytes + 4)).find("\r\n\r\n");
      if (pos == std::string_view::npos || pos > limits.max_part_header_bytes) {
        if (r.failed()) return fail(MultipartError::read_failed, "the body cannot be read");
        if (have < limits.max_part_header_bytes + 4) return fail(MultipartError::truncated, "the body ends inside a part's headers");
        return fail(MultipartError::header_too_large, "a part's headers are longer than " + std::to_string(limits.max_part_header_bytes) + " bytes");
      }
      block_end = pos + 2;
    }
    auto head = parse_part_headers(v.substr(0, block_end));
    if (!head) return std::unexpected(head.error());
    r.skip(block_end + 2);

    std::uint64_t start = r.offset();
    std::string value;
    bool is_file = head->filename.has_value();
    auto found = scan_to(r, delim, is_file ? nullptr : &value, limits.max_field_bytes);
    if (!found) return std::unexpected(found.error());
    if (!*found) return fail(MultipartError::truncated, "the body ends inside a part (no closing boundary)");
    if (is_file) {
      form.files.push_back({std::move(head->name), std::move(*head->filename), std::move(head->content_type), start, r.offset() - start});
    } else {
      form.fields.push_back({std::move(head->name), std::move(value)});
    }
    r.skip(delim.size());
    after = after_boundary(r);
    if (!after) return std::unexpected(after.error());
  }
  // Whatever follows the closing boundary is an epilogue, ignored.
  return form;
}

}  // namespace laurel::web
