// PgServer: a throwaway PostgreSQL 15 cluster for tests: initdb into a private
// temp dir, postgres on a free loopback port (fsync off), trust auth for the
// user "finex". Root cannot run initdb/postgres, so when the test runs as root
// the server runs as the `postgres` system user (setpriv) and the temp dir is
// handed to that user.
//
// TestPg() is what tests call: FINEX_TEST_PG_DSN if set, else a launched
// PgServer, else a reason to skip (binaries absent, no non-root user...).
//
// Thread-safety: driven from one thread. Ownership: owns the child process
// and the temp dir; the destructor stops the server and removes the dir.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "finex/core/status.h"

namespace finex::testing {

class PgServer {
 public:
  // Default binaries: /usr/lib/postgresql/15/bin (or $FINEX_PG_BINDIR).
  static Result<std::unique_ptr<PgServer>> Start();
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  // libpq DSN: "host=127.0.0.1 port=<p> user=finex dbname=postgres".
  std::string dsn() const;
  bool running() const { return pid_ > 0; }

  // SIGKILL of the postmaster (a crash). No-op when not running.
  void Kill();
  // Fast shutdown (SIGINT) and wait.
  void Stop();
  // Starts again on the same port and data dir.
  Status Restart();

 private:
  PgServer() = default;
  Status Launch();

  std::string bindir_, dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool as_postgres_user_ = false;
};

struct TestPgTarget {
  std::string dsn;
  std::unique_ptr<PgServer> server;
  std::string skip_reason;
};
// FINEX_TEST_PG_DSN if set, else a freshly launched PgServer.
TestPgTarget TestPg();

}  // namespace finex::testing
