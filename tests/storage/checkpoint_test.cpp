// Tests of signed checkpoints: the published example key and note of Go's sumdb/note and the C2SP
// signed-note spec; a fixed key whose key id, key strings and signed note were derived independently
// (Python's `cryptography` and hashlib); sign/verify round trips and key rotation; every kind of
// tampering refused with its own message; malformed bodies, notes and keys; and the key file's mode
// and no-overwrite rules.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "storage/checkpoint.h"

using namespace laurel::storage::checkpoint;
using laurel::storage::merkle::empty_root;
using laurel::storage::merkle::Hash;
using laurel::storage::merkle::leaf_hash;

namespace {

// Go's golang.org/x/mod/sumdb/note documentation example.
constexpr std::string_view kGoSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSignatureLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

// The example of the C2SP signed-note specification.
constexpr std::string_view kSpecVerifierKey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr std::string_view kSpecNote =
    "This is an example message.\n"
    "\n"
    "\xE2\x80\x94 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

// A fixed key: seed 00 01 02 … 1f, name laurel.example/audit. The expected values below were
// computed with Python's `cryptography` (Ed25519) and hashlib, not with libsodium or this code.
constexpr std::string_view kName = "laurel.example/audit";
constexpr std::uint32_t kFixedKeyId = 0xdeda8f17;
constexpr std::string_view kFixedVerifierKey = "laurel.example/audit+deda8f17+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
constexpr std::string_view kFixedSignerKey =
    "PRIVATE+KEY+laurel.example/audit+deda8f17+AQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f";
// The checkpoint {kName, 1234567, root = a0 a1 … bf} signed with the fixed key.
constexpr std::string_view kFixedNote =
    "laurel.example/audit\n"
    "1234567\n"
    "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8=\n"
    "\n"
    "\xE2\x80\x94 laurel.example/audit "
    "3tqPF5g1iRSmBNhL1zgwjNg12cPsiBtCJ0NunMwnvuNn27eEriVK6TKvbTXvbnqqtPNimJzxAC55lbxy1hbgNDB+IwA=\n";

std::array<std::uint8_t, 32> fixed_seed() {
  std::array<std::uint8_t, 32> seed;
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i);
  return seed;
}

Hash fixed_root() {
  Hash root;
  for (std::size_t i = 0; i < root.size(); ++i) root[i] = static_cast<std::uint8_t>(0xa0 + i);
  return root;
}

Checkpoint fixed_checkpoint() { return Checkpoint{std::string(kName), 1234567, fixed_root()}; }

Signer fixed_signer() {
  auto signer = Signer::from_seed(kName, fixed_seed());
  EXPECT_TRUE(signer.has_value());
  return *signer;
}

Verifier verifier_of(const Signer& signer) {
  auto verifier = Verifier::parse(signer.verifier_key());
  EXPECT_TRUE(verifier.has_value()) << verifier.error();
  return *verifier;
}

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A fresh folder under the system's temporary folder, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "laurel-checkpoint-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0);
  return status.st_mode & 07777;
}

}  // namespace

TEST(CheckpointPublished, GoNoteExampleKeySignsAndVerifiesByteForByte) {
  const auto signer = Signer::parse(kGoSignerKey);
  ASSERT_TRUE(signer.has_value()) << signer.error();
  EXPECT_EQ(signer->name(), "PeterNeumann");
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  EXPECT_EQ(signer->signer_key(), kGoSignerKey);
  EXPECT_EQ(signer->verifier_key(), kGoVerifierKey);
  const std::string note = signer->sign_note(kGoText);
  EXPECT_EQ(note, std::string(kGoText) + "\n" + std::string(kGoSignatureLine));

  const auto verifier = Verifier::parse(kGoVerifierKey);
  ASSERT_TRUE(verifier.has_value()) << verifier.error();
  EXPECT_EQ(verifier->key_id(), 0xc74f20a3u);
  EXPECT_EQ(verifier->key_id_hex(), "c74f20a3");
  EXPECT_EQ(verifier->verifier_key(), kGoVerifierKey);
  EXPECT_EQ(verifier->verify_note(note), std::string(kGoText));
  // Not a checkpoint body, though: two lines of prose.
  const auto checkpoint = verifier->verify(note);
  ASSERT_FALSE(checkpoint.has_value());
  EXPECT_TRUE(checkpoint.error().starts_with("malformed checkpoint body: ")) << checkpoint.error();
}

