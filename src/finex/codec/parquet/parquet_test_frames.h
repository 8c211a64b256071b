// Random frames for the Parquet codec's tests (seeded by the caller).
// Thread-safety: pure functions over the caller's generator.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "finex/core/frame.h"

namespace finex::codec::testing {

struct RandomFrameSpec {
  size_t rows = 100;
  int symbols = 2;
  double null_rate = 0.1;
  bool odd_doubles = true;  // NaN, +-inf, -0.0, denormals
};

inline double RandomDouble(std::mt19937_64& rng, bool odd) {
  if (odd) {
    switch (rng() % 40) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return -0.0;
      case 2:
        return std::numeric_limits<double>::infinity();
      case 3:
        return -std::numeric_limits<double>::infinity();
      case 4:
        return std::numeric_limits<double>::denorm_min();
      case 5: {
        double d;
        const uint64_t bits = rng();
        std::memcpy(&d, &bits, 8);  // any bit pattern, NaN payloads included
        return d;
      }
    }
  }
  // Prices with cents, the common case.
  return static_cast<double>(rng() % 10000000) / 100.0;
}

inline FramePtr RandomFrame(std::mt19937_64& rng, const RandomFrameSpec& spec) {
  static const char* kSyms[] = {"AAPL", "MSFT", "BTCUSDT", "^GSPC", "EURUSD=X", "BRK-B", "A", ""};
  static const char* kProviders[] = {"yahoo", "binance", "alpha_vantage", ""};
  static const char* kCurrencies[] = {"usd", "usdt", "eur"};
  static const char* kZones[] = {"America/New_York", "UTC", "Europe/Berlin"};
  const FieldSet fields(static_cast<uint8_t>(rng() % 8));
  FrameBuilder b(fields);
  b.Reserve(spec.rows);
  std::vector<std::string> syms;
  for (int s = 0; s < spec.symbols; ++s)
    syms.push_back(kSyms[(s + rng() % 3) % 7] + std::to_string(s));
  const size_t per = spec.symbols ? (spec.rows + spec.symbols - 1) / spec.symbols : 0;
  size_t made = 0;
  for (int s = 0; s < spec.symbols && made < spec.rows; ++s) {
    int64_t ts = static_cast<int64_t>(rng() % 2000000000) - 500000000;
    const int64_t step = (rng() % 2) ? 60 : 86400;
    for (size_t i = 0; i < per && made < spec.rows; ++i, ++made) {
      Bar bar;
      bar.symbol = syms[s];
      ts += step * (1 + (rng() % 5 == 0 ? rng() % 3 : 0));
      bar.timestamp = ts;
      auto maybe = [&]() -> std::optional<double> {
        if (std::uniform_real_distribution<double>(0, 1)(rng) < spec.null_rate) return std::nullopt;
        return RandomDouble(rng, spec.odd_doubles);
      };
      bar.open = maybe();
      bar.high = maybe();
      bar.low = maybe();
      bar.close = maybe();
      bar.adj_close = maybe();
      bar.market_cap = maybe();
      if (std::uniform_real_distribution<double>(0, 1)(rng) >= spec.null_rate) {
        bar.volume =
            (rng() % 4 == 0) ? static_cast<int64_t>(rng()) : static_cast<int64_t>(rng() % 1000000);
      }
      bar.provider = kProviders[rng() % 4];
      bar.currency = kCurrencies[(rng() % 7) / 5];
      bar.timezone = kZones[rng() % 3];
      b.Add(bar);
    }
  }
  return std::move(b).Finish().value();
}

}  // namespace finex::codec::testing
