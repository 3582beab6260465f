// The server's clock: the system clock, or, with --dev-clock, the system clock plus an offset that an
// administrator moves forward (POST /api/v1/dev/clock) so that publicity windows and expiry can be
// tried without waiting. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "engine/time.h"

namespace laurel::web {

class Clock {
 public:
  engine::Time now() const {
    auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return wall + offset_.load();
  }
  void advance(engine::Time seconds) { offset_ += seconds; }
  // Tests start the clock at a fixed instant.
  void set(engine::Time t) {
    auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    offset_ = t - wall;
  }

 private:
  std::atomic<engine::Time> offset_{0};
};

}  // namespace laurel::web
