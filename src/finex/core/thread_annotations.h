// Thread-safety annotations for clang's -Wthread-safety analysis (after
// leveldb port/thread_annotations.h and absl/base/thread_annotations.h).
// Under other compilers they expand to nothing. The `thread-safety` CMake
// preset builds the tree with clang and -Werror=thread-safety, so a member
// marked FINEX_GUARDED_BY(mu_) read without holding mu_ fails the build.
//
// Use them with finex::Mutex (core/mutex.h): std::mutex carries no
// capability attribute in libstdc++, so the analysis cannot see it.
#pragma once

#if defined(__clang__)
#define FINEX_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define FINEX_THREAD_ANNOTATION_(x)
#endif

// A type that acts as a lock (finex::Mutex).
#define FINEX_CAPABILITY(name) FINEX_THREAD_ANNOTATION_(capability(name))
// An RAII type that holds a capability for its lifetime (finex::MutexLock).
#define FINEX_SCOPED_CAPABILITY FINEX_THREAD_ANNOTATION_(scoped_lockable)
// The member may only be read or written while holding `mu`.
#define FINEX_GUARDED_BY(mu) FINEX_THREAD_ANNOTATION_(guarded_by(mu))
// The pointee may only be touched while holding `mu`.
#define FINEX_PT_GUARDED_BY(mu) FINEX_THREAD_ANNOTATION_(pt_guarded_by(mu))
// The caller must hold these locks.
#define FINEX_REQUIRES(...) FINEX_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define FINEX_REQUIRES_SHARED(...) FINEX_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))
// The caller must NOT hold these locks (the function takes them).
#define FINEX_EXCLUDES(...) FINEX_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
// The function acquires / releases the capability.
#define FINEX_ACQUIRE(...) FINEX_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define FINEX_ACQUIRE_SHARED(...) FINEX_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define FINEX_RELEASE(...) FINEX_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define FINEX_RELEASE_SHARED(...) FINEX_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define FINEX_TRY_ACQUIRE(...) FINEX_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
// The function returns a reference to the given capability.
#define FINEX_RETURN_CAPABILITY(x) FINEX_THREAD_ANNOTATION_(lock_returned(x))
// Asserts at run time that the capability is held (for the analysis).
#define FINEX_ASSERT_CAPABILITY(x) FINEX_THREAD_ANNOTATION_(assert_capability(x))
#define FINEX_ASSERT_SHARED_CAPABILITY(x) FINEX_THREAD_ANNOTATION_(assert_shared_capability(x))
// Opts one function out of the analysis; say why next to it.
#define FINEX_NO_THREAD_SAFETY_ANALYSIS FINEX_THREAD_ANNOTATION_(no_thread_safety_analysis)
