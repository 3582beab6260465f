#include "web/documents_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace laurel::web::documents {
namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kA4W = 210 * kMm, kA4H = 297 * kMm;

// GB/T 9704-2012: top 37 mm, binding (left) 28 mm, a 156 × 225 mm block, 22 lines a page.
constexpr double kTop = 37 * kMm, kLeft = 28 * kMm, kWidth = 156 * kMm, kHeight = 225 * kMm;
constexpr double kBodyPitch = kHeight / 22;

struct Colour {
  double r, g, b;
};
constexpr Colour kBlack{0, 0, 0};
constexpr Colour kRed{0.8, 0.0, 0.0};

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDeleter { void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); } };
struct ContextDeleter { void operator()(cairo_t* c) const { cairo_destroy(c); } };
struct LayoutDeleter { void operator()(PangoLayout* l) const { g_object_unref(l); } };
struct FontDeleter { void operator()(PangoFontDescription* f) const { pango_font_description_free(f); } };

enum class Align { left, centre, right };

// A PDF being drawn: pages of one size, text laid out by pango line by line so that a paragraph
// flows onto the next page.
class Pdf {
 public:
  Pdf(double width, double height, std::string title) : width_(width), height_(height) {
    surface_.reset(cairo_pdf_surface_create_for_stream(append, &bytes_, width, height));
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "Laurel");
    cr_.reset(cairo_create(surface_.get()));
  }
  cairo_t* cr() { return cr_.get(); }
  double width() const { return width_; }
  double height() const { return height_; }

  std::unique_ptr<PangoLayout, LayoutDeleter> layout(const std::string& text, const std::string& font, double size, double width,
                                                     Align align, double indent = 0) {
    std::unique_ptr<PangoLayout, LayoutDeleter> l(pango_cairo_create_layout(cr_.get()));
    std::unique_ptr<PangoFontDescription, FontDeleter> fd(pango_font_description_from_string(font.c_str()));
    pango_font_description_set_absolute_size(fd.get(), size * PANGO_SCALE);
    pango_layout_set_font_description(l.get(), fd.get());
    pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l.get(), align == Align::left ? PANGO_ALIGN_LEFT : align == Align::centre ? PANGO_ALIGN_CENTER : PANGO_ALIGN_RIGHT);
    pango_layout_set_indent(l.get(), static_cast<int>(indent * PANGO_SCALE));
    pango_layout_set_text(l.get(), text.c_str(), -1);
    return l;
  }

  // Draws a paragraph at (x, y) with a fixed line pitch; lines past `bottom` go to new pages (each
  // through `on_new_page`, which returns the y to continue at). Returns the y after the paragraph.
  template <typename NewPage>
  double paragraph(double x, double y, double bottom, double pitch, PangoLayout* l, Colour c, NewPage&& on_new_page) {
    cairo_set_source_rgb(cr_.get(), c.r, c.g, c.b);
    PangoLayoutIter* it = pango_layout_get_iter(l);
    do {
      if (y + pitch > bottom) y = on_new_page();
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      int baseline = pango_layout_iter_get_baseline(it);
      PangoLayoutLine* line = pango_layout_iter_get_line_readonly(it);
      double ascent = (baseline - logical.y) / static_cast<double>(PANGO_SCALE);
      double line_h = logical.height / static_cast<double>(PANGO_SCALE);
      cairo_move_to(cr_.get(), x + logical.x / static_cast<double>(PANGO_SCALE), y + (pitch - line_h) / 2 + ascent);
      pango_cairo_show_layout_line(cr_.get(), line);
      y += pitch;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    return y;
  }

  void line(double x1, double y1, double x2, double y2, double w, Colour c) {
    cairo_set_source_rgb(cr_.get(), c.r, c.g, c.b);
    cairo_set_line_width(cr_.get(), w);
    cairo_move_to(cr_.get(), x1, y1);
    cairo_line_to(cr_.get(), x2, y2);
    cairo_stroke(cr_.get());
  }
  void rectangle(double x, double y, double w, double h, double lw, Colour c) {
    cairo_set_source_rgb(cr_.get(), c.r, c.g, c.b);
    cairo_set_line_width(cr_.get(), lw);
    cairo_rectangle(cr_.get(), x, y, w, h);
    cairo_stroke(cr_.get());
  }
  void show_page() { cairo_show_page(cr_.get()); }

  std::expected<std::string, std::string> finish() {
    cr_.reset();
    cairo_surface_finish(surface_.get());
    cairo_status_t st = cairo_surface_status(surface_.get());
    surface_.reset();
    if (st != CAIRO_STATUS_SUCCESS) return std::unexpected(std::string("cairo: ") + cairo_status_to_string(st));
    return std::move(bytes_);
  }

 private:
  double width_, height_;
  std::string bytes_;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface_;
  std::unique_ptr<cairo_t, ContextDeleter> cr_;
};

