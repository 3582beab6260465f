// The printed documents, drawn as PDF with pango (text layout, CJK line breaking) on cairo: the naming
// decision (命名决定) and the publicity notice (公示) in the GB/T 9704-2012 layout (A4; margins 37 mm
// top and 28 mm binding side; a 156 × 225 mm text block; the issuing authority's mark and a separator
// line in red; title at 22 pt, body at 16 pt with two-character indents; page numbers at the foot),
// and certificates (荣誉证书), one a page, many in one file. Each carries a verification code that
// leads, through /verify/{code}, to the audit record of the naming. The documents hold names and
// categories only, never personal contact data. Fonts are settings (offices often own 方正 fonts);
// the free default is Noto Serif CJK SC from Debian's fonts-noto-cjk.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace laurel::web::documents {

struct PdfFonts {
  std::string title = "Noto Serif CJK SC Bold";  // 小标宋 style
  std::string body = "Noto Serif CJK SC";        // 仿宋 style
  std::string mark = "Noto Serif CJK SC Black";  // the authority's red mark
};

// A list of nominees under a heading (a category) in a decision or notice.
struct NomineeGroup {
  std::string heading;             // "示范乡镇"
  std::vector<std::string> names;  // one per nominee, in order
};

// The naming decision or the publicity notice: an official document.
struct OfficialDocument {
  std::string authority_mark;   // 发文机关标志, e.g. "瓜州县民族团结进步创建工作领导小组文件"
  std::string document_no;      // 发文字号 瓜民团发〔2018〕12号; "" for a notice
  std::string title;            // 标题
  std::vector<std::string> paragraphs_before;  // body paragraphs before the list
  std::vector<NomineeGroup> groups;
  std::vector<std::string> paragraphs_after;
  std::string signature;        // the issuing authority at the end
  std::string date;             // 成文日期 2019年1月20日
  std::string verification_code;  // printed as 核验码 at the end
  std::string verification_url;   // where to check it
};

struct Certificate {
  std::string nominee;       // the named unit or family
  std::string honour;        // "民族团结进步示范单位" / "民族团结进步示范家庭"
  std::string category;      // 乡镇, 家庭, …
  std::string office;        // the naming office, e.g. 瓜州县
  std::string year;          // 2018
  std::string document_no;
  std::string date;          // naming date, 2019年1月20日
  std::string valid_until;   // 2024年1月20日
  std::string verification_code;
  std::string verification_url;
};

std::expected<std::string, std::string> official_document_pdf(const OfficialDocument& doc, const PdfFonts& fonts = {});
// One A4 landscape page per certificate.
std::expected<std::string, std::string> certificates_pdf(const std::vector<Certificate>& certificates, const PdfFonts& fonts = {});

// "ABCDE-FGHJK": a ten-character code in two groups, for print.
std::string grouped_code(const std::string& code);
// The reverse for what people type: upper case, hyphens and spaces dropped, I L → 1, O → 0.
std::string normalise_code(std::string_view typed);

}  // namespace laurel::web::documents
