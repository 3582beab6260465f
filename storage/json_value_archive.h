// A cereal output archive that builds a boost::json::value directly, for the audit records. It
// produces exactly the value that parsing cereal's JSONOutputArchive text would give (the same names,
// "value0"… for unnamed items, arrays for sizes, {} and [] for empty nodes), so records keep their
// bytes, but without formatting text through an ostream and parsing it back: that round trip was a
// seventh of the writer's time. tests/storage/json_value_archive_test.cpp holds the two equal.
#pragma once

#include <boost/json/value.hpp>
#include <cereal/cereal.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

namespace laurel::storage {

class JsonValueOutputArchive : public cereal::OutputArchive<JsonValueOutputArchive>, public cereal::traits::TextArchive {
 public:
  JsonValueOutputArchive() : OutputArchive<JsonValueOutputArchive>(this) { stack_.push_back({&root_, State::start_object, 0}); }

  // The value written so far: an object holding each top-level name-value pair.
  boost::json::value& value() {
    if (stack_.size() == 1 && stack_.back().state == State::start_object) root_ = boost::json::object();
    return root_;
  }

  void set_next_name(const char* name) { next_name_ = name; }
  void start_node() {
    boost::json::value* v = slot();
    stack_.push_back({v, State::start_object, 0});
  }
  void finish_node() {
    Node& n = stack_.back();
    if (n.state == State::start_object) *n.value = boost::json::object();
    if (n.state == State::start_array) *n.value = boost::json::array();
    stack_.pop_back();
  }
  void make_array() { stack_.back().state = State::start_array; }

  template <class T>
  void write_arithmetic(T t) {
    boost::json::value* v = slot();
    if constexpr (std::is_same_v<T, bool>) {
      *v = t;
    } else if constexpr (std::is_floating_point_v<T>) {
      *v = static_cast<double>(t);
    } else if constexpr (std::is_signed_v<T>) {
      *v = static_cast<std::int64_t>(t);
    } else if (static_cast<std::uint64_t>(t) <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      *v = static_cast<std::int64_t>(t);  // as a parser reads a non-negative integer
    } else {
      *v = static_cast<std::uint64_t>(t);
    }
  }
  void write_string(const std::string& s) { *slot() = boost::json::string(s); }
  void write_null() { *slot() = nullptr; }

 private:
  enum class State { start_object, in_object, start_array, in_array };
  struct Node {
    boost::json::value* value;
    State state;
    unsigned counter;
  };

  // Where the next value goes: a new member of the current object (named by the pending name or
  // "value<n>") or a new element of the current array. Pointers into a parent stay valid because only
  // the innermost node ever grows.
  boost::json::value* slot() {
    Node& n = stack_.back();
    if (n.state == State::start_object) {
      *n.value = boost::json::object();
      n.state = State::in_object;
    } else if (n.state == State::start_array) {
      *n.value = boost::json::array();
      n.state = State::in_array;
    }
    if (n.state == State::in_array) {
      auto& a = n.value->get_array();
      a.emplace_back(nullptr);
      return &a.back();
    }
    std::string name = next_name_ ? std::string(next_name_) : "value" + std::to_string(n.counter++);
    next_name_ = nullptr;
    auto& o = n.value->get_object();
    return &o.insert_or_assign(name, nullptr).first->value();
  }

  boost::json::value root_;
  std::vector<Node> stack_;
  const char* next_name_ = nullptr;
};

// cereal's hooks, mirroring cereal/archives/json.hpp for the output side.
template <class T>
void prologue(JsonValueOutputArchive&, const cereal::NameValuePair<T>&) {}
template <class T>
void epilogue(JsonValueOutputArchive&, const cereal::NameValuePair<T>&) {}
template <class T>
void prologue(JsonValueOutputArchive& ar, const cereal::SizeTag<T>&) { ar.make_array(); }
template <class T>
void epilogue(JsonValueOutputArchive&, const cereal::SizeTag<T>&) {}
inline void prologue(JsonValueOutputArchive&, const std::nullptr_t&) {}
inline void epilogue(JsonValueOutputArchive&, const std::nullptr_t&) {}
template <class T, cereal::traits::EnableIf<std::is_arithmetic<T>::value> = cereal::traits::sfinae>
void prologue(JsonValueOutputArchive&, const T&) {}
template <class T, cereal::traits::EnableIf<std::is_arithmetic<T>::value> = cereal::traits::sfinae>
void epilogue(JsonValueOutputArchive&, const T&) {}
template <class CharT, class Traits, class Alloc>
void prologue(JsonValueOutputArchive&, const std::basic_string<CharT, Traits, Alloc>&) {}
template <class CharT, class Traits, class Alloc>
void epilogue(JsonValueOutputArchive&, const std::basic_string<CharT, Traits, Alloc>&) {}

// A class serialised through serialize()/save() (not a minimal one) opens a node of its own.
template <class T>
inline constexpr bool kOpensNode =
    !std::is_arithmetic_v<T> &&
    !cereal::traits::has_minimal_base_class_serialization<T, cereal::traits::has_minimal_output_serialization,
                                                          JsonValueOutputArchive>::value &&
    !cereal::traits::has_minimal_output_serialization<T, JsonValueOutputArchive>::value;
template <class T, std::enable_if_t<kOpensNode<T>, int> = 0>
void prologue(JsonValueOutputArchive& ar, const T&) {
  ar.start_node();
}
template <class T, std::enable_if_t<kOpensNode<T>, int> = 0>
void epilogue(JsonValueOutputArchive& ar, const T&) {
  ar.finish_node();
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(JsonValueOutputArchive& ar, const cereal::NameValuePair<T>& t) {
  ar.set_next_name(t.name);
  ar(t.value);
}
inline void CEREAL_SAVE_FUNCTION_NAME(JsonValueOutputArchive& ar, const std::nullptr_t&) { ar.write_null(); }
template <class T, cereal::traits::EnableIf<std::is_arithmetic<T>::value> = cereal::traits::sfinae>
void CEREAL_SAVE_FUNCTION_NAME(JsonValueOutputArchive& ar, const T& t) {
  ar.write_arithmetic(t);
}
template <class CharT, class Traits, class Alloc>
void CEREAL_SAVE_FUNCTION_NAME(JsonValueOutputArchive& ar, const std::basic_string<CharT, Traits, Alloc>& s) {
  ar.write_string(s);
}
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(JsonValueOutputArchive&, const cereal::SizeTag<T>&) {}

}  // namespace laurel::storage
