// Service: the data routes /v1/history, /v1/quote and /v1/search, and the
// cold-miss budget they charge (cold_budget.h).
#include <xxhash.h>

#include <cstdio>

#include "finex/core/interval.h"
#include "finex/core/symbol.h"
#include "finex/server/detail/service_internal.h"
#include "finex/server/http_status.h"
#include "finex/server/render.h"
#include "finex/server/service.h"

namespace finex::server {

namespace {

std::string Hex64(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

http::Response Service::History(const http::Request& req, Ctx& ctx) {
  auto q = detail::QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  auto pr = ParseHistoryParams(*q, opts_.limits, Now());
  if (!pr.ok()) return ProblemFromStatus(pr.status(), ctx.request_id);
  const HistoryParams& p = *pr;
  if (p.format == Format::kParquet && parquet_ == nullptr) {
    return ProblemFromStatus(
        UnimplementedError("format=parquet is not available in this build").WithParam("format"),
        ctx.request_id);
  }
  const std::string key = p.Key();
  if (auto hit = FromAnswerCache(key, req, ctx)) return std::move(*hit);
  if (auto unknown = KnownUnknown(key, ctx)) return std::move(*unknown);
  const uint64_t gen = answers_.generation();

  detail::InflightSlot slot(inflight_, *inflight_gauge_);
  if (slot.count() > opts_.max_inflight)
    return detail::AtInflightLimit(opts_.max_inflight, ctx.request_id);
  cache::HistoryOptions options = p.options;
  options.gate = GateFor(req);
  auto res = api_.History(p.symbols, options);
  if (!res.ok()) return EngineFailure(res.status(), key, ctx);
  const cache::HistoryResult& hr = *res;
  const size_t rows = hr.frame ? hr.frame->rows() : 0;
  if (static_cast<int64_t>(rows) > opts_.limits.max_rows) {
    return ProblemFromStatus(
        OutOfRangeError("the answer holds " + std::to_string(rows) + " rows; the limit is " +
                        std::to_string(opts_.limits.max_rows) +
                        " rows per answer: narrow start/end or use a coarser interval")
            .WithParam("start"),
        ctx.request_id);
  }
  auto full = std::make_shared<http::Response>();
  full->status = 200;
  const Timestamp start = (hr.query.start || hr.query.end) ? hr.query.start : p.start;
  const Timestamp end = (hr.query.start || hr.query.end) ? hr.query.end : p.end;
  full->headers.emplace_back("X-Finex-Start", FormatIsoUtc(start));
  full->headers.emplace_back("X-Finex-End", FormatIsoUtc(end));
  switch (p.format) {
    case Format::kJson:
      full->content_type = std::string(detail::kJson);
      full->body = std::make_shared<const std::string>(RenderHistoryJson(hr, p));
      break;
    case Format::kCsv:
      full->content_type = std::string(detail::kCsv);
      full->body = std::make_shared<const std::string>(RenderHistoryCsv(hr, p));
      AppendCacheInfoHeaders(full->headers, hr.info);
      break;
    case Format::kParquet: {
      const FramePtr frame = hr.frame ? hr.frame : Frame::Empty(p.options.fields);
      codec::KeyValueMetadata meta = {
          {"finex.symbols",
           [&] {
             std::string s;
             for (const auto& x : p.symbols) s += (s.empty() ? "" : ",") + x;
             return s;
           }()},
          {"finex.interval", std::string(IntervalName(p.options.interval))},
          // A range anchored to "now" is recorded as such, not to the
          // second: the bytes (and the ETag) then change only when the rows
          // do, so a remote reader's HEAD and Range requests seconds apart
          // (DuckDB checks the ETag between them) see one file.
          {"finex.start",
           p.start_given || p.options.end
               ? FormatIsoUtc(start)
               : "now-" + (p.options.period.empty() ? std::string("365d") : p.options.period)},
          {"finex.end", p.options.end ? FormatIsoUtc(end) : std::string("now")},
          {"finex.fields", p.options.fields.Name()},
      };
      auto bytes = parquet_->Encode(*frame, meta);
      if (!bytes.ok()) return ProblemFromStatus(bytes.status(), ctx.request_id);
      full->content_type = std::string(detail::kParquet);
      full->headers.emplace_back("ETag",
                                 "\"" + Hex64(XXH3_64bits(bytes->data(), bytes->size())) + "\"");
      full->headers.emplace_back("Accept-Ranges", "bytes");
      full->body = std::make_shared<const std::string>(std::move(*bytes));
      AppendCacheInfoHeaders(full->headers, hr.info);
      break;
    }
  }
  if (hr.info.api_calls_made == 0 && !hr.info.stale) {
    answers_.Put(key, full, gen, AnswerClockMicros());
  }
  return Finish(std::move(full), req, ctx);
}

cache::ProviderCallGate Service::GateFor(const http::Request& req) {
  if (!budget_.enabled()) return {};
  return [this, client = budget_.ClientOf(req.remote, req.Header("authorization"))] {
    Status s = budget_.Take(client, MonotonicMicros());
    if (!s.ok()) {
      cold_refused_->Inc();
      return s.WithParam(std::string(kColdMissBudgetParam));
    }
    return s;
  };
}

http::Response Service::EngineFailure(const Status& s, const std::string& key, Ctx& ctx) {
  if (s.code() == StatusCode::kResourceExhausted && s.details().param == kColdMissBudgetParam) {
    return ColdMissRefused(s, ctx.request_id);
  }
  http::Response r = ProblemFromStatus(s, ctx.request_id);
  if (r.status == 404 && MapStatus(s).code == "unknown_symbol") {
    budget_.RememberUnknown(key, s.message(), MonotonicMicros());
  }
  return r;
}

std::unique_ptr<http::Response> Service::KnownUnknown(const std::string& key, Ctx& ctx) {
  auto detail = budget_.KnownUnknown(key, MonotonicMicros());
  if (!detail) return nullptr;
  return std::make_unique<http::Response>(
      ProblemFromStatus(NotFoundError(*detail).WithParam("symbols"), ctx.request_id));
}

http::Response Service::SmallRoute(const std::string& key, Format format, const http::Request& req,
                                   Ctx& ctx,
                                   const std::function<Result<Rendered>(bool json)>& render) {
  if (auto hit = FromAnswerCache(key, req, ctx)) return std::move(*hit);
  if (auto unknown = KnownUnknown(key, ctx)) return std::move(*unknown);
  const uint64_t gen = answers_.generation();
  detail::InflightSlot slot(inflight_, *inflight_gauge_);
  if (slot.count() > opts_.max_inflight)
    return detail::AtInflightLimit(opts_.max_inflight, ctx.request_id);
  const bool json = format == Format::kJson;
  auto res = render(json);
  if (!res.ok()) return EngineFailure(res.status(), key, ctx);
  auto full = std::make_shared<http::Response>();
  full->status = 200;
  full->content_type = std::string(json ? detail::kJson : detail::kCsv);
  full->body = std::make_shared<const std::string>(std::move(res->body));
  if (!json) AppendCacheInfoHeaders(full->headers, res->info);
  if (res->info.api_calls_made == 0 && !res->info.stale) {
    answers_.Put(key, full, gen, AnswerClockMicros());
  }
  return Finish(std::move(full), req, ctx);
}

http::Response Service::QuoteRoute(const http::Request& req, Ctx& ctx) {
  auto q = detail::QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  auto pr = ParseQuoteParams(*q, opts_.limits);
  if (!pr.ok()) return ProblemFromStatus(pr.status(), ctx.request_id);
  const QuoteParams& p = *pr;
  return SmallRoute(p.Key(), p.format, req, ctx, [&](bool json) -> Result<Rendered> {
    cache::QuoteOptions options = p.options;
    options.gate = GateFor(req);
    FINEX_ASSIGN_OR_RETURN(cache::QuoteResult res, api_.Quote(p.symbols, options));
    return Rendered{json ? RenderQuotesJson(res, p) : RenderQuotesCsv(res), res.info};
  });
}

http::Response Service::SearchRoute(const http::Request& req, Ctx& ctx) {
  auto q = detail::QueryOf(req);
  if (!q.ok()) return ProblemFromStatus(q.status(), ctx.request_id);
  auto pr = ParseSearchParams(*q, opts_.limits);
  if (!pr.ok()) return ProblemFromStatus(pr.status(), ctx.request_id);
  const SearchParams& p = *pr;
  return SmallRoute(p.Key(), p.format, req, ctx, [&](bool json) -> Result<Rendered> {
    cache::SearchOptions options = p.options;
    options.gate = GateFor(req);
    FINEX_ASSIGN_OR_RETURN(cache::SearchResults res, api_.Search(p.q, options));
    return Rendered{json ? RenderSearchJson(res, p) : RenderSearchCsv(res), res.info};
  });
}

}  // namespace finex::server
