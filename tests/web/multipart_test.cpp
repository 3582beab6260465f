// multipart/form-data (web/multipart.h): the Content-Type's boundary; bodies as browsers send them
// (a preamble, CRLF in the content, a boundary-like line inside a file, an empty file input); and
// hostile bodies, each refused with its own error: no boundary, truncated anywhere, huge headers,
// too many parts, huge fields, bare LF line ends, malformed Content-Disposition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "web/multipart.h"

namespace laurel::web {
namespace {

using namespace std::string_literals;

const std::string kB = "----LaurelBoundary7MA4YWxkTrZu0gW";

std::expected<MultipartForm, MultipartProblem> parse(const std::string& body, const MultipartLimits& limits = {}) {
  std::istringstream in(body);
  return parse_multipart(in, kB, limits);
}

std::string part(const std::string& headers, const std::string& content) { return "--" + kB + "\r\n" + headers + "\r\n\r\n" + content + "\r\n"; }
std::string field(const std::string& name, const std::string& value) {
  return part("Content-Disposition: form-data; name=\"" + name + "\"", value);
}
std::string file(const std::string& name, const std::string& filename, const std::string& content, const std::string& type = "application/pdf") {
  return part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\nContent-Type: " + type, content);
}
std::string close() { return "--" + kB + "--\r\n"; }

// The bytes of a file part, cut out of the body by the offsets the parser gives.
std::string bytes_of(const std::string& body, const MultipartFile& f) { return body.substr(f.offset, f.length); }

MultipartError error_of(const std::string& body, const MultipartLimits& limits = {}) {
  auto r = parse(body, limits);
  EXPECT_FALSE(r.has_value()) << "accepted: " << body.substr(0, 200);
  return r ? MultipartError::read_failed : r.error().code;
}

TEST(MultipartBoundary, FromTheContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + kB).value(), kB);
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;BOUNDARY=\"a b'()+_,-./:=?\"").value(), "a b'()+_,-./:=?");
  EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; boundary=x; foo=bar").value(), "x");
  EXPECT_EQ(multipart_boundary("application/x-www-form-urlencoded").error().code, MultipartError::not_multipart);
  EXPECT_EQ(multipart_boundary("multipart/mixed; boundary=x").error().code, MultipartError::not_multipart);
  EXPECT_EQ(multipart_boundary("").error().code, MultipartError::not_multipart);
  EXPECT_EQ(multipart_boundary("multipart/form-data").error().code, MultipartError::bad_boundary);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=").error().code, MultipartError::bad_boundary);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"\"").error().code, MultipartError::bad_boundary);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"unterminated").error().code, MultipartError::bad_boundary);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')).error().code, MultipartError::bad_boundary);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=a\"b").error().code, MultipartError::bad_boundary);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"ends with space \"").error().code, MultipartError::bad_boundary);
}

TEST(Multipart, AFormAsABrowserSendsIt) {
  std::string pdf = "%PDF-1.4\r\n\r\nbinary \0\xff\xfe bytes\r\n--not-the-boundary\r\n"s;
  pdf += std::string(200000, 'x');  // across several reads
  std::string body = field("csrf", "token-123") + field("material", "application_form") + file("file", "申报表.pdf", pdf) + close();
  auto form = parse(body);
  ASSERT_TRUE(form) << form.error().detail;
  EXPECT_EQ(form->field("csrf"), "token-123");
  EXPECT_EQ(form->field("material"), "application_form");
  EXPECT_EQ(form->field("absent"), "");
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].name, "file");
  EXPECT_EQ(form->files[0].filename, "申报表.pdf");
  EXPECT_EQ(form->files[0].content_type, "application/pdf");
  EXPECT_EQ(bytes_of(body, form->files[0]), pdf);
}

TEST(Multipart, APreambleAndAnEpilogueAreIgnoredAndPaddingAfterABoundaryIsAllowed) {
  std::string body = "This is a preamble.\r\n" + field("a", "1") + "--" + kB + " \t\r\n" +
                     "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n" + close() + "an epilogue\r\n--" + kB + "--\r\n";
  auto form = parse(body);
  ASSERT_TRUE(form) << form.error().detail;
  ASSERT_EQ(form->fields.size(), 2u);
  EXPECT_EQ(form->field("a"), "1");
  EXPECT_EQ(form->field("b"), "2");
}

TEST(Multipart, TheBoundaryInsideDataIsDataUnlessItStartsALine) {
  // Mid-line, or at a line start but followed by more boundary characters: content.
  std::string content = "abc--" + kB + "--\r\nline\r\n--" + kB + "X and more\r\n--" + kB.substr(0, 10) + "\r\n";
  std::string body = file("file", "a.txt", content, "text/plain") + close();
  auto form = parse(body);
  ASSERT_TRUE(form) << form.error().detail;
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(bytes_of(body, form->files[0]), content);
}

