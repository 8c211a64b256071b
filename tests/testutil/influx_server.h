// InfluxServer: a throwaway InfluxDB 1.x (Debian package influxdb: influxd)
// for tests: its own config file and data/meta/wal dirs in a private temp
// dir, HTTP on a free 127.0.0.1 port (the RPC bind address on another),
// reporting, monitoring and query logs off. Run as a non-root process: when
// the test runs as root, influxd runs as the `influxdb` system user the
// package creates (or `nobody`), and the temp dir is handed to that user.
//
// TestInflux() is what tests call: FINEX_TEST_INFLUX_URL if set, else a
// launched InfluxServer, else a reason to skip (influxd absent...).
//
// Thread-safety: driven from one thread. Ownership: owns the child process
// and the temp dir; the destructor kills the server and removes the dir.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "finex/core/status.h"

namespace finex::testing {

class InfluxServer {
 public:
  // Starts influxd (from $PATH or /usr/bin) and waits until /ping answers
  // 204 (up to 20 s). Unavailable with the log tail when it does not.
  static Result<std::unique_ptr<InfluxServer>> Start();
  ~InfluxServer();
  InfluxServer(const InfluxServer&) = delete;
  InfluxServer& operator=(const InfluxServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>".
  std::string url() const;
  bool running() const { return pid_ > 0; }
  void Kill();
  // Starts again on the same ports and data (after Kill).
  Status Restart();

 private:
  InfluxServer() = default;
  Status Launch();

  std::string dir_;
  int port_ = 0, rpc_port_ = 0;
  pid_t pid_ = -1;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  bool drop_ = false;
};

struct TestInfluxTarget {
  std::string url;
  std::unique_ptr<InfluxServer> server;
  std::string skip_reason;
};
TestInfluxTarget TestInflux();

}  // namespace finex::testing