TEST(CheckpointPublished, SignedNoteSpecExampleVerifies) {
  const auto verifier = Verifier::parse(kSpecVerifierKey);
  ASSERT_TRUE(verifier.has_value()) << verifier.error();
  EXPECT_EQ(verifier->verify_note(kSpecNote), std::string("This is an example message.\n"));
}

TEST(CheckpointFixedKey, KeyIdAndKeyStringsMatchAnIndependentDerivation) {
  const Signer signer = fixed_signer();
  EXPECT_EQ(signer.key_id(), kFixedKeyId);
  EXPECT_EQ(signer.key_id_hex(), "deda8f17");
  EXPECT_EQ(signer.verifier_key(), kFixedVerifierKey);
  EXPECT_EQ(signer.signer_key(), kFixedSignerKey);

  // The key id by hand with libsodium: SHA-256(name || 0x0A || 0x01 || public key)[:4].
  std::uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
  std::uint8_t secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(public_key, secret_key, fixed_seed().data());
  std::string preimage = std::string(kName) + "\n\x01";
  preimage.append(reinterpret_cast<const char*>(public_key), sizeof public_key);
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const std::uint8_t*>(preimage.data()), preimage.size());
  EXPECT_EQ(signer.key_id(), std::uint32_t{digest[0]} << 24 | std::uint32_t{digest[1]} << 16 |
                                 std::uint32_t{digest[2]} << 8 | digest[3]);

  const auto parsed = Signer::parse(kFixedSignerKey);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->verifier_key(), kFixedVerifierKey);
}

TEST(CheckpointFixedKey, SignedNoteHasTheExactLayout) {
  const Signer signer = fixed_signer();
  EXPECT_EQ(checkpoint_body(fixed_checkpoint()),
            "laurel.example/audit\n1234567\noKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8=\n");
  EXPECT_EQ(signer.sign(fixed_checkpoint()), kFixedNote);
  const auto checkpoint = verifier_of(signer).verify(kFixedNote);
  ASSERT_TRUE(checkpoint.has_value()) << checkpoint.error();
  EXPECT_EQ(*checkpoint, fixed_checkpoint());
}

TEST(CheckpointRoundTrip, GeneratedKeySignsWhatItsVerifierAccepts) {
  const auto signer = Signer::generate(kName);
  ASSERT_TRUE(signer.has_value()) << signer.error();
  const auto other = Signer::generate(kName);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(signer->verifier_key(), other->verifier_key());

  const Verifier verifier = verifier_of(*signer);
  EXPECT_EQ(verifier.name(), kName);
  EXPECT_EQ(verifier.key_id(), signer->key_id());
  for (const Checkpoint& checkpoint : {Checkpoint{"laurel.example/audit", 0, empty_root()},
                                       Checkpoint{"例子.中国/审计", 1, leaf_hash(std::string_view("x"))},
                                       Checkpoint{"o", 18446744073709551615u, fixed_root()}}) {
    const auto verified = verifier.verify(signer->sign(checkpoint));
    ASSERT_TRUE(verified.has_value()) << verified.error();
    EXPECT_EQ(*verified, checkpoint);
  }
  const auto reparsed = Signer::parse(signer->signer_key());
  ASSERT_TRUE(reparsed.has_value());
  EXPECT_EQ(reparsed->sign(fixed_checkpoint()), signer->sign(fixed_checkpoint()));
}

