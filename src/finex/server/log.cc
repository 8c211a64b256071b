#include "finex/server/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "finex/core/mutex.h"
#include "finex/server/detail/json.h"

namespace finex::server {
namespace {

std::atomic<int> g_format{static_cast<int>(LogFormat::kAuto)};
Mutex g_sink_mu;
std::function<void(const std::string&)>* g_sink FINEX_GUARDED_BY(g_sink_mu) = nullptr;

bool UseJson() {
  switch (static_cast<LogFormat>(g_format.load())) {
    case LogFormat::kJson:
      return true;
    case LogFormat::kText:
      return false;
    case LogFormat::kAuto:
      break;
  }
  static const bool tty = isatty(STDERR_FILENO) == 1;
  return !tty;
}

std::string IsoMillis(int64_t wall_us) {
  const std::time_t secs = static_cast<std::time_t>(wall_us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((wall_us / 1000) % 1000));
  return buf;
}

// A text-form value: bare when it has no space, quote or '=', else JSON-quoted.
void AppendTextValue(std::string& out, const std::string& v) {
  bool bare = !v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) bare = false;
  }
  if (bare) {
    out += v;
  } else {
    detail::AppendJsonString(out, v);
  }
}

}  // namespace

LogField::LogField(std::string_view k, double v) : key(k), number(true) {
  detail::AppendJsonDouble(value, v);
}
LogField::LogField(std::string_view k, int64_t v)
    : key(k), value(std::to_string(v)), number(true) {}

void SetLogFormat(LogFormat f) { g_format.store(static_cast<int>(f)); }

void SetLogSink(std::function<void(const std::string&)> sink) {
  MutexLock l(g_sink_mu);
  delete g_sink;
  g_sink = sink ? new std::function<void(const std::string&)>(std::move(sink)) : nullptr;
}

std::string FormatLogLine(bool json, int64_t wall_us, std::string_view level,
                          std::string_view event, const std::vector<LogField>& fields) {
  std::string out;
  out.reserve(128);
  if (json) {
    out += "{\"ts\":\"" + IsoMillis(wall_us) + "\",\"level\":";
    detail::AppendJsonString(out, level);
    out += ",\"event\":";
    detail::AppendJsonString(out, event);
    for (const LogField& f : fields) {
      out += ',';
      detail::AppendJsonString(out, f.key);
      out += ':';
      if (f.number) {
        out += f.value;
      } else {
        detail::AppendJsonString(out, f.value);
      }
    }
    out += '}';
    return out;
  }
  out += IsoMillis(wall_us);
  out += ' ';
  out += level;
  out += ' ';
  out += event;
  for (const LogField& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    AppendTextValue(out, f.value);
  }
  return out;
}

void Log(std::string_view level, std::string_view event, const std::vector<LogField>& fields) {
  const int64_t wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  std::string line = FormatLogLine(UseJson(), wall_us, level, event, fields);
  {
    MutexLock l(g_sink_mu);
    if (g_sink) {
      (*g_sink)(line);
      return;
    }
  }
  line += '\n';
  // One write(2): lines from different threads never interleave.
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

void Log(std::string_view level, std::string_view event, std::initializer_list<LogField> fields) {
  Log(level, event, std::vector<LogField>(fields));
}

}  // namespace finex::server
