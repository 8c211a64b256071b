#include "finex/backend/postgres/postgres_backend.h"

#include <endian.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "finex/backend/detail/integrity.h"
#include "finex/core/clock.h"

namespace finex::backend {

struct PostgresBackend::Conn {
  PGconn* pg = nullptr;
  bool prepared = false;  // statements need the table, so they follow the schema
  ~Conn() {
    if (pg != nullptr) PQfinish(pg);
  }
};

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

bool ValidTable(std::string_view t) {
  if (t.empty() || t.size() > 63) return false;
  if (!((t[0] >= 'a' && t[0] <= 'z') || t[0] == '_')) return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// OK for a successful result; otherwise a Status from the SQLSTATE class:
// connection problems, shutdowns, timeouts and resource shortages are
// kUnavailable (retry later), the rest kInternal.
Status CheckResult(PGconn* pg, const PGresult* r, std::string_view what) {
  if (r == nullptr)
    return UnavailableError("postgres " + std::string(what) + ": " + Trim(PQerrorMessage(pg)));
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return OkStatus();
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const std::string code = state ? state : "";
  std::string msg = "postgres " + std::string(what) + ": " + Trim(PQresultErrorMessage(r));
  if (code.rfind("08", 0) == 0 || code.rfind("57", 0) == 0 || code.rfind("53", 0) == 0 ||
      code == "40001" || code == "40P01" || PQstatus(pg) != CONNECTION_OK)
    return UnavailableError(std::move(msg));
  return InternalError(std::move(msg));
}

int64_t Int8(const PGresult* r, int row, int col) {
  uint64_t v;
  std::memcpy(&v, PQgetvalue(r, row, col), 8);
  return static_cast<int64_t>(be64toh(v));
}

std::string_view Field(const PGresult* r, int row, int col) {
  return std::string_view(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

std::string SeriesOf(std::string_view key) {
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    pos = key.find(':', pos);
    if (pos == std::string_view::npos) return std::string(key);
    if (i < 2) ++pos;
  }
  return std::string(key.substr(0, pos));
}

// Smallest string greater than every string starting with prefix (keys are
// printable ASCII, so bumping the last byte stays valid UTF-8).
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

std::string TextArray(std::span<const std::string> keys) {
  std::string out = "{";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : keys[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

struct Stmt {
  const char* name;
  std::string sql;
};

std::vector<Stmt> Statements(const std::string& t) {
  const std::string live = "(expires_at IS NULL OR expires_at > now())";
  return {
      {"fx_get", "SELECT value, checksum FROM " + t + " WHERE key = $1 AND " + live},
      {"fx_mget",
       "SELECT key, value, checksum FROM " + t + " WHERE key = ANY($1::text[]) AND " + live},
      {"fx_put",
       "INSERT INTO " + t +
           " (key, value, checksum, series, expires_at, updated_at) VALUES ($1, $2, $3::bigint, "
           "$4, "
           "CASE WHEN $5::bigint > 0 THEN now() + $5::bigint * interval '1 millisecond' END, "
           "now()) "
           "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, checksum = EXCLUDED.checksum, "
           "series = EXCLUDED.series, expires_at = EXCLUDED.expires_at, updated_at = now()"},
      {"fx_del", "DELETE FROM " + t + " WHERE key = $1"},
      {"fx_del_if", "DELETE FROM " + t + " WHERE key = $1 AND value = $2"},
      {"fx_scan", "SELECT key FROM " + t + " WHERE key >= $1 AND key < $2 AND " + live +
                      " ORDER BY key LIMIT $3::bigint"},
      {"fx_scan_all", "SELECT key FROM " + t + " WHERE " + live + " ORDER BY key LIMIT $1::bigint"},
      {"fx_del_prefix", "DELETE FROM " + t + " WHERE key >= $1 AND key < $2"},
      {"fx_sweep", "DELETE FROM " + t + " WHERE ctid IN (SELECT ctid FROM " + t +
                       " WHERE expires_at <= now() LIMIT 5000)"},
  };
}

}  // namespace

Result<std::unique_ptr<Backend>> OpenPostgresBackend(const PostgresOptions& options) {
  auto bad = [](std::string m, std::string p) {
    return InvalidArgumentError(std::move(m)).WithParam(std::move(p));
  };
  if (options.dsn.empty()) return bad("postgres dsn is empty", "dsn");
  if (!ValidTable(options.table))
    return bad("postgres table '" + options.table + "' must match [a-z_][a-z0-9_]{0,62}", "table");
  if (options.pool_size < 1 || options.pool_size > 256)
    return bad("postgres pool_size must be in 1..256", "pool_size");
  if (options.connect_timeout_ms < 1 || options.statement_timeout_ms < 1 ||
      options.sweep_interval_ms < 0)
    return bad("postgres timeouts must be positive", "timeout");
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.dsn.c_str(), &err);
  if (parsed == nullptr) {
    std::string m = err ? Trim(err) : "unparseable";
    if (err) PQfreemem(err);
    return bad("postgres dsn is invalid: " + m, "dsn");
  }
  PQconninfoFree(parsed);
  std::unique_ptr<PostgresBackend> b(new PostgresBackend(options));
  Status s = b->EnsureSchema();
  if (!s.ok() && !(options.lazy_connect && s.code() == StatusCode::kUnavailable)) return s;
  if (options.sweep_interval_ms > 0) b->sweeper_ = std::thread([p = b.get()] { p->SweepLoop(); });
  return std::unique_ptr<Backend>(std::move(b));
}

PostgresBackend::PostgresBackend(PostgresOptions options) : options_(std::move(options)) {}

PostgresBackend::~PostgresBackend() {
  {
    MutexLock l(mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (sweeper_.joinable()) sweeper_.join();
  MutexLock l(mu_);
  for (Conn* c : idle_) delete c;
  idle_.clear();
}

Result<PostgresBackend::Conn*> PostgresBackend::Acquire(bool* fresh) const {
  UniqueMutexLock l(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.pool_wait_timeout_ms);
  for (;;) {
    if (!idle_.empty()) {
      Conn* c = idle_.back();
      idle_.pop_back();
      *fresh = false;
      return c;
    }
    if (open_ < options_.pool_size) {
      const int64_t now = MonotonicMicros();
      if (now < next_connect_us_)
        return UnavailableError("postgres is down (" + last_error_ + "); next reconnect in " +
                                std::to_string((next_connect_us_ - now) / 1000 + 1) + " ms");
      ++open_;
      l.Unlock();
      auto c = std::make_unique<Conn>();
      const std::string ct =
          std::to_string(std::max(2, (options_.connect_timeout_ms + 999) / 1000));
      const std::string opts =
          "-c statement_timeout=" + std::to_string(options_.statement_timeout_ms) +
          " -c lock_timeout=" + std::to_string(options_.statement_timeout_ms);
      const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
      const char* vals[] = {options_.dsn.c_str(), ct.c_str(), opts.c_str(), "finex", nullptr};
      c->pg = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
      Status st;
      if (c->pg == nullptr || PQstatus(c->pg) != CONNECTION_OK)
        st = UnavailableError("postgres unreachable: " +
                              Trim(c->pg ? PQerrorMessage(c->pg) : "out of memory"));
      else  // silence "already exists, skipping" notices
        PQsetNoticeProcessor(
            c->pg, [](void*, const char*) {}, nullptr);
      l.Lock();
      if (!st.ok()) {
        --open_;
        backoff_ms_ = backoff_ms_ == 0 ? 25 : std::min(backoff_ms_ * 2, 250);
        next_connect_us_ = MonotonicMicros() + int64_t{backoff_ms_} * 1000;
        last_error_ = st.message();
        cv_.Signal();
        return st;
      }
      backoff_ms_ = 0;
      next_connect_us_ = 0;
      *fresh = true;
      return c.release();
    }
    if (!cv_.WaitUntil(mu_, deadline) && idle_.empty() && open_ >= options_.pool_size)
      return UnavailableError("postgres: no free connection within " +
                              std::to_string(options_.pool_wait_timeout_ms) + " ms");
  }
}

void PostgresBackend::Release(Conn* c, bool broken) const {
  std::vector<Conn*> drop;
  {
    MutexLock l(mu_);
    if (broken) {
      --open_;
      drop.swap(idle_);  // after a server restart, the idle ones are dead too
      open_ -= static_cast<int>(drop.size());
    } else {
      idle_.push_back(c);
    }
  }
  cv_.SignalAll();
  if (broken) delete c;
  for (Conn* d : drop) delete d;
}

template <typename Fn>
auto PostgresBackend::WithConn(Fn&& fn, bool need_statements) const
    -> decltype(fn(std::declval<Conn&>())) {
  if (need_statements && !schema_ready_.load()) {
    // lazy_connect: the server was down at Open; create the schema now.
    Status s = const_cast<PostgresBackend*>(this)->EnsureSchema();
    if (!s.ok()) return s;
  }
  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    auto c = Acquire(&fresh);
    if (!c.ok()) return c.status();
    if (need_statements && !(*c)->prepared) {
      Status st;
      for (const Stmt& s : Statements(options_.table)) {
        PgResult r(PQprepare((*c)->pg, s.name, s.sql.c_str(), 0, nullptr));
        st = CheckResult((*c)->pg, r.get(), std::string("prepare ") + s.name);
        if (!st.ok()) break;
      }
      const bool broken = PQstatus((*c)->pg) != CONNECTION_OK;
      if (!st.ok()) {
        Release(*c, true);
        if (!broken || fresh || attempt > 0) return st;
        continue;
      }
      (*c)->prepared = true;
    }
    auto r = fn(**c);
    const bool broken = PQstatus((*c)->pg) != CONNECTION_OK;
    Release(*c, broken);
    if (!broken || fresh || attempt > 0) return r;
  }
}

Status PostgresBackend::EnsureSchema() {
  const std::string& t = options_.table;
  Status st = WithConn(
      [&](Conn& c) -> Status {
        auto exec = [&](const std::string& sql) -> Status {
          PgResult r(PQexec(c.pg, sql.c_str()));
          return CheckResult(c.pg, r.get(), "schema");
        };
        FINEX_RETURN_IF_ERROR(exec("BEGIN"));
        auto body = [&]() -> Status {
          FINEX_RETURN_IF_ERROR(exec("SELECT pg_advisory_xact_lock(hashtext('finex_schema'))"));
          FINEX_RETURN_IF_ERROR(
              exec("CREATE TABLE IF NOT EXISTS finex_schema_version (component text PRIMARY KEY, "
                   "version integer NOT NULL, "
                   "updated_at timestamptz NOT NULL DEFAULT now())"));
          const char* params[] = {t.c_str()};
          PgResult r(PQexecParams(c.pg,
                                  "SELECT version FROM finex_schema_version WHERE component = $1",
                                  1, nullptr, params, nullptr, nullptr, 0));
          FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "schema version"));
          if (PQntuples(r.get()) == 1) {
            const int v = atoi(PQgetvalue(r.get(), 0, 0));
            if (v > kSchemaVersion)
              return FailedPreconditionError(
                  "postgres table " + t + " has schema version " + std::to_string(v) +
                  ", newer than this finex understands (" + std::to_string(kSchemaVersion) + ")");
            return OkStatus();  // v == 1; future versions migrate here
          }
          FINEX_RETURN_IF_ERROR(exec("CREATE TABLE IF NOT EXISTS " + t +
                                     " (key text COLLATE \"C\" PRIMARY KEY, value bytea NOT NULL, "
                                     "checksum bigint NOT NULL, "
                                     "series text COLLATE \"C\" NOT NULL, expires_at timestamptz, "
                                     "updated_at timestamptz NOT NULL DEFAULT now())"));
          FINEX_RETURN_IF_ERROR(
              exec("CREATE INDEX IF NOT EXISTS " + t + "_series_idx ON " + t + " (series, key)"));
          FINEX_RETURN_IF_ERROR(exec("CREATE INDEX IF NOT EXISTS " + t + "_expires_idx ON " + t +
                                     " (expires_at) WHERE expires_at IS NOT NULL"));
          PgResult ins(PQexecParams(
              c.pg, "INSERT INTO finex_schema_version (component, version) VALUES ($1, 1)", 1,
              nullptr, params, nullptr, nullptr, 0));
          return CheckResult(c.pg, ins.get(), "schema version insert");
        };
        Status s = body();
        if (!s.ok()) {
          PgResult rb(PQexec(c.pg, "ROLLBACK"));
          return s;
        }
        return exec("COMMIT");
      },
      /*need_statements=*/false);
  if (st.ok()) schema_ready_.store(true);
  return st;
}

std::optional<Bytes> PostgresBackend::Verify(std::string_view key, std::string_view value,
                                             int64_t checksum) {
  if (static_cast<int64_t>(detail::Checksum64(value)) == checksum) return Bytes(value);
  corrupt_.fetch_add(1, std::memory_order_relaxed);
  const std::string k(key), v(value);
  WithConn([&](Conn& c) -> Status {
    const char* p[] = {k.c_str(), v.data()};
    const int len[] = {0, static_cast<int>(v.size())};
    const int fmt[] = {0, 1};
    PgResult r(PQexecPrepared(c.pg, "fx_del_if", 2, p, len, fmt, 1));
    return CheckResult(c.pg, r.get(), "delete damaged row");
  }).IgnoreError();
  return std::nullopt;
}

Result<std::optional<Bytes>> PostgresBackend::DoGet(std::string_view key) {
  const std::string k(key);
  std::string value;
  int64_t checksum = 0;
  FINEX_ASSIGN_OR_RETURN(bool found, WithConn([&](Conn& c) -> Result<bool> {
                           const char* p[] = {k.c_str()};
                           PgResult r(PQexecPrepared(c.pg, "fx_get", 1, p, nullptr, nullptr, 1));
                           FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "get"));
                           if (PQntuples(r.get()) == 0) return false;
                           value = std::string(Field(r.get(), 0, 0));
                           checksum = Int8(r.get(), 0, 1);
                           return true;
                         }));
  if (!found) return std::optional<Bytes>();
  return Verify(key, value, checksum);
}

