#include "finex/provider/detail/common.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "finex/calendar/timezone.h"
#include "finex/core/symbol.h"
#include "finex/provider/factory.h"

namespace finex::provider::detail {

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Query& Query::Add(std::string_view key, std::string_view value) {
  if (!s_.empty()) s_.push_back('&');
  s_.append(key);
  s_.push_back('=');
  s_.append(UrlEncode(value));
  return *this;
}

Query& Query::Add(std::string_view key, int64_t value) { return Add(key, std::to_string(value)); }

CallLimits LimitsFromFacts(const ProviderFacts& facts, Interval iv) {
  const IntervalReach& reach = ReachOf(facts.reach, iv);
  CallLimits l;
  l.supported = reach.supported;
  l.max_span_s = reach.max_span_s;
  l.max_lookback_s = reach.max_lookback_s;
  l.month_per_call = reach.month_per_call;
  l.max_rows = facts.max_rows_per_call;
  l.whole_history = facts.whole_daily_history_per_call && !IsIntraday(iv);
  l.any_currency = facts.quotes_in_any_currency;
  return l;
}

std::string BaseUrl(const ProviderConfig& config, ProviderId id) {
  std::string b = config.base_url.empty() ? std::string(DefaultBaseUrl(id)) : config.base_url;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b;
}

std::optional<double> ParseDouble(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '+')) s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseVolume(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return v;
  std::optional<double> d = ParseDouble(s);
  if (!d || *d < -9.2e18 || *d > 9.2e18) return std::nullopt;
  return std::llround(*d);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string NormalizeCurrency(std::string_view code) {
  if (code == "GBp") return "gbx";
  if (code == "ZAc") return "zac";
  return AsciiLower(code);
}

std::string Sanitize(std::string_view text, std::string_view secret) {
  std::string s(text);
  if (!secret.empty()) {
    for (size_t pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos + 3)) {
      s.replace(pos, secret.size(), "***");
    }
  }
  return Printable(s, 300);
}

Status Error(ProviderId id, StatusCode code, std::string_view message, int upstream_status,
             double retry_after_s) {
  Status s(code, std::string(ProviderName(id)) + ": " + std::string(message));
  s = s.WithProvider(std::string(ProviderName(id)), upstream_status);
  if (retry_after_s >= 0) s = s.WithRetryAfter(retry_after_s);
  return s;
}

Status CheckNonEmptyRange(ProviderId id, const HistoryRequest& req) {
  if (!req.range.empty()) return Status();
  return Error(id, StatusCode::kInvalidArgument, "empty range " + req.range.ToString())
      .WithParam("start");
}

Headers ApiKeyHeaders(const ProviderConfig& config, std::string_view name,
                      std::string_view prefix) {
  Headers h;
  if (!config.api_key.empty()) {
    h.emplace_back(std::string(name), std::string(prefix) + config.api_key);
  }
  return h;
}

double RetryAfterSeconds(const HttpResponse& resp) {
  std::string_view v = resp.Header("retry-after");
  if (v.empty()) return -1;
  std::optional<double> d = ParseDouble(v);
  return d && *d >= 0 ? *d : -1;
}

Status HttpError(ProviderId id, const HttpResponse& resp, std::string_view upstream_message,
                 std::string_view secret) {
  std::string msg = "HTTP " + std::to_string(resp.status);
  if (!upstream_message.empty()) msg += ": " + Sanitize(upstream_message, secret);
  const int st = resp.status;
  StatusCode code;
  double retry = -1;
  if (st == 429 || st == 418) {
    code = StatusCode::kResourceExhausted;
    retry = RetryAfterSeconds(resp);
    if (retry < 0) retry = 60;  // unknown wait: a minute is every provider's window
  } else if (st == 404) {
    code = StatusCode::kNotFound;
  } else if (st == 401) {
    code = StatusCode::kUnauthenticated;
  } else if (st == 403) {
    code = StatusCode::kPermissionDenied;
  } else if (st == 422) {
    code = StatusCode::kOutOfRange;
  } else if (st == 408 || st >= 500) {
    code = StatusCode::kUnavailable;
    retry = RetryAfterSeconds(resp);
  } else if (st >= 400) {
    code = StatusCode::kInvalidArgument;
  } else {
    code = StatusCode::kDataLoss;  // 1xx/3xx we cannot use
  }
  return Error(id, code, msg, st, retry);
}

Status TransportError(ProviderId id, const Status& s, std::string_view secret) {
  return Error(id, s.code(), Sanitize(s.message(), secret));
}

