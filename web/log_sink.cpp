#include "web/log_sink.h"

#include <spdlog/pattern_formatter.h>

#include <cerrno>

#include <unistd.h>

namespace laurel::web {

BatchingFdSink::BatchingFdSink(int fd, std::chrono::microseconds rest)
    : fd_(fd), rest_(rest), formatter_(std::make_unique<spdlog::pattern_formatter>()) {
  writer_ = std::thread([this] { run(); });
}

BatchingFdSink::~BatchingFdSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  writer_.join();
}

void BatchingFdSink::log(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  std::unique_lock lock(mu_);
  formatter_->format(msg, line);  // under the lock: set_formatter may replace it
  written_.wait(lock, [this] { return pending_.size() < kMaxPending || stop_; });
  pending_.append(line.data(), line.size());
  appended_ += 1;
  if (idle_) {
    idle_ = false;
    lock.unlock();
    wake_.notify_one();
  }
}

void BatchingFdSink::flush() {
  std::unique_lock lock(mu_);
  const std::uint64_t target = appended_;
  if (idle_ && !pending_.empty()) {
    idle_ = false;
    wake_.notify_one();
  }
  written_.wait(lock, [&] { return done_ >= target; });
}

void BatchingFdSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BatchingFdSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  std::lock_guard lock(mu_);
  formatter_ = std::move(formatter);
}

void BatchingFdSink::run() {
  std::string batch;
  std::unique_lock lock(mu_);
  for (;;) {
    if (pending_.empty()) {
      if (stop_) return;
      idle_ = true;
      wake_.wait(lock, [this] { return !pending_.empty() || stop_; });
      idle_ = false;
      continue;
    }
    batch.swap(pending_);
    const std::uint64_t upto = appended_;
    lock.unlock();
    written_.notify_all();  // room again for a logger that waited
    write_all(batch);
    batch.clear();
    lock.lock();
    done_ = upto;
    written_.notify_all();
    if (!stop_ && rest_.count() > 0) {
      // Let the next lines gather: loggers append without waking anyone meanwhile.
      lock.unlock();
      std::this_thread::sleep_for(rest_);
      lock.lock();
    }
  }
}

void BatchingFdSink::write_all(const std::string& bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr closed or full disk: the lines are lost, the server goes on
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace laurel::web