Result<std::vector<std::optional<Bytes>>> PostgresBackend::DoGetMultiple(
    std::span<const std::string> keys) {
  std::vector<std::optional<Bytes>> out(keys.size());
  if (keys.empty()) return out;
  const std::string arr = TextArray(keys);
  std::vector<std::tuple<std::string, std::string, int64_t>> rows;
  FINEX_RETURN_IF_ERROR(WithConn([&](Conn& c) -> Status {
    const char* p[] = {arr.c_str()};
    PgResult r(PQexecPrepared(c.pg, "fx_mget", 1, p, nullptr, nullptr, 1));
    FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "get_multiple"));
    rows.clear();
    for (int i = 0; i < PQntuples(r.get()); ++i)
      rows.emplace_back(std::string(Field(r.get(), i, 0)), std::string(Field(r.get(), i, 1)),
                        Int8(r.get(), i, 2));
    return OkStatus();
  }));
  std::unordered_map<std::string, size_t> row_of;
  for (size_t i = 0; i < rows.size(); ++i) row_of[std::get<0>(rows[i])] = i;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = row_of.find(keys[i]);
    if (it == row_of.end()) continue;
    auto& [k, v, sum] = rows[it->second];
    out[i] = Verify(k, v, sum);
  }
  return out;
}

Status PostgresBackend::DoPut(std::string_view key, ByteView value, const PutOptions& opts) {
  const std::string k(key), series = SeriesOf(key);
  const std::string sum = std::to_string(static_cast<int64_t>(detail::Checksum64(value)));
  const std::string ttl = std::to_string(opts.ttl_ms);
  return WithConn([&](Conn& c) -> Status {
    const char* p[] = {k.c_str(), value.data(), sum.c_str(), series.c_str(), ttl.c_str()};
    const int len[] = {0, static_cast<int>(value.size()), 0, 0, 0};
    const int fmt[] = {0, 1, 0, 0, 0};
    PgResult r(PQexecPrepared(c.pg, "fx_put", 5, p, len, fmt, 1));
    return CheckResult(c.pg, r.get(), "put");
  });
}

