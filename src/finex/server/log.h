// Structured log lines for `finex serve` (alerts firing and clearing, one
// line per request, start and stop): one event name plus key=value fields.
// On a terminal a line reads
//   2026-12-06T09:10:00.123Z info alert_fired alertname=FinexMemoryHigh value=0.93
// and otherwise (systemd's journal, a file, a pipe) it is one JSON object
//   {"ts":"2026-12-06T09:10:00.123Z","level":"info","event":"alert_fired",...}
// so log shippers parse it without a grammar.
//
// Thread-safety: Log() is thread-safe (one write(2) per line, so lines from
// different threads never interleave). SetLogFormat/SetLogSink are for
// start-up and tests, before threads log.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace finex::server {

enum class LogFormat { kAuto, kText, kJson };

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, double v);
  LogField(std::string_view k, int64_t v);
  LogField(std::string_view k, uint64_t v) : LogField(k, static_cast<int64_t>(v)) {}
  LogField(std::string_view k, int v) : LogField(k, static_cast<int64_t>(v)) {}
  std::string key, value;
  bool number = false;  // written unquoted in JSON
};

// kAuto (the default): JSON unless stderr is a terminal.
void SetLogFormat(LogFormat f);
// Where lines go (each without its trailing newline added by the sink);
// nullptr = stderr. For tests.
void SetLogSink(std::function<void(const std::string& line)> sink);

// level: "info" | "warn" | "error".
void Log(std::string_view level, std::string_view event, std::initializer_list<LogField> fields);
void Log(std::string_view level, std::string_view event, const std::vector<LogField>& fields);

// The line Log() would write, without the newline (for tests).
std::string FormatLogLine(bool json, int64_t wall_us, std::string_view level,
                          std::string_view event, const std::vector<LogField>& fields);

}  // namespace finex::server
