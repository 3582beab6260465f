// A cereal output archive that writes canonical JSON (canonical_json.h) straight into a string: the
// same bytes as building the value with JsonValueOutputArchive (the same names, "value0"… for
// unnamed items, arrays for sizes, {} and [] for empty nodes, the last of two equal names) and
// serialising it with canonical_json, without the value in between. An object's members are
// written one after another as they come and put in key order when the object closes; an array's
// elements are written in place. tests/storage/json_value_archive_test.cpp holds the two equal.
#pragma once

#include <cereal/cereal.hpp>

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/canonical_json.h"

namespace laurel::storage {

class CanonicalJsonOutputArchive : public cereal::OutputArchive<CanonicalJsonOutputArchive>, public cereal::traits::TextArchive {
 public:
  // Appends to `out`: one object holding each top-level name-value pair, complete after finish().
  explicit CanonicalJsonOutputArchive(std::string& out) : OutputArchive<CanonicalJsonOutputArchive>(this), out_(out) {
    stack_.push_back({State::start_object, 0, out_.size(), 0});
  }
  void finish() {
    while (!stack_.empty()) finish_node();
  }

  void set_next_name(const char* name) { next_name_ = name; }
  void start_node() {
    slot();
    stack_.push_back({State::start_object, 0, out_.size(), members_.size()});
  }
  void finish_node();
  void make_array() { stack_.back().state = State::start_array; }

  template <class T>
  void write_arithmetic(T t) {
    slot();
    if constexpr (std::is_same_v<T, bool>) {
      out_ += t ? "true" : "false";
    } else if constexpr (std::is_floating_point_v<T>) {
      throw std::logic_error("floating-point numbers are not allowed in canonical JSON");
    } else {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof digits, t).ptr;
      out_.append(digits, end);
    }
  }
  void write_string(const std::string& s) {
    slot();
    if (!append_canonical_string(s, out_)) throw std::logic_error("a string is not valid UTF-8");
  }
  void write_null() {
    slot();
    out_ += "null";
  }

 private:
  enum class State { start_object, in_object, start_array, in_array };
  struct Node {
    State state;
    unsigned counter;          // unnamed members so far ("value<n>"), or elements so far
    std::size_t start;         // where the node's bytes begin in out_
    std::size_t first_member;  // its members in members_ (only the innermost node ever grows)
  };
  struct Member {
    std::string key;
    std::size_t begin;  // its value's bytes run to the next member's begin (or the node's end)
  };

  // Before a value: a member of the current object (named by the pending name or "value<n>"), or
  // an element of the current array.
  void slot() {
    Node& n = stack_.back();
    if (n.state == State::start_array) {
      out_ += '[';
      n.state = State::in_array;
    } else if (n.state == State::start_object) {
      n.state = State::in_object;
    }
    if (n.state == State::in_array) {
      if (n.counter++) out_ += ',';
      return;
    }
    members_.push_back({next_name_ ? std::string(next_name_) : "value" + std::to_string(n.counter++), out_.size()});
    next_name_ = nullptr;
  }

  std::string& out_;
  std::vector<Node> stack_;
  std::vector<Member> members_;
  std::vector<std::size_t> order_;
  std::string scratch_;
  const char* next_name_ = nullptr;
};

