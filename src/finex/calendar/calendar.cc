#include "finex/calendar/calendar.h"

#include <array>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "finex/calendar/detail/exchange_calendar.h"

namespace finex::calendar {
namespace {

struct Registry {
  detail::ExchangeCalendar xnys{detail::XnysSpec()};
  detail::ExchangeCalendar xnas{detail::XnasSpec()};
  detail::ExchangeCalendar xlon{detail::XlonSpec()};
  detail::ExchangeCalendar xetr{detail::XetrSpec()};
  detail::ExchangeCalendar xpar{detail::XparSpec()};
  detail::ExchangeCalendar xtks{detail::XtksSpec()};
  detail::ExchangeCalendar xhkg{detail::XhkgSpec()};
  detail::ExchangeCalendar xasx{detail::XasxSpec()};
  detail::CryptoCalendar crypto;
  detail::FxCalendar fx;

  std::array<const Calendar*, 10> all() const {
    return {&xnys, &xnas, &xlon, &xetr, &xpar, &xtks, &xhkg, &xasx, &crypto, &fx};
  }
};

const Registry& Reg() {
  static const Registry* r = new Registry();  // never destroyed: lives for the program
  return *r;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Exchange names and codes seen in provider metadata (Yahoo "exchange" and
// "fullExchangeName", Alpha Vantage/Twelve Data "exchange", MIC codes).
const Calendar* FromHint(std::string_view hint) {
  if (hint.empty()) return nullptr;
  std::string h = Upper(hint);
  for (char& c : h) {
    if (c == ' ' || c == '_') c = '-';
  }
  const Registry& r = Reg();
  struct Entry {
    const char* name;
    const Calendar* cal;
  };
  const Entry kEntries[] = {
      // United States.
      {"XNYS", &r.xnys},
      {"NYSE", &r.xnys},
      {"NYQ", &r.xnys},
      {"NYS", &r.xnys},
      {"NYSEARCA", &r.xnys},
      {"NYSE-ARCA", &r.xnys},
      {"ARCX", &r.xnys},
      {"PCX", &r.xnys},
      {"ASE", &r.xnys},
      {"AMEX", &r.xnys},
      {"XASE", &r.xnys},
      {"NYSE-AMERICAN", &r.xnys},
      {"NYSE-MKT", &r.xnys},
      {"BATS", &r.xnys},
      {"BTS", &r.xnys},
      {"CBOE", &r.xnys},
      {"BZX", &r.xnys},
      {"SNP", &r.xnys},
      {"US", &r.xnys},
      {"OTC", &r.xnys},
      {"PNK", &r.xnys},
      {"XNAS", &r.xnas},
      {"NASDAQ", &r.xnas},
      {"NMS", &r.xnas},
      {"NGM", &r.xnas},
      {"NCM", &r.xnas},
      {"NAS", &r.xnas},
      {"NIM", &r.xnas},
      {"NASDAQGS", &r.xnas},
      {"NASDAQGM", &r.xnas},
      {"NASDAQCM", &r.xnas},
      {"XNGS", &r.xnas},
      {"XNMS", &r.xnas},
      {"XNCM", &r.xnas},
      // US futures and index venues: no calendar of their own; the US equity
      // session is the closest approximation (see calendar.h).
      {"CMX", &r.xnys},
      {"NYM", &r.xnys},
      {"CBT", &r.xnys},
      {"CME", &r.xnys},
      {"NYB", &r.xnys},
      {"WCB", &r.xnys},
      {"CBOT", &r.xnys},
      {"NYMEX", &r.xnys},
      {"COMEX", &r.xnys},
      // Europe.
      {"XLON", &r.xlon},
      {"LSE", &r.xlon},
      {"LON", &r.xlon},
      {"IOB", &r.xlon},
      {"XETR", &r.xetr},
      {"XETRA", &r.xetr},
      {"GER", &r.xetr},
      {"ETR", &r.xetr},
      {"XFRA", &r.xetr},
      {"FRA", &r.xetr},
      {"FRANKFURT", &r.xetr},
      {"XPAR", &r.xpar},
      {"PAR", &r.xpar},
      {"EPA", &r.xpar},
      {"EURONEXT", &r.xpar},
      {"ENX", &r.xpar},
      {"XAMS", &r.xpar},
      {"AMS", &r.xpar},
      {"XBRU", &r.xpar},
      {"BRU", &r.xpar},
      {"XLIS", &r.xpar},
      {"LIS", &r.xpar},
      // Asia-Pacific.
      {"XTKS", &r.xtks},
      {"TYO", &r.xtks},
      {"JPX", &r.xtks},
      {"TSE", &r.xtks},
      {"TOKYO", &r.xtks},
      {"XJPX", &r.xtks},
      {"XHKG", &r.xhkg},
      {"HKG", &r.xhkg},
      {"HKEX", &r.xhkg},
      {"HKSE", &r.xhkg},
      {"XASX", &r.xasx},
      {"ASX", &r.xasx},
      // Crypto venues and aggregates.
      {"CRYPTO", &r.crypto},
      {"CCC", &r.crypto},
      {"BINANCE", &r.crypto},
      {"BINANCEUS", &r.crypto},
      {"COINBASE", &r.crypto},
      {"KRAKEN", &r.crypto},
      {"BITSTAMP", &r.crypto},
      {"COINGECKO", &r.crypto},
      // Currencies.
      {"FX", &r.fx},
      {"CCY", &r.fx},
      {"FOREX", &r.fx},
      {"CURRENCY", &r.fx},
      {"PHYSICAL-CURRENCY", &r.fx},
  };
  for (const Entry& e : kEntries) {
    if (h == e.name) return e.cal;
  }
  return nullptr;
}

bool IsFiat(std::string_view s) {
  static constexpr std::string_view kFiat[] = {
      "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "CNY", "CNH", "HKD",
      "SGD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "TRY", "ZAR", "MXN", "BRL",
      "INR", "KRW", "RUB", "ILS", "THB", "TWD", "IDR", "MYR", "PHP"};
  for (std::string_view f : kFiat) {
    if (s == f) return true;
  }
  return false;
}

bool IsCoinTicker(std::string_view s) {
  static constexpr std::string_view kCoins[] = {
      "BTC", "ETH",  "USDT", "USDC", "BUSD", "BNB", "XRP",   "ADA",  "SOL", "DOGE", "DOT", "LTC",
      "TRX", "AVAX", "LINK", "XLM",  "XMR",  "BCH", "MATIC", "SHIB", "UNI", "ATOM", "ETC", "DAI"};
  for (std::string_view c : kCoins) {
    if (s == c) return true;
  }
  return false;
}

// CoinGecko ids (lower case, as the API spells them).
bool IsCoinId(std::string_view s) {
  static constexpr std::string_view kIds[] = {
      "bitcoin",   "ethereum", "tether",   "binancecoin",      "ripple",   "cardano",
      "solana",    "dogecoin", "polkadot", "litecoin",         "tron",     "avalanche-2",
      "chainlink", "stellar",  "monero",   "bitcoin-cash",     "usd-coin", "matic-network",
      "shiba-inu", "uniswap",  "cosmos",   "ethereum-classic", "dai"};
  for (std::string_view id : kIds) {
    if (s == id) return true;
  }
  return false;
}

const Calendar* FromShape(std::string_view symbol) {
  const Registry& r = Reg();
  if (IsCoinId(symbol)) return &r.crypto;
  std::string s = Upper(symbol);
  if (EndsWith(s, "=X")) return &r.fx;
  // "EUR/USD" is a currency pair; "BTC/USDT" a crypto pair.
  if (size_t slash = s.find('/'); slash != std::string::npos) {
    std::string_view base = std::string_view(s).substr(0, slash);
    std::string_view quote = std::string_view(s).substr(slash + 1);
    if (IsCoinTicker(base) || IsCoinTicker(quote)) return &r.crypto;
    if (IsFiat(base) && IsFiat(quote)) return &r.fx;
  }
  // Yahoo crypto "BTC-USD"; stock classes such as "BRK-B" do not match.
  if (size_t dash = s.rfind('-'); dash != std::string::npos && dash > 0) {
    std::string_view quote = std::string_view(s).substr(dash + 1);
    std::string_view base = std::string_view(s).substr(0, dash);
    if ((IsFiat(quote) || IsCoinTicker(quote)) && base.size() >= 2) return &r.crypto;
  }
  // Exchange pairs "BTCUSDT", "ETHBUSD", "ETHBTC".
  for (std::string_view q : {"USDT", "BUSD", "USDC"}) {
    if (EndsWith(s, q)) return &r.crypto;
  }
  if (s.size() >= 6 && (EndsWith(s, "BTC") || EndsWith(s, "ETH")) &&
      IsCoinTicker(std::string_view(s).substr(0, s.size() - 3))) {
    return &r.crypto;
  }
  // Exchange suffixes (Yahoo style).
  struct Suffix {
    const char* suffix;
    const Calendar* cal;
  };
  const Suffix kSuffixes[] = {
      {".L", &r.xlon},  {".IL", &r.xlon}, {".DE", &r.xetr}, {".F", &r.xetr},
      {".PA", &r.xpar}, {".AS", &r.xpar}, {".BR", &r.xpar}, {".LS", &r.xpar},
      {".T", &r.xtks},  {".HK", &r.xhkg}, {".AX", &r.xasx},
  };
  for (const Suffix& x : kSuffixes) {
    if (EndsWith(s, x.suffix)) return x.cal;
  }
  // Benchmark indices of the non-US markets.
  struct Index {
    const char* name;
    const Calendar* cal;
  };
  const Index kIndices[] = {
      {"^FTSE", &r.xlon}, {"^FTMC", &r.xlon}, {"^GDAXI", &r.xetr}, {"^FCHI", &r.xpar},
      {"^AEX", &r.xpar},  {"^N225", &r.xtks}, {"^HSI", &r.xhkg},   {"^AXJO", &r.xasx},
      {"^AORD", &r.xasx}, {"^IXIC", &r.xnas}, {"^NDX", &r.xnas},
  };
  for (const Index& x : kIndices) {
    if (s == x.name) return x.cal;
  }
  return &r.xnys;
}

}  // namespace

Result<const Calendar*> FindCalendar(std::string_view code) {
  std::string c = Upper(code);
  for (const Calendar* cal : Reg().all()) {
    if (cal->code() == c) return cal;
  }
  return NotFoundError("unknown calendar '" + std::string(code) +
                       "' (known: XNYS XNAS XLON XETR XPAR XTKS XHKG XASX CRYPTO FX)");
}

const std::vector<const Calendar*>& AllCalendars() {
  static const std::vector<const Calendar*>* all = [] {
    auto a = Reg().all();
    return new std::vector<const Calendar*>(a.begin(), a.end());
  }();
  return *all;
}

const Calendar& CalendarFor(std::string_view symbol, std::string_view exchange_hint) {
  if (const Calendar* c = FromHint(exchange_hint)) return *c;
  return *FromShape(symbol);
}

}  // namespace finex::calendar
