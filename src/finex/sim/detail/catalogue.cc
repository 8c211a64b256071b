#include "finex/sim/detail/catalogue.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "finex/sim/detail/hash.h"

namespace finex::sim {
namespace detail {
namespace {

// Well-known instruments: realistic names, levels and listing dates.
struct Known {
  const char* symbol;
  const char* name;
  const char* type;
  const char* exchange;
  const char* full_exchange;
  const char* currency;
  const char* sector;
  const char* industry;
  double price;        // level around 2024-01
  const char* listed;  // first trading date
  double shares;
};
constexpr Known kKnown[] = {
    {"AAPL", "Apple Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Technology", "Consumer Electronics",
     185, "1980-12-12", 15.5e9},
    {"MSFT", "Microsoft Corporation", "EQUITY", "NMS", "NasdaqGS", "USD", "Technology",
     "Software—Infrastructure", 370, "1986-03-13", 7.4e9},
    {"GOOGL", "Alphabet Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Communication Services",
     "Internet Content & Information", 140, "2004-08-19", 5.9e9},
    {"AMZN", "Amazon.com, Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Consumer Cyclical",
     "Internet Retail", 150, "1997-05-15", 10.4e9},
    {"TSLA", "Tesla, Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Consumer Cyclical",
     "Auto Manufacturers", 240, "2010-06-29", 3.2e9},
    {"NVDA", "NVIDIA Corporation", "EQUITY", "NMS", "NasdaqGS", "USD", "Technology",
     "Semiconductors", 490, "1999-01-22", 2.5e9},
    {"META", "Meta Platforms, Inc.", "EQUITY", "NMS", "NasdaqGS", "USD", "Communication Services",
     "Internet Content & Information", 350, "2012-05-18", 2.6e9},
    {"JPM", "JPMorgan Chase & Co.", "EQUITY", "NYQ", "NYSE", "USD", "Financial Services",
     "Banks—Diversified", 170, "1980-03-17", 2.9e9},
    {"IBM", "International Business Machines Corporation", "EQUITY", "NYQ", "NYSE", "USD",
     "Technology", "Information Technology Services", 160, "1962-01-02", 0.9e9},
    {"BA", "The Boeing Company", "EQUITY", "NYQ", "NYSE", "USD", "Industrials",
     "Aerospace & Defense", 250, "1962-01-02", 0.6e9},
    {"SPY", "SPDR S&P 500 ETF Trust", "ETF", "PCX", "NYSEArca", "USD", "", "", 475, "1993-01-29",
     0.9e9},
    {"^GSPC", "S&P 500", "INDEX", "SNP", "SNP", "USD", "", "", 4750, "1927-12-30", 0},
    {"BTC-USD", "Bitcoin USD", "CRYPTOCURRENCY", "CCC", "CCC", "USD", "", "", 42000, "2014-09-17",
     19.6e6},
    {"ETH-USD", "Ethereum USD", "CRYPTOCURRENCY", "CCC", "CCC", "USD", "", "", 2300, "2017-11-09",
     120e6},
    {"EURUSD=X", "EUR/USD", "CURRENCY", "CCY", "CCY", "USD", "", "", 1.09, "2003-12-01", 0},
    {"GBPUSD=X", "GBP/USD", "CURRENCY", "CCY", "CCY", "USD", "", "", 1.27, "2003-12-01", 0},
    {"GC=F", "Gold", "FUTURE", "CMX", "COMEX", "USD", "", "", 2060, "2000-08-30", 0},
    {"OCDO.L", "Ocado Group plc", "EQUITY", "LSE", "LSE", "GBp", "Consumer Defensive",
     "Grocery Stores", 750, "2010-07-21", 0.8e9},
    {"SAP.DE", "SAP SE", "EQUITY", "GER", "XETRA", "EUR", "Technology", "Software—Application", 140,
     "1994-01-03", 1.2e9},
    {"7203.T", "Toyota Motor Corporation", "EQUITY", "JPX", "Tokyo", "JPY", "Consumer Cyclical",
     "Auto Manufacturers", 2600, "1999-05-10", 13.0e9},
    {"BTCUSDT", "Bitcoin / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 42000,
     "2017-08-17", 19.6e6},
    {"ETHUSDT", "Ethereum / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 2300,
     "2017-08-17", 120e6},
    {"BNBUSDT", "BNB / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 310,
     "2017-11-06", 150e6},
    {"SOLUSDT", "Solana / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 100,
     "2020-08-11", 430e6},
    {"XRPUSDT", "XRP / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "", 0.6,
     "2018-05-04", 54e9},
    {"DOGEUSDT", "Dogecoin / TetherUS", "CRYPTOCURRENCY", "BINANCE", "Binance", "USDT", "", "",
     0.09, "2019-07-05", 142e9},
    {"ETHBTC", "Ethereum / Bitcoin", "CRYPTOCURRENCY", "BINANCE", "Binance", "BTC", "", "", 0.055,
     "2017-07-14", 120e6},
    {"bitcoin", "Bitcoin", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 42000,
     "2013-04-28", 19.6e6},
    {"ethereum", "Ethereum", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 2300,
     "2015-08-07", 120e6},
    {"solana", "Solana", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 100,
     "2020-04-10", 430e6},
    {"ripple", "XRP", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 0.6, "2013-08-04",
     54e9},
    {"dogecoin", "Dogecoin", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 0.09,
     "2013-12-15", 142e9},
    {"cardano", "Cardano", "CRYPTOCURRENCY", "COINGECKO", "CoinGecko", "USD", "", "", 0.55,
     "2017-10-01", 35e9},
};

const Known* FindKnown(std::string_view symbol) {
  for (const Known& k : kKnown) {
    if (symbol == k.symbol) return &k;
  }
  return nullptr;
}

Timestamp DateStamp(std::string_view iso) {
  CivilDate d{std::atoi(std::string(iso.substr(0, 4)).c_str()),
              std::atoi(std::string(iso.substr(5, 2)).c_str()),
              std::atoi(std::string(iso.substr(8, 2)).c_str())};
  return DaysFromCivil(d) * kSecondsPerDay;
}

}  // namespace

Timestamp FirstOpenFrom(const calendar::Calendar& cal, int64_t day) {
  for (int i = 0; i < 30; ++i) {
    if (auto s = cal.SessionOn(CivilFromDays(day + i))) return s->open;
  }
  return day * kSecondsPerDay;
}

SymbolInfo DescribeSymbol(std::string_view symbol, uint64_t h, double* level_out) {
  SymbolInfo info;
  SymbolInfo& in = info;
  in.symbol = std::string(symbol);
  const Known* k = FindKnown(symbol);
  const std::string exchange_hint = k ? k->exchange : "";
  in.calendar =
      &calendar::CalendarFor(symbol, exchange_hint == "COINGECKO" ? "CCC" : exchange_hint);
  const calendar::Calendar& cal = *in.calendar;
  const auto kind = cal.kind();
  const std::string_view code = cal.code();
  double& level = *level_out;
  if (k != nullptr) {
    in.name = k->name;
    in.type = k->type;
    in.exchange = k->exchange;
    in.full_exchange = k->full_exchange;
    in.currency = k->currency;
    in.sector = k->sector;
    in.industry = k->industry;
    level = k->price;
    in.listed = FirstOpenFrom(cal, DayOf(DateStamp(k->listed)));
    in.market_cap_shares = k->shares;
  } else {
    if (kind == calendar::MarketKind::kCrypto) {
      in.type = "CRYPTOCURRENCY";
      in.name = std::string(symbol);
      in.exchange = "CCC";
      in.full_exchange = "CCC";
      level = std::exp(std::log(0.05) + U01(Mix(h, 1)) * std::log(2000 / 0.05));
      in.listed =
          FirstOpenFrom(cal, DayOf(DateStamp("2015-01-01")) + static_cast<int64_t>(h % 1800));
      in.market_cap_shares = 1e8 * (1 + U01(Mix(h, 2)) * 50);
    } else if (kind == calendar::MarketKind::kFx) {
      in.type = "CURRENCY";
      in.name = std::string(symbol.substr(0, std::min<size_t>(3, symbol.size()))) + "/" +
                std::string(symbol.size() >= 6 ? symbol.substr(3, 3) : "USD");
      in.exchange = "CCY";
      in.full_exchange = "CCY";
      level = 0.5 + U01(Mix(h, 1)) * 1.5;
      in.listed = FirstOpenFrom(cal, DayOf(DateStamp("2003-12-01")));
    } else {
      const bool index = !symbol.empty() && symbol[0] == '^';
      const bool future = symbol.ends_with("=F");
      in.type = index ? "INDEX" : future ? "FUTURE" : "EQUITY";
      std::string base(symbol);
      if (auto dot = base.find('.'); dot != std::string::npos) base.resize(dot);
      in.name = index ? std::string(symbol.substr(1)) + " Index" : base + " Holdings Inc.";
      level = std::exp(std::log(5.0) + U01(Mix(h, 1)) * std::log(600 / 5.0));
      if (index) level *= 20;
      in.listed =
          FirstOpenFrom(cal, DayOf(DateStamp("1985-01-02")) + static_cast<int64_t>(h % (30 * 365)));
      in.market_cap_shares = index || future ? 0 : 1e7 * (1 + U01(Mix(h, 2)) * 300);
      if (code == "XNAS") {
        in.exchange = "NMS";
        in.full_exchange = "NasdaqGS";
      } else if (code == "XLON") {
        in.exchange = "LSE";
        in.full_exchange = "LSE";
      } else if (code == "XETR") {
        in.exchange = "GER";
        in.full_exchange = "XETRA";
      } else if (code == "XPAR") {
        in.exchange = "PAR";
        in.full_exchange = "Paris";
      } else if (code == "XTKS") {
        in.exchange = "JPX";
        in.full_exchange = "Tokyo";
      } else if (code == "XHKG") {
        in.exchange = "HKG";
        in.full_exchange = "HKSE";
      } else if (code == "XASX") {
        in.exchange = "ASX";
        in.full_exchange = "ASX";
      } else {
        in.exchange = index ? "SNP" : future ? "CMX" : "NYQ";
        in.full_exchange = index ? "SNP" : future ? "COMEX" : "NYSE";
      }
      in.sector = index || future ? "" : "Industrials";
      in.industry = index || future ? "" : "Specialty Industrial Machinery";
    }
    // Currency from the symbol's shape.
    if (code == "XLON") {
      in.currency = "GBp";
    } else if (code == "XETR" || code == "XPAR") {
      in.currency = "EUR";
    } else if (code == "XTKS") {
      in.currency = "JPY";
      level *= 100;
    } else if (code == "XHKG") {
      in.currency = "HKD";
    } else if (code == "XASX") {
      in.currency = "AUD";
    } else if (kind == calendar::MarketKind::kFx) {
      in.currency = symbol.size() >= 6 ? AsciiUpper(symbol.substr(3, 3)) : "USD";
    } else if (symbol.ends_with("USDT")) {
      in.currency = "USDT";
    } else if (symbol.ends_with("BTC") && symbol.size() > 3) {
      in.currency = "BTC";
      level /= 40000;
    } else {
      in.currency = "USD";
    }
  }
  in.country =
      in.currency == "USD" && kind == calendar::MarketKind::kExchange ? "United States" : "";
  return info;
}

}  // namespace detail

std::vector<std::string> WellKnownSymbols() {
  std::vector<std::string> out;
  for (const detail::Known& k : detail::kKnown) out.emplace_back(k.symbol);
  return out;
}

}  // namespace finex::sim
