#include "storage/attachments.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace laurel::storage {
namespace fs = std::filesystem;

namespace {

bool starts_with(std::span<const std::uint8_t> data, std::string_view magic) {
  return data.size() >= magic.size() && std::memcmp(data.data(), magic.data(), magic.size()) == 0;
}

bool contains(std::span<const std::uint8_t> data, std::string_view needle) {
  auto it = std::search(data.begin(), data.end(), needle.begin(), needle.end(),
                        [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); });
  return it != data.end();
}

std::string hex(const unsigned char* p, std::size_t n);

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr);
  return hex(d, n);
}

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) { out.push_back(digits[p[i] >> 4]); out.push_back(digits[p[i] & 15]); }
  return out;
}

AttachmentError io_error(const std::string& what) { return {AttachmentError::Kind::io, what + ": " + std::strerror(errno)}; }

}  // namespace

std::string sniff_content_type(std::span<const std::uint8_t> head) {
  if (starts_with(head, "%PDF-")) return "application/pdf";
  if (starts_with(head, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts_with(head, "\xFF\xD8\xFF")) return "image/jpeg";
  if (starts_with(head, "PK\x03\x04")) {
    if (contains(head, "word/")) return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    if (contains(head, "xl/")) return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return "application/zip";
  }
  return "application/octet-stream";
}

struct AttachmentStore::Upload::State {
  fs::path folder;
  fs::path temp;
  int fd = -1;
  std::int64_t size = 0;
  std::int64_t max = 0;
  EVP_MD_CTX* md = nullptr;
  std::vector<std::uint8_t> head;  // the first bytes, for sniffing

  ~State() {
    if (fd >= 0) ::close(fd);
    if (!temp.empty()) {
      std::error_code ec;
      fs::remove(temp, ec);
    }
    if (md) EVP_MD_CTX_free(md);
  }
};

AttachmentStore::Upload::Upload() = default;
AttachmentStore::Upload::Upload(Upload&&) noexcept = default;
AttachmentStore::Upload& AttachmentStore::Upload::operator=(Upload&&) noexcept = default;
AttachmentStore::Upload::~Upload() = default;

void AttachmentStore::Upload::abandon() { state_.reset(); }

std::expected<void, AttachmentError> AttachmentStore::Upload::write(std::span<const std::uint8_t> chunk) {
  if (!state_) return std::unexpected(AttachmentError{AttachmentError::Kind::io, "the upload was abandoned"});
  auto& s = *state_;
  if (s.size + static_cast<std::int64_t>(chunk.size()) > s.max) {
    AttachmentError err{AttachmentError::Kind::too_large, "the file is larger than the limit of " + std::to_string(s.max) + " bytes"};
    state_.reset();
    return std::unexpected(std::move(err));
  }
  if (s.head.size() < 8192) {
    auto take = std::min<std::size_t>(chunk.size(), 8192 - s.head.size());
    s.head.insert(s.head.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
  }
  EVP_DigestUpdate(s.md, chunk.data(), chunk.size());
  const std::uint8_t* p = chunk.data();
  std::size_t left = chunk.size();
  while (left > 0) {
    ssize_t n = ::write(s.fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = io_error("writing the attachment");
      state_.reset();
      return std::unexpected(err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  s.size += static_cast<std::int64_t>(chunk.size());
  return {};
}

std::expected<StoredFile, AttachmentError> AttachmentStore::Upload::finish() {
  if (!state_) return std::unexpected(AttachmentError{AttachmentError::Kind::io, "the upload was abandoned"});
  auto& s = *state_;
  if (s.size == 0) {
    state_.reset();
    return std::unexpected(AttachmentError{AttachmentError::Kind::empty, "the file is empty"});
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(s.md, digest, &len);
  StoredFile out{hex(digest, len), s.size, sniff_content_type(s.head)};
  if (::fsync(s.fd) != 0) {
    auto err = io_error("fsync of the attachment");
    state_.reset();
    return std::unexpected(err);
  }
  ::close(s.fd);
  s.fd = -1;
  fs::path final_path = s.folder / out.sha256;
  if (::rename(s.temp.c_str(), final_path.c_str()) != 0) {
    auto err = io_error("renaming the attachment");
    state_.reset();
    return std::unexpected(err);
  }
  s.temp.clear();
  int dir = ::open(s.folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  state_.reset();
  return out;
}

AttachmentStore::AttachmentStore(fs::path folder, std::int64_t max_bytes) : folder_(std::move(folder)), max_bytes_(max_bytes) {}

std::expected<AttachmentStore::Upload, AttachmentError> AttachmentStore::begin() {
  Upload u;
  u.state_ = std::make_unique<Upload::State>();
  auto& s = *u.state_;
  s.folder = folder_;
  s.max = max_bytes_;
  unsigned char rnd[8];
  randombytes_buf(rnd, sizeof rnd);
  s.temp = folder_ / (".upload-" + hex(rnd, sizeof rnd));
  s.fd = ::open(s.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (s.fd < 0) {
    s.temp.clear();
    return std::unexpected(io_error("creating a file in " + folder_.string()));
  }
  s.md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(s.md, EVP_sha256(), nullptr);
  return u;
}

std::expected<StoredFile, AttachmentError> AttachmentStore::put(std::span<const std::uint8_t> bytes) {
  auto u = begin();
  if (!u) return std::unexpected(u.error());
  if (auto w = u->write(bytes); !w) return std::unexpected(w.error());
  return u->finish();
}

std::expected<StoredFile, AttachmentError> AttachmentStore::put_file(const fs::path& source, std::uint64_t offset, std::uint64_t length) {
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(io_error("opening " + source.string()));
  auto u = begin();
  if (!u) {
    ::close(fd);
    return std::unexpected(u.error());
  }
  std::vector<std::uint8_t> buf(std::size_t{1} << 16);
  std::expected<StoredFile, AttachmentError> out = std::unexpected(AttachmentError{AttachmentError::Kind::io, "the upload was abandoned"});
  auto at = static_cast<off_t>(offset);
  while (length > 0) {
    ssize_t n = ::pread(fd, buf.data(), static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length)), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      out = std::unexpected(n < 0 ? io_error("reading " + source.string()) : AttachmentError{AttachmentError::Kind::io, source.string() + " ends early"});
      break;
    }
    if (auto w = u->write(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n))); !w) {
      out = std::unexpected(w.error());
      break;
    }
    at += n;
    length -= static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  if (length == 0) out = u->finish();
  return out;
}

std::optional<fs::path> AttachmentStore::path_of(const std::string& sha256) const {
  if (sha256.size() != 64 || !std::all_of(sha256.begin(), sha256.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
    return std::nullopt;
  }
  fs::path p = folder_ / sha256;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

}  // namespace laurel::storage