TEST(CheckpointTampering, EachChangeIsRefusedWithItsMessage) {
  const Signer signer = fixed_signer();
  const Verifier verifier = verifier_of(signer);
  const std::string note(kFixedNote);
  ASSERT_TRUE(verifier.verify(note).has_value());

  for (const auto& tampered : {replace_once(note, "1234567", "1234568"),          // size
                               replace_once(note, "1234567", "1234566"),
                               replace_once(note, "vr8=", "vr4="),                // root
                               replace_once(note, "laurel.example/audit\n", "laurel.example/audjt\n"),  // origin
                               replace_once(note, "3tqPF5g1", "3tqPF5g2"),        // signature
                               replace_once(note, "+IwA=", "+IxA="),              // signature, last byte
                               replace_once(note, "oKGio6Sl", "oKGio6Sm")}) {
    const auto result = verifier.verify(tampered);
    ASSERT_FALSE(result.has_value()) << tampered;
    EXPECT_EQ(result.error(), "signature does not verify") << tampered;
  }

  // The key id in the signature changed: no longer this key's line.
  const auto wrong_id = verifier.verify(replace_once(note, "3tqPF5g1", "3tqQF5g1"));
  ASSERT_FALSE(wrong_id.has_value());
  EXPECT_EQ(wrong_id.error(), "no signature by laurel.example/audit (key id deda8f17)");

  // Another key under the same name.
  const auto stranger = Signer::generate(kName);
  ASSERT_TRUE(stranger.has_value());
  const auto by_stranger = verifier.verify(stranger->sign(fixed_checkpoint()));
  ASSERT_FALSE(by_stranger.has_value());
  EXPECT_EQ(by_stranger.error(), "no signature by laurel.example/audit (key id deda8f17)");
  const auto stranger_verifier = verifier_of(*stranger);
  EXPECT_EQ(stranger_verifier.key_id_hex(), stranger_verifier.verifier_key().substr(kName.size() + 1, 8));
  EXPECT_EQ(stranger_verifier.verify(note).error(),
            "no signature by laurel.example/audit (key id " + stranger_verifier.key_id_hex() + ")");
}

TEST(CheckpointRotation, ANoteSignedByOldAndNewKeysSatisfiesBoth) {
  const Signer old_key = fixed_signer();
  const auto new_key = Signer::generate(kName);
  ASSERT_TRUE(new_key.has_value());
  const auto witness = Signer::generate("witness.example/w1");
  ASSERT_TRUE(witness.has_value());
  // Signature lines are independent: append the other keys' lines to the old key's note.
  auto signature_line = [](const std::string& note) { return note.substr(note.rfind("\n\n") + 2); };
  const std::string note = old_key.sign(fixed_checkpoint()) + signature_line(witness->sign(fixed_checkpoint())) +
                           signature_line(new_key->sign(fixed_checkpoint()));
  for (const Verifier& verifier : {verifier_of(old_key), verifier_of(*new_key), verifier_of(*witness)}) {
    const auto checkpoint = verifier.verify(note);
    ASSERT_TRUE(checkpoint.has_value()) << verifier.name() << ": " << checkpoint.error();
    EXPECT_EQ(*checkpoint, fixed_checkpoint());
  }
  // A bad line by an unknown key is ignored; a bad line by the known key is not.
  const std::string unknown_garbage =
      std::string(kFixedNote) + "\xE2\x80\x94 someone.else AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
  EXPECT_TRUE(verifier_of(old_key).verify(unknown_garbage).has_value());
  const std::string twice = std::string(kFixedNote) + signature_line(std::string(kFixedNote));
  EXPECT_EQ(verifier_of(old_key).verify(twice).error(), "malformed note: two signatures by laurel.example/audit");
}