TEST(Multipart, CrlfAtTheEdgesOfTheContentBelongsToIt) {
  for (std::string content : {std::string(""), std::string("\r\n"), std::string("\r\n\r\n"), std::string("\r"), std::string("\n"),
                              std::string("x\r"), std::string("\r\nx"), std::string("--"), std::string("\r\n--")}) {
    std::string body = file("file", "a.bin", content) + close();
    auto form = parse(body);
    ASSERT_TRUE(form) << form.error().detail << " for content of " << content.size() << " bytes";
    ASSERT_EQ(form->files.size(), 1u);
    EXPECT_EQ(bytes_of(body, form->files[0]), content);
  }
}

TEST(Multipart, AnEmptyFileInputAndTwoFilesAreReportedAsSent) {
  // The route decides what to accept; the parser says what came.
  std::string empty = field("csrf", "t") + part("Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream", "") + close();
  auto form = parse(empty);
  ASSERT_TRUE(form);
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].filename, "");
  EXPECT_EQ(form->files[0].length, 0u);

  std::string two = file("file", "a.pdf", "%PDF-a") + file("file", "b.pdf", "%PDF-bb") + close();
  form = parse(two);
  ASSERT_TRUE(form);
  ASSERT_EQ(form->files.size(), 2u);
  EXPECT_EQ(bytes_of(two, form->files[1]), "%PDF-bb");

  std::string none = field("csrf", "t") + field("material", "deeds") + close();
  form = parse(none);
  ASSERT_TRUE(form);
  EXPECT_TRUE(form->files.empty());
}

TEST(Multipart, DispositionParametersAsBrowsersWriteThem) {
  // A path from an old browser, a backslash kept as it is, a quote sent as %22, unquoted values, any case,
  // and filename* ignored.
  std::string body = part("content-disposition: Form-Data; NAME=file; Filename=\"C:\\Users\\me\\a %22b%22.pdf\"; filename*=UTF-8''x.pdf", "%PDF-") +
                     part("Content-Disposition: form-data; name=\"no-headers-after\"", "v") + close();
  auto form = parse(body);
  ASSERT_TRUE(form) << form.error().detail;
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].name, "file");
  EXPECT_EQ(form->files[0].filename, "C:\\Users\\me\\a %22b%22.pdf");
  EXPECT_EQ(form->files[0].content_type, "");
  EXPECT_EQ(form->field("no-headers-after"), "v");
}

TEST(Multipart, NoBoundaryInTheBody) {
  EXPECT_EQ(error_of(""), MultipartError::no_boundary_line);
  EXPECT_EQ(error_of("just some text without any boundary\r\n"), MultipartError::no_boundary_line);
  EXPECT_EQ(error_of("--other-boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--other-boundary--\r\n"),
            MultipartError::no_boundary_line);
  std::istringstream in("x");
  EXPECT_EQ(parse_multipart(in, "").error().code, MultipartError::bad_boundary);
}

TEST(Multipart, TruncatedAnywhere) {
  std::string body = field("csrf", "token") + file("file", "a.pdf", "%PDF-1.4 content") + close();
  // Every prefix short of the closing delimiter is refused, as truncated or (before the first
  // boundary is complete) as having none; never accepted, never a crash.
  std::size_t complete = body.size() - 2;  // the closing "--" may lack its CRLF
  for (std::size_t n = 0; n < complete; ++n) {
    auto r = parse(body.substr(0, n));
    ASSERT_FALSE(r.has_value()) << "accepted a body cut at " << n;
    EXPECT_TRUE(r.error().code == MultipartError::truncated || r.error().code == MultipartError::no_boundary_line ||
                r.error().code == MultipartError::bad_boundary_line)
        << "cut at " << n << ": " << to_string(r.error().code);
  }
  EXPECT_TRUE(parse(body.substr(0, complete)));
  EXPECT_EQ(error_of(field("a", "1")), MultipartError::truncated);
  EXPECT_EQ(error_of("--" + kB), MultipartError::truncated);
  EXPECT_EQ(error_of("--" + kB + "\r\nContent-Disposition: form-data; name=\"a\"\r\n"), MultipartError::truncated);
}

TEST(Multipart, HugeHeadersAreRefused) {
  std::string huge = "Content-Disposition: form-data; name=\"a\"\r\nX-Filler: " + std::string(10000, 'y');
  EXPECT_EQ(error_of(part(huge, "1") + close()), MultipartError::header_too_large);
  // Many small header lines add up too.
  std::string many = "Content-Disposition: form-data; name=\"a\"";
  for (int i = 0; i < 800; ++i) many += "\r\nX-" + std::to_string(i) + ": z";
  EXPECT_EQ(error_of(part(many, "1") + close()), MultipartError::header_too_large);
  // Headers that never end (no empty line) within the limit.
  EXPECT_EQ(error_of("--" + kB + "\r\n" + std::string(100000, 'h')), MultipartError::header_too_large);
  // Just under a small limit: accepted.
  MultipartLimits small;
  small.max_part_header_bytes = 64;
  EXPECT_TRUE(parse(field("a", "1") + close(), small));
  EXPECT_EQ(error_of(part("Content-Disposition: form-data; name=\"" + std::string(80, 'n') + "\"", "1") + close(), small),
            MultipartError::header_too_large);
}

