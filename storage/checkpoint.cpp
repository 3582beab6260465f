#include "storage/checkpoint.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace laurel::storage::checkpoint {
namespace {

constexpr std::uint8_t kEd25519 = 0x01;  // the signed-note signature type of Ed25519
constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr std::string_view kSignerKeyPrefix = "PRIVATE+KEY+";
constexpr std::string_view kBodyError = "malformed checkpoint body: ";
constexpr std::size_t kMaxSignatures = 100;  // the signed-note spec asks for at least 16
constexpr off_t kMaxKeyFileBytes = 4096;

static_assert(crypto_sign_SECRETKEYBYTES == 64 && crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_SEEDBYTES == 32);
static_assert(crypto_sign_BYTES == 64 && crypto_hash_sha256_BYTES == 32);

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string base64(std::span<const std::uint8_t> bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// Standard base64 with padding, all of the input, and canonical: re-encoding must give the same text,
// so that one value has one spelling (no stray bits in the last character).
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text) {
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  std::string again = base64(out);
  const bool canonical = again == text;
  sodium_memzero(again.data(), again.size());
  if (!canonical) {
    sodium_memzero(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

std::string hex_key_id(std::uint32_t key_id) {
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(key_id));
  return text;
}

// Exactly 8 lowercase hexadecimal digits.
std::optional<std::uint32_t> parse_hex_key_id(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<std::uint32_t>(digit);
  }
  return value;
}

std::uint32_t compute_key_id(std::string_view name, std::span<const std::uint8_t, 32> public_key) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, bytes_of(name).data(), name.size());
  const std::uint8_t separator[] = {'\n', kEd25519};
  crypto_hash_sha256_update(&state, separator, sizeof separator);
  crypto_hash_sha256_update(&state, public_key.data(), public_key.size());
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  return std::uint32_t{digest[0]} << 24 | std::uint32_t{digest[1]} << 16 | std::uint32_t{digest[2]} << 8 |
         std::uint32_t{digest[3]};
}