Status PostgresBackend::DoDelete(std::string_view key) {
  const std::string k(key);
  return WithConn([&](Conn& c) -> Status {
    const char* p[] = {k.c_str()};
    PgResult r(PQexecPrepared(c.pg, "fx_del", 1, p, nullptr, nullptr, 1));
    return CheckResult(c.pg, r.get(), "delete");
  });
}

Result<std::vector<std::string>> PostgresBackend::DoScanPrefix(std::string_view prefix,
                                                               size_t limit) {
  const std::string lo(prefix), hi = prefix.empty() ? std::string() : PrefixEnd(prefix);
  const std::string lim = std::to_string(limit);
  return WithConn([&](Conn& c) -> Result<std::vector<std::string>> {
    PgResult r;
    if (prefix.empty()) {
      const char* p[] = {limit > 0 ? lim.c_str() : nullptr};
      r.reset(PQexecPrepared(c.pg, "fx_scan_all", 1, p, nullptr, nullptr, 1));
    } else {
      const char* p[] = {lo.c_str(), hi.c_str(), limit > 0 ? lim.c_str() : nullptr};
      r.reset(PQexecPrepared(c.pg, "fx_scan", 3, p, nullptr, nullptr, 1));
    }
    FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "scan_prefix"));
    std::vector<std::string> out;
    out.reserve(PQntuples(r.get()));
    for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(Field(r.get(), i, 0));
    return out;
  });
}

