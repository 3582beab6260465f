#include "storage/canonical_json_scan.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace laurel::storage {
namespace {

constexpr int kMaxDepth = 32;  // boost::json::parse_options::max_depth, which parse_canonical_json uses

// Bytes that end the plain run inside a string: the closing quote, a backslash, controls (never
// allowed raw) and the lead bytes of multi-byte UTF-8 (validated one sequence at a time).
constexpr std::array<bool, 256> kStringStop = [] {
  std::array<bool, 256> stop{};
  for (int c = 0; c < 256; ++c) stop[static_cast<std::size_t>(c)] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return stop;
}();

int lower_hex(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

class Scanner {
 public:
  explicit Scanner(std::string_view bytes, std::string_view suffix = {})
      : p_(reinterpret_cast<const unsigned char*>(bytes.data())), end_(p_ + bytes.size()), suffix_(suffix) {}
  bool suffix_seen() const { return suffix_seen_; }

  bool document() { return value() && p_ == end_; }

 private:
  bool value() {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size()) return false;
    for (char c : word) {
      if (*p_++ != static_cast<unsigned char>(c)) return false;
    }
    return true;
  }

  // -?(0|[1-9][0-9]*), canonical (no "-0") and within the range Boost.JSON keeps as an integer. What
  // follows is left to the caller, which refuses a fraction, an exponent or a digit after a "0".
  bool number() {
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
      return !negative;
    }
    if (*p_ < '1' || *p_ > '9') return false;
    const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : ~std::uint64_t{0};
    std::uint64_t magnitude = 0;
    for (; p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++p_) {
      const auto digit = static_cast<std::uint64_t>(*p_ - '0');
      if (magnitude > (limit - digit) / 10) return false;  // would leave the integer range
      magnitude = magnitude * 10 + digit;
    }
    return true;
  }