TEST(Multipart, TooManyPartsAndTooLongFields) {
  std::string body;
  for (int i = 0; i < 17; ++i) body += field("f" + std::to_string(i), "v");
  EXPECT_EQ(error_of(body + close()), MultipartError::too_many_parts);
  MultipartLimits limits;
  limits.max_field_bytes = 100;
  EXPECT_TRUE(parse(field("a", std::string(100, 'v')) + close(), limits));
  EXPECT_EQ(error_of(field("a", std::string(101, 'v')) + close(), limits), MultipartError::field_too_large);
  // A file part is not held, whatever its size.
  EXPECT_TRUE(parse(file("file", "big.pdf", std::string(300000, 'b')) + close(), limits));
  EXPECT_EQ(error_of(field("a", std::string(500000, 'v')) + close()), MultipartError::field_too_large);
}

TEST(Multipart, LineEndsMustBeCrlf) {
  // A body written with bare LF throughout.
  std::string lf = "--" + kB + "\nContent-Disposition: form-data; name=\"a\"\n\n1\n--" + kB + "--\n";
  EXPECT_EQ(error_of(lf), MultipartError::bad_boundary_line);
  // A boundary line with text after it.
  EXPECT_EQ(error_of("--" + kB + "  junk\r\n" + close()), MultipartError::bad_boundary_line);
  // A bare LF or CR inside a header line, and a folded header line.
  EXPECT_EQ(error_of(part("Content-Disposition: form-data;\n name=\"a\"", "1") + close()), MultipartError::bad_header);
  EXPECT_EQ(error_of(part("Content-Disposition: form-data; name=\"a\"\rX: y", "1") + close()), MultipartError::bad_header);
  EXPECT_EQ(error_of(part("Content-Disposition: form-data;\r\n name=\"a\"", "1") + close()), MultipartError::bad_header);
}

TEST(Multipart, MalformedPartHeaders) {
  const std::string cd = "Content-Disposition: form-data; name=\"a\"";
  const std::pair<std::string, MultipartError> cases[] = {
      {"Content-Type: text/plain", MultipartError::no_disposition},
      {"Content-Disposition: attachment; name=\"a\"", MultipartError::no_disposition},
      {"Content-Disposition: form-data", MultipartError::no_disposition},
      {"Content-Disposition: form-data; name=\"\"", MultipartError::no_disposition},
      {"Content-Disposition: form-data; name=\"a", MultipartError::bad_header},
      {"Content-Disposition: form-data; name", MultipartError::bad_header},
      {cd + " junk", MultipartError::bad_header},
      {cd + "; name=\"b\"", MultipartError::bad_header},
      {cd + "\r\n" + cd, MultipartError::bad_header},
      {cd + "\r\nContent-Type: a\r\nContent-Type: b", MultipartError::bad_header},
      {cd + "\r\nContent-Transfer-Encoding: base64", MultipartError::bad_header},
      {cd + "\r\nno colon here", MultipartError::bad_header},
      {cd + "\r\nBad Name: x", MultipartError::bad_header},
      {cd + "\r\nX: nul" + '\0' + "here", MultipartError::bad_header},
  };
  for (const auto& [headers, error] : cases) {
    EXPECT_EQ(to_string(error_of(part(headers, "1") + close())), to_string(error)) << headers;
  }
  EXPECT_EQ(error_of("--" + kB + "\r\n\r\n1\r\n" + close()), MultipartError::no_disposition);  // no headers at all
  EXPECT_TRUE(parse(part(cd + "\r\nContent-Transfer-Encoding: binary", "1") + close()));
}

TEST(Multipart, ARealFileOnDiskIsReadInChunksWithOffsetsIntoIt) {
  // The size of a photo, with the delimiter's prefix straddling every read boundary somewhere.
  std::string content;
  for (int i = 0; content.size() < 3 * 1024 * 1024; ++i) content += "\r\n--" + kB.substr(0, static_cast<std::size_t>(i % 30)) + "\r\r\n-";
  std::string body = field("csrf", "t") + file("file", "photo.jpg", content, "image/jpeg") + close();
  auto form = parse(body);
  ASSERT_TRUE(form) << form.error().detail;
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].length, content.size());
  EXPECT_TRUE(bytes_of(body, form->files[0]) == content);
}

}  // namespace
}  // namespace laurel::web