TEST(CheckpointBody, MalformedBodiesAreRefusedEvenWhenSigned) {
  const Signer signer = fixed_signer();
  const Verifier verifier = verifier_of(signer);
  const std::string root = "oKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8=";
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"\n5\n" + root + "\n", "empty origin line"},
      {"o\n05\n" + root + "\n", "tree size \"05\" is not a canonical decimal number"},
      {"o\n00\n" + root + "\n", "tree size \"00\" is not a canonical decimal number"},
      {"o\n+5\n" + root + "\n", "tree size \"+5\" is not a canonical decimal number"},
      {"o\n-1\n" + root + "\n", "tree size \"-1\" is not a canonical decimal number"},
      {"o\n 5\n" + root + "\n", "tree size \" 5\" is not a canonical decimal number"},
      {"o\n5 \n" + root + "\n", "tree size \"5 \" is not a canonical decimal number"},
      {"o\n0x5\n" + root + "\n", "tree size \"0x5\" is not a canonical decimal number"},
      {"o\n\n" + root + "\n", "tree size \"\" is not a canonical decimal number"},
      {"o\n18446744073709551616\n" + root + "\n",
       "tree size \"18446744073709551616\" is not a canonical decimal number"},
      {"o\n5\noKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vg==\n", "the root hash is not the base64 of 32 bytes"},
      {"o\n5\n" + root + "AAAA\n", "the root hash is not the base64 of 32 bytes"},
      {"o\n5\noKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8\n", "the root hash is not the base64 of 32 bytes"},
      {"o\n5\noKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr9=\n", "the root hash is not the base64 of 32 bytes"},
      {"o\n5\noKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr8_\n", "the root hash is not the base64 of 32 bytes"},
      {"o\n5\n\n", "the root hash is not the base64 of 32 bytes"},
      {"o\n5\n", "expected 3 lines (origin, tree size, root hash), found 2"},
      {"o\n5\n" + root + "\nextension\n", "unexpected extension line after the root hash (Laurel writes none)"},
  };
  for (const auto& c : cases) {
    const auto direct = parse_checkpoint_body(c.body);
    ASSERT_FALSE(direct.has_value()) << c.body;
    EXPECT_EQ(direct.error(), "malformed checkpoint body: " + c.message) << c.body;
    const auto signed_note = verifier.verify(signer.sign_note(c.body));
    ASSERT_FALSE(signed_note.has_value()) << c.body;
    EXPECT_EQ(signed_note.error(), "malformed checkpoint body: " + c.message) << c.body;
  }
  EXPECT_EQ(parse_checkpoint_body("o\n5\n" + root).error(), "malformed checkpoint body: it does not end in a newline");
  EXPECT_EQ(parse_checkpoint_body("o\x7f\n5\n" + root + "\n").error(),
            "malformed checkpoint body: the origin line is not UTF-8 or holds a control character");
  const auto fine = parse_checkpoint_body("o\n0\n" + root + "\n");
  ASSERT_TRUE(fine.has_value());
  EXPECT_EQ(fine->size, 0u);
  EXPECT_EQ(parse_checkpoint_body("o\n18446744073709551615\n" + root + "\n")->size, 18446744073709551615u);
}

TEST(CheckpointBody, AnInvalidOriginIsACallerBug) {
  EXPECT_THROW(checkpoint_body(Checkpoint{"", 1, fixed_root()}), std::invalid_argument);
  EXPECT_THROW(checkpoint_body(Checkpoint{"a\nb", 1, fixed_root()}), std::invalid_argument);
  EXPECT_THROW(checkpoint_body(Checkpoint{"bad\xff", 1, fixed_root()}), std::invalid_argument);
  EXPECT_THROW(fixed_signer().sign(Checkpoint{"", 1, fixed_root()}), std::invalid_argument);
  EXPECT_THROW(fixed_signer().sign_note("no final newline"), std::invalid_argument);
  EXPECT_TRUE(is_valid_origin("example.com/log42"));
  EXPECT_TRUE(is_valid_origin("with space is allowed"));
  EXPECT_FALSE(is_valid_origin("tab\there"));
}

TEST(CheckpointNote, MalformedNotesAreRefused) {
  const Verifier verifier = verifier_of(fixed_signer());
  const std::string note(kFixedNote);
  struct Case {
    std::string note;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"", "malformed note: no blank line before the signatures"},
      {note.substr(0, note.find("\n\n") + 1), "malformed note: no blank line before the signatures"},
      {note.substr(0, note.find("\n\n") + 2), "malformed note: no signature lines"},
      {note.substr(0, note.size() - 1), "malformed note: the last signature line does not end in a newline"},
      {replace_once(note, "\xE2\x80\x94 ", "- "), "malformed note: signature line 1 does not start with an em dash and a space"},
      {replace_once(note, "\xE2\x80\x94 laurel.example/audit ", "\xE2\x80\x94 laurel.example/audit"),
       "malformed note: signature line 1 is not \"\xE2\x80\x94 <key name> <base64 signature>\""},
      {replace_once(note, "+IwA=", "+IwA"), "malformed note: signature line 1 has no valid base64 key id and signature"},
      {replace_once(note, "\n\n", "\n\n\xE2\x80\x94 x AAAA\n"), "malformed note: signature line 1 has no valid base64 key id and signature"},
      {replace_once(note, "1234567", "1234\t567"), "malformed note: not UTF-8, or holds a control character"},
      {replace_once(note, "1234567", "1234\xC3\x28"), "malformed note: not UTF-8, or holds a control character"},
      {replace_once(note, "1234567", "\xED\xA0\x80"), "malformed note: not UTF-8, or holds a control character"},
  };
  for (const auto& c : cases) {
    const auto result = verifier.verify(c.note);
    ASSERT_FALSE(result.has_value()) << c.note;
    EXPECT_EQ(result.error(), c.message) << c.note;
  }
  // A signature of the right key id but the wrong length does not verify.
  const std::string body = note.substr(0, note.find("\n\n") + 1);
  EXPECT_EQ(verifier.verify(body + "\n\xE2\x80\x94 laurel.example/audit 3tqPFwECAw==\n").error(),  // de da 8f 17 01 02 03
            "signature does not verify");
  // More than 100 signature lines.
  std::string crowded = note;
  for (int i = 0; i < 100; ++i) crowded += "\xE2\x80\x94 other AAAAAAA=\n";
  EXPECT_EQ(verifier.verify(crowded).error(), "malformed note: more than 100 signatures");
}