inline void CanonicalJsonOutputArchive::finish_node() {
  Node n = stack_.back();
  stack_.pop_back();
  switch (n.state) {
    case State::start_object: out_ += "{}"; return;
    case State::start_array: out_ += "[]"; return;
    case State::in_array: out_ += ']'; return;
    case State::in_object: break;
  }
  const std::size_t count = members_.size() - n.first_member;
  auto end_of = [&](std::size_t i) { return i + 1 < members_.size() ? members_[i + 1].begin : out_.size(); };
  order_.resize(count);
  for (std::size_t i = 0; i < count; ++i) order_[i] = n.first_member + i;
  std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return members_[a].key < members_[b].key; });
  scratch_.clear();
  scratch_ += '{';
  bool first = true;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = order_[k];
    if (k + 1 < count && members_[order_[k + 1]].key == members_[i].key) continue;  // a later value of the same name wins
    if (!first) scratch_ += ',';
    first = false;
    if (!append_canonical_string(members_[i].key, scratch_)) throw std::logic_error("a key is not valid UTF-8");
    scratch_ += ':';
    scratch_.append(out_, members_[i].begin, end_of(i) - members_[i].begin);
  }
  scratch_ += '}';
  out_.resize(n.start);
  out_ += scratch_;
  members_.resize(n.first_member);
}

// cereal's hooks, as for JsonValueOutputArchive.
template <class T>
void prologue(CanonicalJsonOutputArchive&, const cereal::NameValuePair<T>&) {}
template <class T>
void epilogue(CanonicalJsonOutputArchive&, const cereal::NameValuePair<T>&) {}
template <class T>
void prologue(CanonicalJsonOutputArchive& ar, const cereal::SizeTag<T>&) { ar.make_array(); }
template <class T>
void epilogue(CanonicalJsonOutputArchive&, const cereal::SizeTag<T>&) {}
inline void prologue(CanonicalJsonOutputArchive&, const std::nullptr_t&) {}
inline void epilogue(CanonicalJsonOutputArchive&, const std::nullptr_t&) {}
template <class T, cereal::traits::EnableIf<std::is_arithmetic<T>::value> = cereal::traits::sfinae>
void prologue(CanonicalJsonOutputArchive&, const T&) {}
template <class T, cereal::traits::EnableIf<std::is_arithmetic<T>::value> = cereal::traits::sfinae>
void epilogue(CanonicalJsonOutputArchive&, const T&) {}
template <class CharT, class Traits, class Alloc>
void prologue(CanonicalJsonOutputArchive&, const std::basic_string<CharT, Traits, Alloc>&) {}
template <class CharT, class Traits, class Alloc>
void epilogue(CanonicalJsonOutputArchive&, const std::basic_string<CharT, Traits, Alloc>&) {}

template <class T>
inline constexpr bool kOpensCanonicalNode =
    !std::is_arithmetic_v<T> &&
    !cereal::traits::has_minimal_base_class_serialization<T, cereal::traits::has_minimal_output_serialization,
                                                          CanonicalJsonOutputArchive>::value &&
    !cereal::traits::has_minimal_output_serialization<T, CanonicalJsonOutputArchive>::value;
template <class T, std::enable_if_t<kOpensCanonicalNode<T>, int> = 0>
void prologue(CanonicalJsonOutputArchive& ar, const T&) {
  ar.start_node();
}
template <class T, std::enable_if_t<kOpensCanonicalNode<T>, int> = 0>
void epilogue(CanonicalJsonOutputArchive& ar, const T&) {
  ar.finish_node();
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(CanonicalJsonOutputArchive& ar, const cereal::NameValuePair<T>& t) {
  ar.set_next_name(t.name);
  ar(t.value);
}
inline void CEREAL_SAVE_FUNCTION_NAME(CanonicalJsonOutputArchive& ar, const std::nullptr_t&) { ar.write_null(); }
template <class T, cereal::traits::EnableIf<std::is_arithmetic<T>::value> = cereal::traits::sfinae>
void CEREAL_SAVE_FUNCTION_NAME(CanonicalJsonOutputArchive& ar, const T& t) {
  ar.write_arithmetic(t);
}
template <class CharT, class Traits, class Alloc>
void CEREAL_SAVE_FUNCTION_NAME(CanonicalJsonOutputArchive& ar, const std::basic_string<CharT, Traits, Alloc>& s) {
  ar.write_string(s);
}
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(CanonicalJsonOutputArchive&, const cereal::SizeTag<T>&) {}

}  // namespace laurel::storage