// Calls visit(code point) for each UTF-8 sequence; false on invalid UTF-8 (overlong forms,
// surrogates, beyond U+10FFFF, truncation) or when visit returns false.
template <typename Visit>
bool for_each_code_point(std::string_view text, Visit visit) {
  const auto* p = bytes_of(text).data();
  const auto* const end = p + text.size();
  while (p < end) {
    const std::uint32_t lead = *p;
    std::uint32_t code_point = 0;
    int continuation = 0;
    std::uint32_t minimum = 0;
    if (lead < 0x80) {
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      code_point = lead & 0x1F, continuation = 1, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      code_point = lead & 0x0F, continuation = 2, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      code_point = lead & 0x07, continuation = 3, minimum = 0x10000;
    } else {
      return false;
    }
    ++p;
    if (end - p < continuation) return false;
    for (int i = 0; i < continuation; ++i, ++p) {
      if ((*p & 0xC0) != 0x80) return false;
      code_point = code_point << 6 | (*p & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
    if (!visit(code_point)) return false;
  }
  return true;
}

// Unicode's White_Space property (what Go's unicode.IsSpace tests, as the note format requires).
bool is_unicode_space(std::uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_control(std::uint32_t c) { return c < 0x20 || c == 0x7F; }

// Valid UTF-8 with no ASCII control character other than newline, as the signed-note format asks.
bool is_valid_note_text(std::string_view text) {
  return for_each_code_point(text, [](std::uint32_t c) { return c >= 0x20 || c == '\n'; });
}

// Splits at the first `separator`: {before, after}; nullopt when there is none.
std::optional<std::pair<std::string_view, std::string_view>> split_once(std::string_view text, char separator) {
  const auto at = text.find(separator);
  if (at == std::string_view::npos) return std::nullopt;
  return std::pair{text.substr(0, at), text.substr(at + 1)};
}

// "<name>+<hex key id>+<base64(0x01 || 32 bytes)>" → name, key id, the 32 bytes.
struct KeyString {
  std::string_view name;
  std::uint32_t key_id = 0;
  std::array<std::uint8_t, 32> key{};
};

std::expected<KeyString, std::string> parse_key_string(std::string_view text) {
  const auto name_rest = split_once(text, '+');
  if (!name_rest) return std::unexpected("expected <name>+<key id>+<base64 key>");
  const auto id_key = split_once(name_rest->second, '+');
  if (!id_key) return std::unexpected("expected <name>+<key id>+<base64 key>");
  KeyString parsed;
  parsed.name = name_rest->first;
  if (!is_valid_key_name(parsed.name)) return std::unexpected("the key name is empty or holds a space, '+' or control character");
  const auto key_id = parse_hex_key_id(id_key->first);
  if (!key_id) return std::unexpected("the key id is not 8 lowercase hexadecimal digits");
  parsed.key_id = *key_id;
  auto key = from_base64(id_key->second);
  if (!key) return std::unexpected("the key is not valid base64");
  if (key->empty() || (*key)[0] != kEd25519) return std::unexpected("not an Ed25519 key (its first byte is not 0x01)");
  if (key->size() != 1 + parsed.key.size()) return std::unexpected("an Ed25519 key must be 32 bytes after the 0x01");
  std::copy(key->begin() + 1, key->end(), parsed.key.begin());
  sodium_memzero(key->data(), key->size());
  return parsed;
}

std::string with_path(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " \"" + path.string() + "\"";
}

std::string errno_text(int error) { return std::system_category().message(error); }

void wipe(std::string& s) { sodium_memzero(s.data(), s.size()); }

}  // namespace

bool is_valid_origin(std::string_view origin) {
  return !origin.empty() && for_each_code_point(origin, [](std::uint32_t c) { return !is_control(c); });
}

bool is_valid_key_name(std::string_view name) {
  return !name.empty() && for_each_code_point(name, [](std::uint32_t c) {
           return !is_control(c) && !is_unicode_space(c) && c != '+';
         });
}

std::string checkpoint_body(const Checkpoint& checkpoint) {
  if (!is_valid_origin(checkpoint.origin)) {
    throw std::invalid_argument("checkpoint origin must be non-empty UTF-8 without control characters");
  }
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" + base64(checkpoint.root) + "\n";
}

std::expected<Checkpoint, std::string> parse_checkpoint_body(std::string_view text) {
  auto error = [](std::string_view what) { return std::unexpected(std::string(kBodyError) + std::string(what)); };
  if (text.empty() || text.back() != '\n') return error("it does not end in a newline");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const auto at = rest.find('\n');
    lines.push_back(rest.substr(0, at));
    rest.remove_prefix(at + 1);
  }
  if (lines.size() < 3) {
    return error("expected 3 lines (origin, tree size, root hash), found " + std::to_string(lines.size()));
  }
  if (lines.size() > 3) return error("unexpected extension line after the root hash (Laurel writes none)");

  Checkpoint checkpoint;
  if (lines[0].empty()) return error("empty origin line");
  if (!is_valid_origin(lines[0])) return error("the origin line is not UTF-8 or holds a control character");
  checkpoint.origin = std::string(lines[0]);

  const std::string_view size = lines[1];
  const bool digits_only = !size.empty() && size.find_first_not_of("0123456789") == std::string_view::npos;
  const auto [end, status] = std::from_chars(size.data(), size.data() + size.size(), checkpoint.size);
  if (!digits_only || (size.size() > 1 && size[0] == '0') || status != std::errc{} || end != size.data() + size.size()) {
    return error("tree size \"" + std::string(size.substr(0, 40)) + "\" is not a canonical decimal number");
  }

  const auto root = from_base64(lines[2]);
  if (!root || root->size() != checkpoint.root.size()) return error("the root hash is not the base64 of 32 bytes");
  std::copy(root->begin(), root->end(), checkpoint.root.begin());
  return checkpoint;
}

std::expected<Signer, std::string> Signer::generate(std::string_view name) {
  if (!sodium_ready()) return std::unexpected("libsodium failed to initialise");
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed;
  randombytes_buf(seed.data(), seed.size());
  auto signer = from_seed(name, seed);
  sodium_memzero(seed.data(), seed.size());
  return signer;
}

std::expected<Signer, std::string> Signer::from_seed(std::string_view name, std::span<const std::uint8_t, 32> seed) {
  if (!sodium_ready()) return std::unexpected("libsodium failed to initialise");
  if (!is_valid_key_name(name)) {
    return std::unexpected("invalid key name: it must be non-empty, without spaces, '+' or control characters");
  }
  Signer signer;
  signer.name_ = std::string(name);
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> public_key;
  crypto_sign_seed_keypair(public_key.data(), signer.secret_key_.data(), seed.data());
  signer.key_id_ = compute_key_id(name, public_key);
  return signer;
}

std::expected<Signer, std::string> Signer::parse(std::string_view signer_key) {
  // The messages never quote the key: it is a secret.
  if (!signer_key.starts_with(kSignerKeyPrefix)) return std::unexpected("malformed signer key: it does not start with PRIVATE+KEY+");
  auto parsed = parse_key_string(signer_key.substr(kSignerKeyPrefix.size()));
  if (!parsed) return std::unexpected("malformed signer key: " + parsed.error());
  auto signer = from_seed(parsed->name, parsed->key);
  sodium_memzero(parsed->key.data(), parsed->key.size());
  if (!signer) return std::unexpected("malformed signer key: " + signer.error());
  if (signer->key_id() != parsed->key_id) return std::unexpected("malformed signer key: the key id does not match the key");
  return signer;
}

Signer::~Signer() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

std::string Signer::key_id_hex() const { return hex_key_id(key_id_); }

std::string Signer::signer_key() const {
  std::array<std::uint8_t, 1 + crypto_sign_SEEDBYTES> key;
  key[0] = kEd25519;
  std::copy_n(secret_key_.begin(), crypto_sign_SEEDBYTES, key.begin() + 1);
  std::string text = std::string(kSignerKeyPrefix) + name_ + "+" + hex_key_id(key_id_) + "+" + base64(key);
  sodium_memzero(key.data(), key.size());
  return text;
}

std::string Signer::verifier_key() const {
  std::array<std::uint8_t, 1 + crypto_sign_PUBLICKEYBYTES> key;
  key[0] = kEd25519;
  std::copy_n(secret_key_.begin() + crypto_sign_SEEDBYTES, crypto_sign_PUBLICKEYBYTES, key.begin() + 1);
  return name_ + "+" + hex_key_id(key_id_) + "+" + base64(key);
}

std::string Signer::sign(const Checkpoint& checkpoint) const { return sign_note(checkpoint_body(checkpoint)); }

std::string Signer::sign_note(std::string_view text) const {
  if (text.empty() || text.back() != '\n' || !is_valid_note_text(text)) {
    throw std::invalid_argument("note text must end in a newline and be UTF-8 without control characters");
  }
  std::array<std::uint8_t, 4 + crypto_sign_BYTES> signature;
  signature[0] = static_cast<std::uint8_t>(key_id_ >> 24);
  signature[1] = static_cast<std::uint8_t>(key_id_ >> 16);
  signature[2] = static_cast<std::uint8_t>(key_id_ >> 8);
  signature[3] = static_cast<std::uint8_t>(key_id_);
  crypto_sign_detached(signature.data() + 4, nullptr, bytes_of(text).data(), text.size(), secret_key_.data());
  std::string note(text);
  note += '\n';
  note += kEmDashSpace;
  note += name_;
  note += ' ';
  note += base64(signature);
  note += '\n';
  return note;
}

std::expected<Verifier, std::string> Verifier::parse(std::string_view verifier_key) {
  if (!sodium_ready()) return std::unexpected("libsodium failed to initialise");
  const auto parsed = parse_key_string(verifier_key);
  if (!parsed) return std::unexpected("malformed verifier key: " + parsed.error());
  if (compute_key_id(parsed->name, parsed->key) != parsed->key_id) {
    return std::unexpected("malformed verifier key: the key id does not match the key");
  }
  Verifier verifier;
  verifier.name_ = std::string(parsed->name);
  verifier.key_id_ = parsed->key_id;
  verifier.public_key_ = parsed->key;
  return verifier;
}

std::string Verifier::key_id_hex() const { return hex_key_id(key_id_); }

std::string Verifier::verifier_key() const {
  std::array<std::uint8_t, 1 + crypto_sign_PUBLICKEYBYTES> key;
  key[0] = kEd25519;
  std::copy(public_key_.begin(), public_key_.end(), key.begin() + 1);
  return name_ + "+" + hex_key_id(key_id_) + "+" + base64(key);
}

std::expected<std::string, std::string> Verifier::verify_note(std::string_view note) const {
  auto malformed = [](std::string_view what) { return std::unexpected("malformed note: " + std::string(what)); };
  if (!is_valid_note_text(note)) return malformed("not UTF-8, or holds a control character");
  // The text ends at the last blank line; what follows is the signature block.
  const auto split = note.rfind("\n\n");
  if (split == std::string_view::npos) return malformed("no blank line before the signatures");
  const std::string_view text = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);
  if (signatures.empty()) return malformed("no signature lines");
  if (signatures.back() != '\n') return malformed("the last signature line does not end in a newline");

  bool found = false;
  for (std::size_t count = 1; !signatures.empty(); ++count) {
    const auto line_end = signatures.find('\n');
    std::string_view line = signatures.substr(0, line_end);
    signatures.remove_prefix(line_end + 1);
    const std::string where = "signature line " + std::to_string(count);
    if (count > kMaxSignatures) return malformed("more than " + std::to_string(kMaxSignatures) + " signatures");
    if (!line.starts_with(kEmDashSpace)) return malformed(where + " does not start with an em dash and a space");
    line.remove_prefix(kEmDashSpace.size());
    const auto name_signature = split_once(line, ' ');
    if (!name_signature || !is_valid_key_name(name_signature->first)) {
      return malformed(where + " is not \"— <key name> <base64 signature>\"");
    }
    const auto signature = from_base64(name_signature->second);
    if (!signature || signature->size() < 5) return malformed(where + " has no valid base64 key id and signature");
    const std::uint32_t key_id = std::uint32_t{(*signature)[0]} << 24 | std::uint32_t{(*signature)[1]} << 16 |
                                 std::uint32_t{(*signature)[2]} << 8 | std::uint32_t{(*signature)[3]};
    if (name_signature->first != name_ || key_id != key_id_) continue;  // another key's: ignored
    if (found) return malformed("two signatures by " + name_);
    found = true;
    if (signature->size() != 4 + crypto_sign_BYTES ||
        crypto_sign_verify_detached(signature->data() + 4, bytes_of(text).data(), text.size(), public_key_.data()) != 0) {
      return std::unexpected("signature does not verify");
    }
  }
  if (!found) return std::unexpected("no signature by " + name_ + " (key id " + hex_key_id(key_id_) + ")");
  return std::string(text);
}