TEST(CheckpointKeys, MalformedVerifierKeysAreRefused) {
  const std::string good(kGoVerifierKey);
  ASSERT_TRUE(Verifier::parse(good).has_value());
  // Every proper substring and every one-byte change fails (as Go's note tests require).
  for (std::size_t i = 0; i <= good.size(); ++i) {
    for (std::size_t j = i + 1; j <= good.size(); ++j) {
      if (i == 0 && j == good.size()) continue;
      EXPECT_FALSE(Verifier::parse(good.substr(i, j - i)).has_value()) << good.substr(i, j - i);
    }
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string changed = good;
    ++changed[i];
    EXPECT_FALSE(Verifier::parse(changed).has_value()) << changed;
  }
  // Go's test key with a wrong length; its "EY==" also has stray bits, which Go's decoder ignores.
  EXPECT_EQ(Verifier::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==").error(),
            "malformed verifier key: the key is not valid base64");
  EXPECT_EQ(Verifier::parse("PeterNeumann+c74f20a3+AQ==").error(),
            "malformed verifier key: an Ed25519 key must be 32 bytes after the 0x01");
  EXPECT_EQ(Verifier::parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").error(),
            "malformed verifier key: not an Ed25519 key (its first byte is not 0x01)");
  EXPECT_EQ(Verifier::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").error(),
            "malformed verifier key: the key id does not match the key");
  EXPECT_EQ(Verifier::parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").error(),
            "malformed verifier key: the key id is not 8 lowercase hexadecimal digits");
  EXPECT_EQ(Verifier::parse("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").error(),
            "malformed verifier key: the key name is empty or holds a space, '+' or control character");
  EXPECT_EQ(Verifier::parse("PeterNeumann").error(), "malformed verifier key: expected <name>+<key id>+<base64 key>");
}

TEST(CheckpointKeys, MalformedSignerKeysAreRefusedWithoutQuotingTheSecret) {
  const std::string good(kGoSignerKey);
  for (std::size_t i = 0; i <= good.size(); ++i) {
    for (std::size_t j = i + 1; j <= good.size(); ++j) {
      if (i == 0 && j == good.size()) continue;
      const auto parsed = Signer::parse(good.substr(i, j - i));
      EXPECT_FALSE(parsed.has_value()) << good.substr(i, j - i);
      if (!parsed) {
        EXPECT_EQ(parsed.error().find("AYEKFALV"), std::string::npos);
      }
    }
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string changed = good;
    ++changed[i];
    EXPECT_FALSE(Signer::parse(changed).has_value()) << changed;
  }
  EXPECT_EQ(Signer::parse(kGoVerifierKey).error(), "malformed signer key: it does not start with PRIVATE+KEY+");
  EXPECT_EQ(Signer::parse("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").error(),
            "malformed signer key: the key id does not match the key");
  EXPECT_FALSE(Signer::generate("").has_value());
  EXPECT_FALSE(Signer::generate("a+b").has_value());
  EXPECT_FALSE(Signer::generate("a b").has_value());
  EXPECT_FALSE(Signer::generate("a\xC2\xA0" "b").has_value());  // U+00A0 NO-BREAK SPACE
  EXPECT_TRUE(Signer::generate("审计.example").has_value());
}

