// The server's log sink: each line is formatted by the thread that logs it and appended to a buffer;
// one background thread writes what has gathered to a file descriptor (stderr) in one write(2) call,
// then rests a moment so that the next lines gather too. A request thus costs an append under a
// mutex: no system call and no thread wake-up per line (spdlog's async logger woke its thread for
// every line and its stderr sink flushed each one). The first line after a quiet spell wakes the
// writer at once; lines are never dropped: a logger that finds kMaxPending bytes waiting blocks until
// the writer has taken them. flush() and the destructor return after everything logged is written.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace laurel::web {

class BatchingFdSink final : public spdlog::sinks::sink {
 public:
  static constexpr std::size_t kMaxPending = 8 * 1024 * 1024;
  explicit BatchingFdSink(int fd = 2, std::chrono::microseconds rest = std::chrono::milliseconds(2));
  ~BatchingFdSink() override;
  BatchingFdSink(const BatchingFdSink&) = delete;
  BatchingFdSink& operator=(const BatchingFdSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  void run();
  void write_all(const std::string& bytes);

  const int fd_;
  const std::chrono::microseconds rest_;
  std::mutex mu_;
  std::condition_variable wake_;     // the writer waits here while there is nothing to write
  std::condition_variable written_;  // loggers wait here for room, flush() for its lines
  std::unique_ptr<spdlog::formatter> formatter_;
  std::string pending_;
  std::uint64_t appended_ = 0;  // lines appended, ever
  std::uint64_t done_ = 0;      // lines written, ever
  bool idle_ = false;           // the writer is waiting on wake_
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace laurel::web
