// multipart/form-data (RFC 7578 on RFC 2046 §5.1): the body of an HTML form that posts a file, which
// is how a nomination's material is uploaded without JavaScript. The body is read once from a stream
// (the request body the server wrote to disk) in chunks: a file part's bytes are never held, the
// result gives their offset and length in the body so that the caller copies them from there; plain
// fields are kept, up to a limit. Malformed input and input past a limit are error values naming the
// problem, never exceptions. Boost (1.81) has no multipart parser: Beast stops at the HTTP message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace laurel::web {

struct MultipartLimits {
  std::size_t max_parts = 16;               // fields and files together
  std::size_t max_part_header_bytes = 4096;  // one part's header block
  std::size_t max_field_bytes = 16 * 1024;   // one plain field's value
};

struct MultipartField {
  std::string name;
  std::string value;
};

// A part with a `filename` parameter (an <input type="file">; the filename is "" when none was chosen).
struct MultipartFile {
  std::string name;          // the form field's name
  std::string filename;      // as sent (a browser sends the base name; old ones a whole path)
  std::string content_type;  // as declared ("" when absent): a hint only, the content decides
  std::uint64_t offset = 0;  // of the first content byte in the body
  std::uint64_t length = 0;
};

struct MultipartForm {
  std::vector<MultipartField> fields;
  std::vector<MultipartFile> files;
  // The value of the first field called `name`, or "".
  std::string field(std::string_view name) const;
};

enum class MultipartError {
  not_multipart,     // the Content-Type is not multipart/form-data
  bad_boundary,      // the boundary parameter is missing, empty, too long or has characters RFC 2046 forbids
  no_boundary_line,  // the body never shows the boundary
  bad_boundary_line, // a boundary line not followed by "--" or a line end
  truncated,         // the body ends inside a part or before the closing boundary
  header_too_large,  // a part's header block is past the limit
  bad_header,        // a header line that is not "Name: value" with CRLF, or a repeated or unknown encoding
  no_disposition,    // a part without Content-Disposition: form-data; name="..."
  too_many_parts,
  field_too_large,
  read_failed,       // the stream failed (an I/O error)
};

struct MultipartProblem {
  MultipartError code;
  std::string detail;  // English, for logs and the English page
};

std::string_view to_string(MultipartError e);

// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not, any case).
std::expected<std::string, MultipartProblem> multipart_boundary(std::string_view content_type);

// Reads the whole body from `body`. Offsets count from the stream's position at the call.
std::expected<MultipartForm, MultipartProblem> parse_multipart(std::istream& body, std::string_view boundary,
                                                                const MultipartLimits& limits = {});

}  // namespace laurel::web