TEST(CheckpointKeyFile, WrittenWithMode0600AndReadBack) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  const Signer signer = fixed_signer();
  ASSERT_TRUE(write_signer_key_file(path, signer).has_value());
  EXPECT_EQ(mode_of(path), 0600u);
  std::ifstream in(path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, std::string(kFixedSignerKey) + "\n");

  const auto read = read_signer_key_file(path);
  ASSERT_TRUE(read.has_value()) << read.error();
  EXPECT_EQ(read->signer_key(), kFixedSignerKey);
  EXPECT_EQ(read->sign(fixed_checkpoint()), kFixedNote);
}

TEST(CheckpointKeyFile, ModeIsExactly0600WhateverTheUmask) {
  TempDir dir;
  const mode_t old_umask = ::umask(0);
  const auto written = write_signer_key_file(dir.path() / "a.key", fixed_signer());
  ::umask(0277);
  const auto written_strict = write_signer_key_file(dir.path() / "b.key", fixed_signer());
  ::umask(old_umask);
  ASSERT_TRUE(written.has_value()) << written.error();
  ASSERT_TRUE(written_strict.has_value()) << written_strict.error();
  EXPECT_EQ(mode_of(dir.path() / "a.key"), 0600u);
  EXPECT_EQ(mode_of(dir.path() / "b.key"), 0600u);
}

TEST(CheckpointKeyFile, RefusesToOverwrite) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  ASSERT_TRUE(write_signer_key_file(path, fixed_signer()).has_value());
  const auto other = Signer::generate(kName);
  ASSERT_TRUE(other.has_value());
  const auto again = write_signer_key_file(path, *other);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error(), "key file \"" + path.string() + "\" already exists: refusing to overwrite it");
  EXPECT_EQ(read_signer_key_file(path)->signer_key(), kFixedSignerKey);

  // Nor through a symlink, even a dangling one.
  const auto link = dir.path() / "link.key";
  std::filesystem::create_symlink(dir.path() / "nowhere.key", link);
  EXPECT_FALSE(write_signer_key_file(link, *other).has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nowhere.key"));

  const auto missing_folder = write_signer_key_file(dir.path() / "no" / "such.key", *other);
  ASSERT_FALSE(missing_folder.has_value());
  EXPECT_TRUE(missing_folder.error().starts_with("cannot create key file")) << missing_folder.error();
}

TEST(CheckpointKeyFile, RefusesAFileOthersCanRead) {
  TempDir dir;
  const auto path = dir.path() / "audit.key";
  ASSERT_TRUE(write_signer_key_file(path, fixed_signer()).has_value());
  for (const mode_t mode : {0640, 0604, 0660, 0602, 0610, 0644}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    const auto read = read_signer_key_file(path);
    ASSERT_FALSE(read.has_value()) << std::oct << mode;
    char expected_mode[8];
    std::snprintf(expected_mode, sizeof expected_mode, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(read.error(), "key file \"" + path.string() + "\" has mode " + expected_mode +
                                ": group and others must have no access to a signing key (chmod 600 it)");
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(read_signer_key_file(path).has_value());
}

TEST(CheckpointKeyFile, ReportsMissingFilesFoldersAndBadContents) {
  TempDir dir;
  const auto missing = read_signer_key_file(dir.path() / "none.key");
  ASSERT_FALSE(missing.has_value());
  EXPECT_TRUE(missing.error().starts_with("cannot open key file \"" + (dir.path() / "none.key").string() + "\": ")) << missing.error();

  const auto folder = read_signer_key_file(dir.path());
  ASSERT_FALSE(folder.has_value());
  EXPECT_TRUE(folder.error().contains("is not a regular file")) << folder.error();

  const auto garbage = dir.path() / "garbage.key";
  {
    std::ofstream out(garbage);
    out << "PRIVATE+KEY+x+00000000+AAAA\n";
  }
  ASSERT_EQ(::chmod(garbage.c_str(), 0600), 0);
  const auto bad = read_signer_key_file(garbage);
  ASSERT_FALSE(bad.has_value());
  EXPECT_TRUE(bad.error().starts_with("key file \"" + garbage.string() + "\": malformed signer key: ")) << bad.error();

  const auto big = dir.path() / "big.key";
  {
    std::ofstream out(big);
    out << std::string(5000, 'A');
  }
  ASSERT_EQ(::chmod(big.c_str(), 0600), 0);
  EXPECT_TRUE(read_signer_key_file(big).error().contains("is too large to be a signer key")) << read_signer_key_file(big).error();
}