std::string join(const std::vector<std::string>& names, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? sep : "") + names[i];
  return out;
}

const char* kChineseNumbers[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"};

}  // namespace

std::string grouped_code(const std::string& code) {
  if (code.size() != 10) return code;
  return code.substr(0, 5) + "-" + code.substr(5);
}

std::string normalise_code(std::string_view typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (u == 'I' || u == 'L') u = '1';
    if (u == 'O') u = '0';
    if (!std::isalnum(static_cast<unsigned char>(u))) return "";
    out.push_back(u);
    if (out.size() > 16) return "";
  }
  return out;
}

std::expected<std::string, std::string> official_document_pdf(const OfficialDocument& doc, const PdfFonts& fonts) {
  Pdf pdf(kA4W, kA4H, doc.title);
  const double bottom = kTop + kHeight;
  int page = 1;
  auto foot = [&] {
    // Page numbers at the foot: "— 1 —", 4号 (14 pt), outer side (right on odd pages, left on even).
    auto l = pdf.layout("— " + std::to_string(page) + " —", fonts.body, 14, kWidth, page % 2 ? Align::right : Align::left);
    pdf.paragraph(kLeft, bottom + 7 * kMm, kA4H, 20, l.get(), kBlack, [] { return 0.0; });
  };
  auto new_page = [&] {
    foot();
    pdf.show_page();
    ++page;
    return kTop;
  };

  // The head: the authority's mark in red, the document number, the red separator line.
  double y = kTop - 2 * kMm;
  {
    // The mark on one line: as large as fits (at most 36 pt), as the red heads of real documents are.
    std::size_t chars = 0;
    for (unsigned char ch : doc.authority_mark) chars += (ch & 0xC0) != 0x80;
    double size = std::min(36.0, kWidth / static_cast<double>(std::max<std::size_t>(chars, 1)) * 0.98);
    auto mark = pdf.layout(doc.authority_mark, fonts.mark, size, kWidth, Align::centre);
    y = pdf.paragraph(kLeft, y, bottom, 44, mark.get(), kRed, new_page);
  }
  y += kBodyPitch;
  if (!doc.document_no.empty()) {
    auto no = pdf.layout(doc.document_no, fonts.body, 16, kWidth, Align::centre);
    y = pdf.paragraph(kLeft, y, bottom, kBodyPitch, no.get(), kBlack, new_page);
  }
  y += 4 * kMm;
  pdf.line(kLeft, y, kLeft + kWidth, y, 1.5, kRed);
  y += 2 * kBodyPitch;
  {
    auto title = pdf.layout(doc.title, fonts.title, 22, kWidth, Align::centre);
    y = pdf.paragraph(kLeft, y, bottom, 36, title.get(), kBlack, new_page);
  }
  y += kBodyPitch;
  auto body = [&](const std::string& text, double indent_chars, Align align = Align::left) {
    auto l = pdf.layout(text, fonts.body, 16, kWidth, align, indent_chars * 16);
    y = pdf.paragraph(kLeft, y, bottom, kBodyPitch, l.get(), kBlack, new_page);
  };
  for (const auto& p : doc.paragraphs_before) body(p, 2);
  for (std::size_t g = 0; g < doc.groups.size(); ++g) {
    const auto& group = doc.groups[g];
    std::string n = g < std::size(kChineseNumbers) ? kChineseNumbers[g] : std::to_string(g + 1);
    body(n + "、" + group.heading + "（" + std::to_string(group.names.size()) + "个）", 2);
    body(join(group.names, "、"), 2);
  }
  for (const auto& p : doc.paragraphs_after) body(p, 2);
  y += kBodyPitch;
  if (!doc.signature.empty()) body(doc.signature, 0, Align::right);
  if (!doc.date.empty()) body(doc.date, 0, Align::right);
  if (!doc.verification_code.empty()) {
    y += kBodyPitch / 2;
    auto l = pdf.layout("核验码：" + grouped_code(doc.verification_code) + (doc.verification_url.empty() ? "" : "　核验网址：" + doc.verification_url),
                        fonts.body, 10.5, kWidth, Align::left);
    y = pdf.paragraph(kLeft, y, bottom, 16, l.get(), kBlack, new_page);
  }
  foot();
  pdf.show_page();
  return pdf.finish();
}