std::expected<Checkpoint, std::string> Verifier::verify(std::string_view note) const {
  auto text = verify_note(note);
  if (!text) return std::unexpected(std::move(text.error()));
  return parse_checkpoint_body(*text);
}

std::expected<void, std::string> write_signer_key_file(const std::filesystem::path& path, const Signer& signer) {
  // O_EXCL: never overwrite a key (nor follow a symlink planted at the path).
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) return std::unexpected(with_path("key file", path) + " already exists: refusing to overwrite it");
    return std::unexpected("cannot create " + with_path("key file", path) + ": " + errno_text(error));
  }
  std::string contents = signer.signer_key() + "\n";
  // On any failure the half-written file goes, so that a retry can create it again.
  auto fail = [&](std::string_view step, int error, bool close_fd) -> std::unexpected<std::string> {
    if (close_fd) ::close(fd);
    ::unlink(path.c_str());
    wipe(contents);
    return std::unexpected("cannot " + std::string(step) + " " + with_path("key file", path) + ": " + errno_text(error));
  };
  // The umask may have taken bits away; make it exactly 0600.
  if (::fchmod(fd, 0600) != 0) return fail("set the mode of", errno, true);
  for (std::size_t written = 0; written < contents.size();) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write", errno, true);
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync", errno, true);
  if (::close(fd) != 0) return fail("close", errno, false);
  // The new directory entry must be durable too.
  const auto folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const int folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_fd < 0) return fail("open the folder of", errno, false);
  const bool synced = ::fsync(folder_fd) == 0;
  const int sync_error = errno;
  ::close(folder_fd);
  if (!synced) return fail("sync the folder of", sync_error, false);
  wipe(contents);
  return {};
}

