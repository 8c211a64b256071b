// Test helpers for cache/ parts that work on a FragmentStore: a memory
// backend without a sweeper, and a daily piece of FakeTruth bars written and
// published the way the ingest path does. Header-only; binaries that include
// it link finex_cache, finex_backend_memory and finex_codec.
//
// Thread-safety: as the store.
#pragma once

#include <memory>
#include <string_view>

#include "finex/backend/memory/memory_backend.h"
#include "finex/cache/fragment_store.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/status_matchers.h"

namespace finex::testing {

// A memory backend on `clock` whose expiry is checked on access only.
inline std::unique_ptr<backend::Backend> NewTestMemoryBackend(Clock& clock) {
  backend::MemoryBackendOptions mo;
  mo.clock = &clock;
  mo.sweep_interval_ms = 0;
  return backend::NewMemoryBackend(mo);
}

// Writes the daily FakeTruth bars of `symbol` in r as one yahoo/usd piece
// vouching for r, fresh for `ttl` from `now`, and publishes it.
inline fragment::FragmentPtr PutDailyPiece(cache::FragmentStore& store,
                                           const calendar::Calendar& cal, Timestamp now,
                                           std::string_view symbol, TimeRange r, Timestamp ttl,
                                           bool final, Timestamp fetched_at) {
  FramePtr bars = FakeTruth(cal, symbol, Interval::k1d, r, now, "yahoo");
  auto key = fragment::MakeFragmentKey(symbol, Interval::k1d, bars->first_timestamp(),
                                       bars->last_timestamp(), "yahoo", "usd", bars->fields());
  EXPECT_OK(key);
  auto f = fragment::FragmentFromKey(*key, 0);
  f->vouched = r;
  f->fetched_at = fetched_at;
  f->expires_at = now + ttl;
  f->final = final;
  f->rows = bars->rows();
  f->details_loaded = true;
  EXPECT_OK(store.Write(*f, bars, ttl));
  auto fp = std::make_shared<const fragment::Fragment>(*f);
  store.Publish(std::span<const fragment::FragmentPtr>(&fp, 1), {});
  return fp;
}

}  // namespace finex::testing
