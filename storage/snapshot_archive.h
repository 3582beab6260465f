// cereal archives for the nominations' stored snapshots: the same bytes as cereal's own
// BinaryOutputArchive / BinaryInputArchive (arithmetic values in the machine's order, sizes as
// 64-bit counts before their elements, no names), written into a vector and read from a span
// directly, where cereal's go through a std::ostream / std::istream and a virtual call per
// value. The format is unchanged, so snapshots written by either are read by either;
// tests/storage/snapshot_archive_test.cpp holds them equal, and tests/bench/record_bench.cpp
// measures both. The reader also refuses a count larger than the bytes left (every stored element
// takes at least one byte), so a damaged snapshot is an error instead of a huge allocation.
#pragma once

#include <cereal/cereal.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace laurel::storage {

class SnapshotOutputArchive : public cereal::OutputArchive<SnapshotOutputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit SnapshotOutputArchive(std::vector<std::uint8_t>& out) : OutputArchive(this), out_(out) {}
  void saveBinary(const void* data, std::size_t size) {
    const std::size_t at = out_.size();
    out_.resize(at + size);
    if (size) std::memcpy(out_.data() + at, data, size);
  }

 private:
  std::vector<std::uint8_t>& out_;
};

class SnapshotInputArchive : public cereal::InputArchive<SnapshotInputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit SnapshotInputArchive(std::span<const std::uint8_t> in) : InputArchive(this), in_(in) {}
  void loadBinary(void* data, std::size_t size) {
    if (size > in_.size() - at_) throw cereal::Exception("a snapshot ends early (" + std::to_string(size) + " bytes wanted)");
    if (size) std::memcpy(data, in_.data() + at_, size);
    at_ += size;
  }
  std::size_t left() const { return in_.size() - at_; }
  bool done() const { return at_ == in_.size(); }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
};

template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_SAVE_FUNCTION_NAME(SnapshotOutputArchive& ar, const T& t) {
  ar.saveBinary(&t, sizeof t);
}
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(SnapshotInputArchive& ar, T& t) {
  ar.loadBinary(&t, sizeof t);
}
template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(SnapshotOutputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}
template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(SnapshotInputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}
template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(SnapshotOutputArchive& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
}
template <class T>
void CEREAL_SERIALIZE_FUNCTION_NAME(SnapshotInputArchive& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
  if (static_cast<std::uint64_t>(t.size) > ar.left()) throw cereal::Exception("a snapshot holds a count beyond its end");
}
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(SnapshotOutputArchive& ar, const cereal::BinaryData<T>& bd) {
  ar.saveBinary(bd.data, static_cast<std::size_t>(bd.size));
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(SnapshotInputArchive& ar, cereal::BinaryData<T>& bd) {
  ar.loadBinary(bd.data, static_cast<std::size_t>(bd.size));
}

}  // namespace laurel::storage

CEREAL_SETUP_ARCHIVE_TRAITS(laurel::storage::SnapshotInputArchive, laurel::storage::SnapshotOutputArchive)