  // One UTF-8 sequence starting with a byte >= 0x80: no overlong forms, no surrogates, nothing
  // beyond U+10FFFF.
  bool utf8_sequence(std::string* decoded) {
    // The common case first: a three-byte character of the Basic Multilingual Plane outside the
    // surrogates (all of CJK), checked with a few comparisons.
    if (end_ - p_ >= 3 && !decoded) {
      const unsigned lead = p_[0], second = p_[1];
      if ((lead & 0xF0) == 0xE0 && (second & 0xC0) == 0x80 && (p_[2] & 0xC0) == 0x80 && (lead != 0xE0 || second >= 0xA0) &&
          (lead != 0xED || second < 0xA0)) {
        p_ += 3;
        return true;
      }
    }
    const unsigned char* start = p_;
    const unsigned lead = *p_++;
    unsigned code_point;
    int continuation;
    unsigned minimum;
    if ((lead & 0xE0) == 0xC0) {
      code_point = lead & 0x1F, continuation = 1, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      code_point = lead & 0x0F, continuation = 2, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      code_point = lead & 0x07, continuation = 3, minimum = 0x10000;
    } else {
      return false;
    }
    if (end_ - p_ < continuation) return false;
    for (int i = 0; i < continuation; ++i, ++p_) {
      if ((*p_ & 0xC0) != 0x80) return false;
      code_point = code_point << 6 | (*p_ & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
    if (decoded) decoded->append(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p_ - start));
    return true;
  }

  // The bytes of `w` that end a plain run -- a control (< 0x20), '"', '\\' or a byte >= 0x80 -- as
  // their high bits, by the classic "has a zero byte" tests: the lowest set bit marks the first such
  // byte exactly (bits above it may be spurious, and are not used).
  static std::uint64_t stop_bytes(std::uint64_t w) {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    const std::uint64_t below_space = (w - ones * 0x20) & ~w;
    const std::uint64_t quote = w ^ (ones * '"');
    const std::uint64_t backslash = w ^ (ones * '\\');
    return (below_space | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | w) & highs;
  }

  // Moves p_ to the next byte that ends a plain run inside a string, or to the end.
  void skip_plain() {
    const unsigned char* p = p_;
#if defined(__SSE2__)
    // Sixteen bytes at a time: as signed bytes, the controls and every byte >= 0x80 are below 0x20.
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    while (end_ - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i stops = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
      if (const int mask = _mm_movemask_epi8(stops); mask != 0) {
        p_ = p + std::countr_zero(static_cast<unsigned>(mask));
        return;
      }
      p += 16;
    }
#endif
    if constexpr (std::endian::native == std::endian::little) {
      while (end_ - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        if (const std::uint64_t stops = stop_bytes(w); stops != 0) {
          p_ = p + (std::countr_zero(stops) >> 3);
          return;
        }
        p += 8;
      }
    }
    while (p != end_ && !kStringStop[*p]) ++p;
    p_ = p;
  }

  // A string. For object keys, `key` receives the value's bytes: a view of the input when the key
  // has no escape (the usual case), else the decoded copy in `decoded`.
  bool string(std::string_view* key = nullptr, std::string* decoded = nullptr) {
    ++p_;  // the opening quote
    const unsigned char* const first = p_;
    bool escaped = false;
    while (true) {
      const unsigned char* run = p_;
      skip_plain();
      if (escaped) decoded->append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return false;
      const unsigned char c = *p_;
      if (c == '"') {
        if (!suffix_.empty() && !suffix_seen_) note_suffix(first);
        if (key)
          *key = escaped ? std::string_view(*decoded)
                         : std::string_view(reinterpret_cast<const char*>(first), static_cast<std::size_t>(p_ - first));
        ++p_;
        return true;
      }
      if (c >= 0x80) {
        // A run of multi-byte characters (Chinese text) stays in this loop.
        do {
          if (!utf8_sequence(escaped ? decoded : nullptr)) return false;
        } while (p_ != end_ && *p_ >= 0x80);
        continue;
      }
      if (c != '\\') return false;  // a raw control character
      if (key && !escaped) {
        // The first escape in a key: from here on its value is built in `decoded`.
        escaped = true;
        decoded->assign(reinterpret_cast<const char*>(first), static_cast<std::size_t>(p_ - first));
      }
      if (end_ - p_ < 2) return false;
      char unescaped;
      switch (p_[1]) {
        case '"':
          unescaped = '"';
          break;
        case '\\':
          unescaped = '\\';
          break;
        case 'b':
          unescaped = '\b';
          break;
        case 'f':
          unescaped = '\f';
          break;
        case 'n':
          unescaped = '\n';
          break;
        case 'r':
          unescaped = '\r';
          break;
        case 't':
          unescaped = '\t';
          break;
        case 'u': {
          // Only a control character without a short escape is written as \u00xx.
          if (end_ - p_ < 6 || p_[2] != '0' || p_[3] != '0') return false;
          const int high = lower_hex(p_[4]);
          const int low = lower_hex(p_[5]);
          if (high < 0 || low < 0) return false;
          const int code = high * 16 + low;
          if (code >= 0x20 || code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t') return false;
          if (escaped) decoded->push_back(static_cast<char>(code));
          p_ += 6;
          continue;
        }
        default:
          return false;
      }
      if (escaped) decoded->push_back(unescaped);
      p_ += 2;
    }
  }

  // a < b by unsigned bytes, as std::string_view compares; inline, since keys are short and
  // usually differ in their first byte.
  static bool bytes_less(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    }
    return a.size() < b.size();
  }

  // Whether the string from `first` up to the closing quote at p_ ends with suffix_.
  void note_suffix(const unsigned char* first) {
    const auto length = static_cast<std::size_t>(p_ - first);
    if (length >= suffix_.size() && p_[-1] == static_cast<unsigned char>(suffix_.back()) &&
        std::memcmp(p_ - suffix_.size(), suffix_.data(), suffix_.size()) == 0) {
      suffix_seen_ = true;
    }
  }

  bool enter() { return ++depth_ <= kMaxDepth; }

  bool array() {
    if (!enter()) return false;
    ++p_;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      --depth_;
      return true;
    }
    while (true) {
      if (!value() || p_ == end_) return false;
      if (*p_ == ']') {
        ++p_;
        --depth_;
        return true;
      }
      if (*p_++ != ',') return false;
    }
  }

  bool object() {
    if (!enter()) return false;
    ++p_;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      --depth_;
      return true;
    }
    // Keys are compared as canonical_json sorts them: by their bytes, unsigned (as std::string_view
    // compares). A key with escapes is compared by its decoded value, kept in one of two buffers.
    std::string buffers[2];
    std::string_view previous;
    bool first = true;
    for (int turn = 0;; turn ^= 1) {
      if (p_ == end_ || *p_ != '"') return false;
      std::string_view key;
      if (!string(&key, &buffers[turn])) return false;
      if (!first && !bytes_less(previous, key)) return false;
      first = false;
      previous = key;
      if (p_ == end_ || *p_++ != ':') return false;
      if (!value() || p_ == end_) return false;
      if (*p_ == '}') {
        ++p_;
        --depth_;
        return true;
      }
      if (*p_++ != ',') return false;
    }
  }

  const unsigned char* p_;
  const unsigned char* end_;
  std::string_view suffix_;
  bool suffix_seen_ = false;
  int depth_ = 0;
};

}  // namespace

bool is_canonical_json(std::string_view bytes) { return Scanner(bytes).document(); }

bool is_canonical_json(std::string_view bytes, std::string_view suffix, bool& ends_with) {
  Scanner scanner(bytes, suffix);
  const bool canonical = scanner.document();
  ends_with = scanner.suffix_seen();
  return canonical;
}

}  // namespace laurel::storage