Result<size_t> PostgresBackend::DoDeletePrefix(std::string_view prefix) {
  const std::string lo(prefix), hi = PrefixEnd(prefix);
  return WithConn([&](Conn& c) -> Result<size_t> {
    const char* p[] = {lo.c_str(), hi.c_str()};
    PgResult r(PQexecPrepared(c.pg, "fx_del_prefix", 2, p, nullptr, nullptr, 1));
    FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "delete_prefix"));
    return static_cast<size_t>(atoll(PQcmdTuples(r.get())));
  });
}

Status PostgresBackend::DoPing() {
  return WithConn([&](Conn& c) -> Status {
    PgResult r(PQexec(c.pg, "SELECT 1"));
    return CheckResult(c.pg, r.get(), "ping");
  });
}

Result<size_t> PostgresBackend::SweepExpired() {
  size_t total = 0;
  for (;;) {
    FINEX_ASSIGN_OR_RETURN(
        size_t n, WithConn([&](Conn& c) -> Result<size_t> {
          PgResult r(PQexecPrepared(c.pg, "fx_sweep", 0, nullptr, nullptr, nullptr, 1));
          FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "sweep"));
          return static_cast<size_t>(atoll(PQcmdTuples(r.get())));
        }));
    total += n;
    expired_.fetch_add(n, std::memory_order_relaxed);
    if (n < 5000) return total;
  }
}