std::expected<Signer, std::string> read_signer_key_file(const std::filesystem::path& path) {
  // O_NONBLOCK so that a FIFO planted at the path cannot hang us before the regular-file check.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::unexpected("cannot open " + with_path("key file", path) + ": " + errno_text(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const int error = errno;
    ::close(fd);
    return std::unexpected("cannot stat " + with_path("key file", path) + ": " + errno_text(error));
  }
  if (!S_ISREG(status.st_mode)) {
    ::close(fd);
    return std::unexpected(with_path("key file", path) + " is not a regular file");
  }
  if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
    return std::unexpected(with_path("key file", path) + " has mode " + mode +
                           ": group and others must have no access to a signing key (chmod 600 it)");
  }
  if (status.st_size > kMaxKeyFileBytes) {
    ::close(fd);
    return std::unexpected(with_path("key file", path) + " is too large to be a signer key");
  }
  std::string contents(static_cast<std::size_t>(kMaxKeyFileBytes) + 1, '\0');
  std::size_t length = 0;
  while (length < contents.size()) {
    const ssize_t n = ::read(fd, contents.data() + length, contents.size() - length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      wipe(contents);
      return std::unexpected("cannot read " + with_path("key file", path) + ": " + errno_text(error));
    }
    if (n == 0) break;
    length += static_cast<std::size_t>(n);
  }
  ::close(fd);
  std::string_view key(contents.data(), length);
  if (key.ends_with('\n')) key.remove_suffix(1);
  if (key.ends_with('\r')) key.remove_suffix(1);
  auto signer = Signer::parse(key);
  wipe(contents);
  if (!signer) return std::unexpected(with_path("key file", path) + ": " + signer.error());
  return signer;
}

}  // namespace laurel::storage::checkpoint
