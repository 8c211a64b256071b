// Mutex, SharedMutex, MutexLock, UniqueMutexLock, ReaderLock, WriterLock and
// CondVar: thin wrappers over std::mutex / std::shared_mutex /
// std::condition_variable_any that carry clang's capability attributes
// (core/thread_annotations.h), so a FINEX_GUARDED_BY(mu_) member touched
// without mu_ fails the thread-safety build. Same cost as the std types they
// wrap.
//
//   finex::Mutex mu_;
//   int n_ FINEX_GUARDED_BY(mu_) = 0;
//   void Add() { finex::MutexLock lock(mu_); ++n_; }
//
// A lambda the analysis cannot see into (a CondVar predicate, a callback run
// under the lock) starts with mu_.AssertHeld() when it reads guarded state.
//
// Thread-safety: as the std types. Not copyable or movable.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "finex/core/thread_annotations.h"

namespace finex {

class FINEX_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() FINEX_ACQUIRE() { mu_.lock(); }
  void Unlock() FINEX_RELEASE() { mu_.unlock(); }
  bool TryLock() FINEX_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the caller holds the lock (no run-time check).
  void AssertHeld() const FINEX_ASSERT_CAPABILITY(this) {}

  // BasicLockable, for CondVar's wait.
  void lock() FINEX_ACQUIRE() { mu_.lock(); }
  void unlock() FINEX_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class FINEX_CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() FINEX_ACQUIRE() { mu_.lock(); }
  void Unlock() FINEX_RELEASE() { mu_.unlock(); }
  void LockShared() FINEX_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() FINEX_RELEASE_SHARED() { mu_.unlock_shared(); }
  // Tell the analysis the caller holds the lock exclusively / shared (no
  // run-time check).
  void AssertHeld() const FINEX_ASSERT_CAPABILITY(this) {}
  void AssertReaderHeld() const FINEX_ASSERT_SHARED_CAPABILITY(this) {}

 private:
  std::shared_mutex mu_;
};

// Holds a Mutex for its scope.
class FINEX_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) FINEX_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() FINEX_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Holds a Mutex for its scope, but can let go of it in between (e.g. around
// I/O): Unlock() then Lock() again. The destructor unlocks only if held.
class FINEX_SCOPED_CAPABILITY UniqueMutexLock {
 public:
  explicit UniqueMutexLock(Mutex& mu) FINEX_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~UniqueMutexLock() FINEX_RELEASE() {
    if (held_) mu_.Unlock();
  }
  UniqueMutexLock(const UniqueMutexLock&) = delete;
  UniqueMutexLock& operator=(const UniqueMutexLock&) = delete;

  // REQUIRES: held.
  void Unlock() FINEX_RELEASE() {
    held_ = false;
    mu_.Unlock();
  }
  // REQUIRES: not held.
  void Lock() FINEX_ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// Holds a SharedMutex shared (readers) or exclusively (writers) for its scope.
class FINEX_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mu) FINEX_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderLock() FINEX_RELEASE() { mu_.UnlockShared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mu_;
};

class FINEX_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mu) FINEX_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() FINEX_RELEASE() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Condition variable over a finex::Mutex. Wait* REQUIRE the mutex held; it is
// released while waiting and held again on return.
class CondVar {
 public:
  void Wait(Mutex& mu) FINEX_REQUIRES(mu) { cv_.wait(mu); }
  template <typename Pred>
  void Wait(Mutex& mu, Pred pred) FINEX_REQUIRES(mu) {
    while (!pred()) cv_.wait(mu);
  }
  // False when the deadline passed with pred() still false.
  template <typename Rep, typename Period, typename Pred>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> d, Pred pred) FINEX_REQUIRES(mu) {
    return WaitUntil(mu, std::chrono::steady_clock::now() + d, std::move(pred));
  }
  template <typename Clock, typename Duration, typename Pred>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> deadline, Pred pred)
      FINEX_REQUIRES(mu) {
    while (!pred()) {
      if (cv_.wait_until(mu, deadline) == std::cv_status::timeout) return pred();
    }
    return true;
  }
  // One wait (wakeups may be spurious): false when it ended by the deadline.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> deadline) FINEX_REQUIRES(mu) {
    return cv_.wait_until(mu, deadline) != std::cv_status::timeout;
  }
  template <typename Rep, typename Period>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> d) FINEX_REQUIRES(mu) {
    return cv_.wait_for(mu, d) != std::cv_status::timeout;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace finex