void PostgresBackend::SweepLoop() {
  UniqueMutexLock l(mu_);
  while (!stop_) {
    cv_.WaitFor(mu_, std::chrono::milliseconds(options_.sweep_interval_ms), [&] {
      mu_.AssertHeld();
      return stop_;
    });
    if (stop_) break;
    l.Unlock();
    SweepExpired().status().IgnoreError();  // retried next period
    l.Lock();
  }
}

BackendStats PostgresBackend::stats() const {
  BackendStats s;
  AddOpStats(&s);
  s.corrupt = corrupt_.load(std::memory_order_relaxed);
  s.expired = expired_.load(std::memory_order_relaxed);
  const std::string sql =
      "SELECT count(*), coalesce(sum(octet_length(key) + octet_length(value)), 0)::bigint FROM " +
      options_.table + " WHERE expires_at IS NULL OR expires_at > now()";
  WithConn([&](Conn& c) -> Status {
    PgResult r(PQexecParams(c.pg, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1));
    FINEX_RETURN_IF_ERROR(CheckResult(c.pg, r.get(), "stats"));
    s.keys = static_cast<uint64_t>(Int8(r.get(), 0, 0));
    s.bytes = static_cast<uint64_t>(Int8(r.get(), 0, 1));
    return OkStatus();
  }).IgnoreError();
  return s;
}

}  // namespace finex::backend
