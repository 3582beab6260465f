// Attachments on disk: content-addressed by SHA-256 in a folder beside the database. A file is
// streamed to a temporary name while it is hashed and measured, refused past the size limit, fsynced,
// renamed to its hash and the folder fsynced, all before the record that refers to it commits. Its
// type is decided by its content (magic bytes), never by its name or the declared Content-Type.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace laurel::storage {

struct StoredFile {
  std::string sha256;        // lower-case hex
  std::int64_t size = 0;
  std::string content_type;  // detected from the content; "application/octet-stream" when unknown
};

struct AttachmentError {
  enum class Kind { too_large, empty, io };
  Kind kind;
  std::string message;
};

// The media type of a file from its first bytes: PDF, PNG, JPEG, DOCX, XLSX, or octet-stream.
std::string sniff_content_type(std::span<const std::uint8_t> head);
// The SHA-256 of `data` in lower-case hexadecimal (as attachments are named).
std::string sha256_hex(std::string_view data);

class AttachmentStore {
 public:
  AttachmentStore(std::filesystem::path folder, std::int64_t max_bytes);

  // Receives one file in pieces. Use: begin(), write() per chunk, then finish() or abandon().
  class Upload {
   public:
    Upload();
    Upload(Upload&&) noexcept;
    Upload& operator=(Upload&&) noexcept;
    ~Upload();
    // Appends a chunk; fails (and abandons) once the total passes the limit.
    std::expected<void, AttachmentError> write(std::span<const std::uint8_t> chunk);
    std::expected<StoredFile, AttachmentError> finish();
    void abandon();

   private:
    friend class AttachmentStore;
    struct State;
    std::unique_ptr<State> state_;
  };

  std::expected<Upload, AttachmentError> begin();
  // One-shot convenience for whole buffers.
  std::expected<StoredFile, AttachmentError> put(std::span<const std::uint8_t> bytes);
  // Streams `length` bytes of the file at `source` from `offset` (a request body the server wrote to
  // disk, or the file part inside one), in chunks; a source shorter than that is an io error.
  std::expected<StoredFile, AttachmentError> put_file(const std::filesystem::path& source, std::uint64_t offset, std::uint64_t length);
  // The path of a stored file, or nullopt when absent (or the hash is malformed).
  std::optional<std::filesystem::path> path_of(const std::string& sha256) const;
  std::int64_t max_bytes() const { return max_bytes_; }

 private:
  std::filesystem::path folder_;
  std::int64_t max_bytes_;
};

}  // namespace laurel::storage