Result<HttpResponse> Fetch(HttpClient& http, ProviderId id, const ProviderConfig& config,
                           std::string url, Headers headers) {
  HttpRequest req;
  req.url = std::move(url);
  req.headers = std::move(headers);
  req.timeout_ms = config.timeout_ms;
  Result<HttpResponse> r = http.Get(req);
  if (!r.ok()) return TransportError(id, r.status(), config.api_key);
  return r;
}

Result<std::vector<finex::Quote>> QuoteEach(
    std::span<const std::string> symbols,
    const std::function<Result<finex::Quote>(const std::string&)>& one) {
  std::vector<finex::Quote> out;
  for (const std::string& s : symbols) {
    Result<finex::Quote> q = one(s);
    if (q.ok()) {
      out.push_back(std::move(*q));
    } else if (q.status().code() != StatusCode::kNotFound) {
      return q.status();
    }
  }
  return out;
}

void FinishPages(std::span<const FramePtr> pages, TimeRange requested, HistoryResponse* out) {
  if (pages.size() > 1) {
    out->frame = Frame::Merge(pages);
    out->actual = out->frame->empty()
                      ? TimeRange{}
                      : TimeRange{out->frame->first_timestamp(), out->frame->last_timestamp() + 1};
  }
  out->requested = requested;
  out->http_calls = static_cast<int>(pages.size());
}

Timestamp DailyStampOfDate(CivilDate d, Interval iv) {
  return FloorToBar(DaysFromCivil(d) * kSecondsPerDay, iv);
}

Result<Timestamp> DailyStamp(Timestamp utc, Interval iv, std::string_view tz) {
  Result<calendar::LocalTime> lt = calendar::ToLocal(tz, utc);
  if (!lt.ok()) return DataLossError("unknown exchange timezone '" + Printable(tz) + "'");
  return DailyStampOfDate(lt->date, iv);
}

Timestamp BarEnd(Timestamp stamp, Interval iv, std::string_view tz) {
  if (IsIntraday(iv)) return stamp + NominalSeconds(iv);
  const Timestamp next = NextBar(stamp, iv);
  Result<Timestamp> local = calendar::FromLocal(tz, CivilFromDays(DayOf(next)), 0);
  return local.ok() ? *local : next;
}

SeriesBuilder::SeriesBuilder(ProviderId id, const HistoryRequest& req) : id_(id), req_(req) {}

void SeriesBuilder::Add(const RawBar& bar) {
  if (bar.AllPricesNull()) return;
  bars_.push_back(bar);
}

Result<HistoryResponse> SeriesBuilder::Finish(TimeRange requested, std::string currency,
                                              std::string timezone, std::string exchange,
                                              Timestamp now, bool force_partial,
                                              int http_calls) && {
  std::stable_sort(bars_.begin(), bars_.end(),
                   [](const RawBar& a, const RawBar& b) { return a.ts < b.ts; });
  // Duplicate stamps: keep the later one in input order (stable sort keeps
  // input order among equals, so the last of each run wins).
  std::vector<RawBar> uniq;
  uniq.reserve(bars_.size());
  for (const RawBar& b : bars_) {
    if (!uniq.empty() && uniq.back().ts == b.ts) {
      uniq.back() = b;
    } else {
      uniq.push_back(b);
    }
  }
  HistoryResponse out;
  // The frame claims only fields the answer really carries.
  FieldSet fields = req_.fields.Intersect(carried_);
  if (fields.empty()) fields = carried_;
  FrameBuilder fb(fields);
  fb.Reserve(uniq.size());
  Bar row;
  row.symbol = req_.symbol;
  row.provider = std::string(ProviderName(id_));
  row.currency = currency;
  row.timezone = timezone;
  for (const RawBar& b : uniq) {
    row.timestamp = b.ts;
    row.open = b.open;
    row.high = b.high;
    row.low = b.low;
    row.close = b.close;
    row.volume = b.volume;
    row.adj_close = b.adj_close;
    row.market_cap = b.market_cap;
    fb.Add(row);
  }
  Result<FramePtr> frame = std::move(fb).Finish();
  if (!frame.ok()) return Error(id_, StatusCode::kDataLoss, frame.status().message());
  out.frame = std::move(*frame);
  out.requested = requested;
  if (!uniq.empty()) {
    out.actual = TimeRange{uniq.front().ts, uniq.back().ts + 1};
    out.last_bar_partial = force_partial || BarEnd(uniq.back().ts, req_.interval, timezone) > now;
  }
  out.currency = std::move(currency);
  out.timezone = std::move(timezone);
  out.exchange = std::move(exchange);
  std::sort(
      actions_.begin(), actions_.end(),
      [](const CorporateAction& a, const CorporateAction& b) { return a.timestamp < b.timestamp; });
  out.actions = std::move(actions_);
  out.http_calls = http_calls;
  return out;
}

}  // namespace finex::provider::detail