std::expected<std::string, std::string> certificates_pdf(const std::vector<Certificate>& certificates, const PdfFonts& fonts) {
  if (certificates.empty()) return std::unexpected(std::string("no certificates to print"));
  Pdf pdf(kA4H, kA4W, "荣誉证书");
  const double w = pdf.width(), h = pdf.height();
  const double margin = 18 * kMm, inner = 24 * kMm;
  auto no_break = [] { return 0.0; };
  for (const auto& c : certificates) {
    pdf.rectangle(margin, margin, w - 2 * margin, h - 2 * margin, 4, kRed);
    pdf.rectangle(margin + 6, margin + 6, w - 2 * margin - 12, h - 2 * margin - 12, 1, kRed);
    const double x = margin + inner, width = w - 2 * (margin + inner);
    double y = margin + 22 * kMm;
    auto title = pdf.layout("荣 誉 证 书", fonts.mark, 40, width, Align::centre);
    y = pdf.paragraph(x, y, h, 56, title.get(), kRed, no_break);
    y += 10 * kMm;
    auto name = pdf.layout(c.nominee + "：", fonts.title, 24, width, Align::left);
    y = pdf.paragraph(x, y, h, 40, name.get(), kBlack, no_break);
    std::string text = "经审核、评审和公示，" + c.office + "决定命名你" + (c.honour.ends_with("家庭") ? "家" : "单位") + "为" + c.year +
                       "年度" + c.office + c.honour + "（" + c.category + "）。特发此证，以资鼓励。";
    auto body = pdf.layout(text, fonts.body, 20, width, Align::left, 40);
    y = pdf.paragraph(x, y + 4 * kMm, h, 36, body.get(), kBlack, no_break);
    double foot_y = h - margin - 48 * kMm;
    auto office = pdf.layout(c.office, fonts.body, 20, width, Align::right);
    pdf.paragraph(x, foot_y, h, 32, office.get(), kBlack, no_break);
    auto date = pdf.layout(c.date, fonts.body, 20, width, Align::right);
    pdf.paragraph(x, foot_y + 32, h, 32, date.get(), kBlack, no_break);
    std::string small = "文号：" + c.document_no + "　有效期至：" + c.valid_until + "　核验码：" + grouped_code(c.verification_code);
    // The address on a line of its own: beside the rest it could wrap inside the address (the
    // code's glyphs vary in width), and a reader types it from the paper.
    if (!c.verification_url.empty()) small += "\n核验：" + c.verification_url;
    auto s = pdf.layout(small, fonts.body, 10, width, Align::left);
    pdf.paragraph(x, h - margin - 16 * kMm, h, 14, s.get(), kBlack, no_break);
    pdf.show_page();
  }
  return pdf.finish();
}

}  // namespace laurel::web::documents
