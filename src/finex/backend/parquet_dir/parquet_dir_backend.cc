#include "finex/backend/parquet_dir/parquet_dir_backend.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>
#include <unordered_set>

#include "finex/backend/detail/integrity.h"
#include "finex/core/clock.h"

namespace finex::backend {
namespace {

constexpr std::string_view kData = ".parquet";
constexpr std::string_view kSide = ".parquet.fxm";
// A sidecar renamed into place before its data file and renamed over the
// .fxm after it: a writer killed between those renames leaves data whose
// sidecar is pending, still whole and verifiable (see DoPut).
constexpr std::string_view kPendingSuffix = ".fxn";
constexpr std::string_view kTempPrefix = ".tmp-";
// A temp file older than this is an orphan whatever its pid says (pid reuse).
constexpr int64_t kTempMaxAgeS = 3600;
constexpr std::string_view kOtherDir = "%other";
constexpr std::string_view kLongMark = "%%";
constexpr size_t kMaxStem = 200;  // + ".parquet.fxm" stays well under NAME_MAX (255)

struct Meta {
  uint64_t hash = 0;
  uint64_t size = 0;
  int64_t expires_ms = 0;  // 0 = never
  std::string key;
};

std::string FormatMeta(const Meta& m) {
  char buf[96];
  snprintf(buf, sizeof buf, "FXPD1\n%016" PRIx64 "\n%" PRIu64 "\n%" PRId64 "\n", m.hash, m.size,
           m.expires_ms);
  return std::string(buf) + m.key + "\n";
}

bool ParseMeta(std::string_view s, Meta* m) {
  auto line = [&](std::string* out) {
    auto nl = s.find('\n');
    if (nl == std::string_view::npos) return false;
    *out = std::string(s.substr(0, nl));
    s.remove_prefix(nl + 1);
    return true;
  };
  std::string magic, h, sz, ex, key;
  if (!line(&magic) || magic != "FXPD1" || !line(&h) || !line(&sz) || !line(&ex) || !line(&key))
    return false;
  if (h.size() != 16 || sz.empty() || ex.empty() || key.empty()) return false;
  char* end = nullptr;
  m->hash = strtoull(h.c_str(), &end, 16);
  if (*end) return false;
  m->size = strtoull(sz.c_str(), &end, 10);
  if (*end) return false;
  m->expires_ms = strtoll(ex.c_str(), &end, 10);
  if (*end) return false;
  m->key = std::move(key);
  return true;
}

// Whether meta describes exactly `data` stored under `key`.
bool Describes(const Meta& m, std::string_view key, std::string_view data) {
  return m.key == key && m.size == data.size() && m.hash == detail::Checksum64(data);
}

int64_t NowMs() { return SystemClock().NowMicros() / 1000; }

// 0 on success, else errno.
int ReadAll(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  out->clear();
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return e;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return 0;
}

Status ErrnoStatus(int e, const std::string& what) {
  std::string msg = "parquet_dir: " + what + ": " + strerror(e);
  if (e == EACCES || e == EPERM || e == EROFS) return PermissionDeniedError(msg);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhaustedError(msg);
  return UnavailableError(msg);
}

// Writes bytes to a new temp file in dir; returns its path.
Result<std::string> WriteTemp(const std::string& dir, ByteView bytes, bool sync) {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(MonotonicMicros()));
  for (int attempt = 0; attempt < 2; ++attempt) {
    char name[64];
    snprintf(name, sizeof name, "/.tmp-%d-%016" PRIx64, static_cast<int>(getpid()),
             static_cast<uint64_t>(rng()));
    std::string path = dir + name;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      // Another process may have removed the (empty) directory meanwhile.
      if (errno == ENOENT && attempt == 0) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        continue;
      }
      return ErrnoStatus(errno, "create " + path);
    }
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + off, bytes.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        close(fd);
        unlink(path.c_str());
        return ErrnoStatus(e, "write " + path);
      }
      off += static_cast<size_t>(n);
    }
    if (sync && fsync(fd) != 0) {
      int e = errno;
      close(fd);
      unlink(path.c_str());
      return ErrnoStatus(e, "fsync " + path);
    }
    close(fd);
    return path;
  }
  return UnavailableError("parquet_dir: cannot create a temp file in " + dir);
}

void SyncDir(const std::string& dir) {  // best effort: durability, not correctness
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

bool EndsWith(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    out.emplace_back(n);
  }
  closedir(d);
  return out;
}

// symbol and interval of a finex-shaped key ("finex:SYM:INT:..."), or false.
bool SeriesParts(std::string_view key, std::string_view* sym, std::string_view* iv) {
  if (key.substr(0, 6) != "finex:") return false;
  std::string_view rest = key.substr(6);
  auto c1 = rest.find(':');
  if (c1 == std::string_view::npos || c1 == 0) return false;
  auto c2 = rest.find(':', c1 + 1);
  if (c2 == std::string_view::npos || c2 == c1 + 1) return false;
  *sym = rest.substr(0, c1);
  *iv = rest.substr(c1 + 1, c2 - c1 - 1);
  return true;
}

// flock(2) on "<dir>/.lock": shared for readers, exclusive for the two
// renames of a writer (and for deletes), so no reader ever pairs a data file
// with another writer's sidecar. Cross-process; held only for microseconds.
class DirLock {
 public:
  DirLock(const std::string& dir, bool exclusive) {
    fd_ = open((dir + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      err_ = errno;
      return;
    }
    while (flock(fd_, exclusive ? LOCK_EX : LOCK_SH) != 0) {
      if (errno != EINTR) {
        err_ = errno;
        close(fd_);
        fd_ = -1;
        return;
      }
    }
  }
  ~DirLock() {
    if (fd_ >= 0) close(fd_);  // releases the flock
  }
  // 0 when locked, else errno (ENOENT: the directory does not exist).
  int error() const { return err_; }

 private:
  int fd_ = -1;
  int err_ = 0;
};

std::string DirOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Whether the temp file dir/name (".tmp-<pid>-<random>") was left by a
// process that is gone: its pid does not exist on this machine, or it is
// older than kTempMaxAgeS (a reused pid). A live writer's temp file lasts
// milliseconds; processes sharing a root share the machine (flock needs it).
bool TempIsOrphan(const std::string& dir, const std::string& name, int64_t now_s) {
  struct stat st;
  if (lstat((dir + "/" + name).c_str(), &st) != 0) return false;  // already gone
  if (now_s - static_cast<int64_t>(st.st_mtime) > kTempMaxAgeS) return true;
  const char* p = name.c_str() + kTempPrefix.size();
  char* end = nullptr;
  const long pid = strtol(p, &end, 10);
  if (end == p || *end != '-' || pid <= 0) return false;  // not one of ours: age only
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

std::string ParquetDirBackend::EscapeName(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || (c == '.' && i > 0);
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

bool ParquetDirBackend::UnescapeName(std::string_view s, std::string* out) {
  out->clear();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out->push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return false;
    int h = hex(s[i + 1]), l = hex(s[i + 2]);
    if (h < 0 || l < 0) return false;
    out->push_back(static_cast<char>(h * 16 + l));
    i += 2;
  }
  return true;
}

Result<std::unique_ptr<Backend>> OpenParquetDirBackend(const ParquetDirOptions& options) {
  if (options.root.empty())
    return InvalidArgumentError("parquet_dir root is empty").WithParam("root");
  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (!std::filesystem::is_directory(options.root, ec))
    return InvalidArgumentError("parquet_dir root '" + options.root + "' is not a directory" +
                                (ec ? ": " + ec.message() : std::string()))
        .WithParam("root");
  if (access(options.root.c_str(), W_OK | X_OK) != 0)
    return PermissionDeniedError("parquet_dir root '" + options.root +
                                 "' is not writable: " + strerror(errno))
        .WithParam("root");
  ParquetDirOptions o = options;
  while (o.root.size() > 1 && o.root.back() == '/') o.root.pop_back();
  auto b = std::make_unique<ParquetDirBackend>(std::move(o));
  if (b->options_.recover_on_open) b->recovery_ = b->Recover();
  return std::unique_ptr<Backend>(std::move(b));
}

ParquetDirBackend::ParquetDirBackend(ParquetDirOptions options) : options_(std::move(options)) {}

ParquetDirRecovery ParquetDirBackend::Recover() {
  ParquetDirRecovery r;
  const int64_t now_s = NowMs() / 1000;
  auto settle = [&](const std::string& dir) {
    ++r.dirs_scanned;
    const std::vector<std::string> names = ListDir(dir);
    const std::unordered_set<std::string> present(names.begin(), names.end());
    const std::string pending_suffix = std::string(kData) + std::string(kPendingSuffix);
    std::vector<std::string> pending, orphans;
    for (const std::string& n : names) {
      if (n.rfind(kTempPrefix, 0) == 0) {
        if (TempIsOrphan(dir, n, now_s) && unlink((dir + "/" + n).c_str()) == 0)
          ++r.temp_files_removed;
      } else if (EndsWith(n, pending_suffix)) {
        pending.push_back(n);
      } else if (EndsWith(n, kSide) && !present.count(n.substr(0, n.size() - 4))) {
        orphans.push_back(n);
      }
    }
    if (pending.empty() && orphans.empty()) return;
    // Exclusive: no writer is between its renames, so every .fxn seen now
    // is a dead writer's.
    DirLock lock(dir, /*exclusive=*/true);
    if (lock.error() != 0) return;
    for (const std::string& n : pending) {
      const std::string fxn = dir + "/" + n;
      const std::string data = fxn.substr(0, fxn.size() - kPendingSuffix.size());
      std::string text, bytes;
      Meta meta;
      if (ReadAll(fxn, &text) != 0) continue;  // settled meanwhile
      if (ReadAll(data, &bytes) == 0 && ParseMeta(text, &meta) && PathFor(meta.key) == data &&
          Describes(meta, meta.key, bytes)) {
        // Killed after renaming the data: the commit is finished here.
        if (rename(fxn.c_str(), (data + ".fxm").c_str()) == 0) ++r.pending_committed;
      } else if (unlink(fxn.c_str()) == 0) {
        // Killed before renaming the data: the old pair (if any) stands.
        ++r.pending_dropped;
      }
    }
    for (const std::string& n : orphans) {
      const std::string side = dir + "/" + n;
      const std::string data = side.substr(0, side.size() - 4);
      // A delete killed between its two unlinks.
      if (access(data.c_str(), F_OK) != 0 && errno == ENOENT && unlink(side.c_str()) == 0)
        ++r.orphan_sidecars_removed;
    }
    if (options_.fsync) SyncDir(dir);
  };
  const std::string& root = options_.root;
  for (const std::string& top : ListDir(root)) {
    if (top == kOtherDir) {
      settle(root + "/" + top);
      continue;
    }
    if (top.rfind(kTempPrefix, 0) == 0) continue;
    for (const std::string& iv : ListDir(root + "/" + top)) {
      const std::string d = root + "/" + top + "/" + iv;
      struct stat st;
      if (stat(d.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) settle(d);
    }
  }
  return r;
}

std::string ParquetDirBackend::DirFor(std::string_view key) const {
  std::string_view sym, iv;
  if (SeriesParts(key, &sym, &iv))
    return options_.root + "/" + EscapeName(sym) + "/" + EscapeName(iv);
  return options_.root + "/" + std::string(kOtherDir);
}

std::string ParquetDirBackend::PathFor(std::string_view key) const {
  std::string stem = EscapeName(key);
  if (stem.size() > kMaxStem) {
    size_t cut = kMaxStem - 20;
    // Do not cut inside a %XX escape.
    if (stem[cut - 1] == '%')
      cut -= 1;
    else if (stem[cut - 2] == '%')
      cut -= 2;
    char h[17];
    snprintf(h, sizeof h, "%016" PRIx64, detail::Checksum64(key));
    stem = stem.substr(0, cut) + std::string(kLongMark) + h;
  }
  return DirFor(key) + "/" + stem + std::string(kData);
}

Result<std::optional<Bytes>> ParquetDirBackend::DoGet(std::string_view key) {
  const std::string path = PathFor(key);
  const std::string side = path + ".fxm";
  const std::string pending = path + std::string(kPendingSuffix);
  std::string data, meta_text;
  Meta meta;
  // Cheap miss without creating a lock file in a missing directory.
  if (access(path.c_str(), F_OK) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<Bytes>();
    return ErrnoStatus(errno, "stat " + path);
  }
  DirLock lock(DirOf(path), /*exclusive=*/false);
  if (lock.error() == ENOENT) return std::optional<Bytes>();
  if (lock.error() != 0) return ErrnoStatus(lock.error(), "lock " + DirOf(path));
  int e = ReadAll(path, &data);
  if (e == ENOENT || e == ENOTDIR) return std::optional<Bytes>();
  if (e != 0) return ErrnoStatus(e, "read " + path);
  e = ReadAll(side, &meta_text);
  if (e != 0 && e != ENOENT) return ErrnoStatus(e, "read " + side);
  bool whole = e == 0 && ParseMeta(meta_text, &meta) && Describes(meta, key, data);
  // A writer killed between renaming its data and its pending sidecar into
  // place left new data described by the pending sidecar: whole, verified.
  if (!whole && ReadAll(pending, &meta_text) == 0 && ParseMeta(meta_text, &meta) &&
      Describes(meta, key, data))
    whole = true;
  if (whole) {
    if (meta.expires_ms != 0 && meta.expires_ms <= NowMs()) {
      expired_.fetch_add(1, std::memory_order_relaxed);
      unlink(path.c_str());
      unlink(side.c_str());
      unlink(pending.c_str());
      return std::optional<Bytes>();
    }
    return std::optional<Bytes>(std::move(data));
  }
  // Bytes and sidecars disagree under the lock: damaged at rest. Never
  // served; deleted (writers are excluded by our shared lock) so the cache
  // refetches it.
  corrupt_.fetch_add(1, std::memory_order_relaxed);
  unlink(path.c_str());
  unlink(side.c_str());
  unlink(pending.c_str());
  return std::optional<Bytes>();
}

Status ParquetDirBackend::DoPut(std::string_view key, ByteView value, const PutOptions& opts) {
  const std::string path = PathFor(key);
  const std::string dir = path.substr(0, path.rfind('/'));
  const std::string side = path + ".fxm";
  const std::string pending = path + std::string(kPendingSuffix);
  if (access(dir.c_str(), F_OK) != 0) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return ErrnoStatus(ec.value(), "mkdir " + dir);
    // New directory entries are durable only once their parents are synced.
    if (options_.fsync) {
      for (std::string d = DirOf(dir); d.size() >= options_.root.size(); d = DirOf(d)) {
        SyncDir(d);
        if (d == options_.root) break;
      }
    }
  }
  Meta meta{detail::Checksum64(value), value.size(), opts.ttl_ms > 0 ? NowMs() + opts.ttl_ms : 0,
            std::string(key)};
  FINEX_ASSIGN_OR_RETURN(std::string tmp_data, WriteTemp(dir, value, options_.fsync));
  auto tmp_side = WriteTemp(dir, FormatMeta(meta), options_.fsync);
  if (!tmp_side.ok()) {
    unlink(tmp_data.c_str());
    return tmp_side.status();
  }
  DirLock lock(dir, /*exclusive=*/true);
  if (lock.error() != 0) {
    unlink(tmp_data.c_str());
    unlink(tmp_side->c_str());
    return ErrnoStatus(lock.error(), "lock " + dir);
  }
  // Three renames, each atomic; a kill between any two leaves a state that
  // reads whole (DoGet) and that Recover() settles:
  //   1. sidecar -> <key>.parquet.fxn   old pair still valid; .fxn is dropped
  //   2. data    -> <key>.parquet       new data, described by the .fxn
  //   3. .fxn    -> <key>.parquet.fxm   done
  if (rename(tmp_side->c_str(), pending.c_str()) != 0) {
    int e = errno;
    unlink(tmp_data.c_str());
    unlink(tmp_side->c_str());
    return ErrnoStatus(e, "rename to " + pending);
  }
  if (rename(tmp_data.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp_data.c_str());
    unlink(pending.c_str());
    return ErrnoStatus(e, "rename to " + path);
  }
  if (rename(pending.c_str(), side.c_str()) != 0) {
    // The data is in place and the pending sidecar describes it (reads and
    // recovery accept that pair), but the write did not finish: say so.
    return ErrnoStatus(errno, "rename to " + side);
  }
  if (options_.fsync) SyncDir(dir);
  return OkStatus();
}

Status ParquetDirBackend::DoDelete(std::string_view key) {
  const std::string path = PathFor(key);
  if (access(path.c_str(), F_OK) != 0 && access((path + ".fxm").c_str(), F_OK) != 0)
    return OkStatus();
  DirLock lock(DirOf(path), /*exclusive=*/true);
  if (lock.error() == ENOENT) return OkStatus();
  if (lock.error() != 0) return ErrnoStatus(lock.error(), "lock " + DirOf(path));
  if (unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR)
    return ErrnoStatus(errno, "unlink " + path);
  if (unlink((path + ".fxm").c_str()) != 0 && errno != ENOENT && errno != ENOTDIR)
    return ErrnoStatus(errno, "unlink " + path + ".fxm");
  unlink((path + std::string(kPendingSuffix)).c_str());  // a killed writer's, if any
  return OkStatus();
}

void ParquetDirBackend::ScanDir(const std::string& dir, std::string_view prefix,
                                std::vector<std::string>* out) const {
  const int64_t now = NowMs();
  for (const std::string& name : ListDir(dir)) {
    if (name.rfind(kTempPrefix, 0) == 0 || !EndsWith(name, kData)) continue;
    std::string_view stem = std::string_view(name).substr(0, name.size() - kData.size());
    const std::string path = dir + "/" + name;
    std::string meta_text;
    Meta meta;
    // The sidecar, else the pending one a writer killed mid-commit left.
    if ((ReadAll(path + ".fxm", &meta_text) != 0 || !ParseMeta(meta_text, &meta)) &&
        (ReadAll(path + std::string(kPendingSuffix), &meta_text) != 0 ||
         !ParseMeta(meta_text, &meta)))
      continue;
    std::string key;
    if (stem.find(kLongMark) == std::string_view::npos) {
      if (!UnescapeName(stem, &key) || key != meta.key) continue;
    } else {
      key = meta.key;
      if (PathFor(key) != path) continue;
    }
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (meta.expires_ms != 0 && meta.expires_ms <= now) continue;
    out->push_back(std::move(key));
  }
}

Result<std::vector<std::string>> ParquetDirBackend::DoScanPrefix(std::string_view prefix,
                                                                 size_t limit) {
  std::vector<std::string> dirs;
  const std::string& root = options_.root;
  constexpr std::string_view kFinex = "finex:";
  const bool under_finex = prefix.substr(0, kFinex.size()) == kFinex;
  const bool covers_finex = kFinex.substr(0, std::min(prefix.size(), kFinex.size())) ==
                            prefix.substr(0, std::min(prefix.size(), kFinex.size()));
  // %other holds keys not shaped finex:SYM:INT:..., which may still match.
  dirs.push_back(root + "/" + std::string(kOtherDir));
  if (covers_finex) {
    std::string_view rest = under_finex ? prefix.substr(kFinex.size()) : std::string_view();
    auto c1 = rest.find(':');
    std::vector<std::string> sym_dirs;
    if (c1 != std::string_view::npos) {
      sym_dirs.push_back(root + "/" + EscapeName(rest.substr(0, c1)));
    } else {
      for (const std::string& n : ListDir(root)) {
        std::string sym;
        if (n == kOtherDir || n.rfind(".tmp-", 0) == 0 || !UnescapeName(n, &sym)) continue;
        if (sym.compare(0, rest.size(), rest) == 0) sym_dirs.push_back(root + "/" + n);
      }
    }
    for (const std::string& sd : sym_dirs) {
      std::string_view after =
          c1 == std::string_view::npos ? std::string_view() : rest.substr(c1 + 1);
      auto c2 = after.find(':');
      if (c2 != std::string_view::npos) {
        dirs.push_back(sd + "/" + EscapeName(after.substr(0, c2)));
        continue;
      }
      for (const std::string& n : ListDir(sd)) {
        std::string iv;
        if (!UnescapeName(n, &iv) || iv.compare(0, after.size(), after) != 0) continue;
        dirs.push_back(sd + "/" + n);
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& d : dirs) ScanDir(d, prefix, &out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

Result<size_t> ParquetDirBackend::DoDeletePrefix(std::string_view prefix) {
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, DoScanPrefix(prefix, 0));
  size_t n = 0;
  for (const auto& k : keys) {
    const std::string path = PathFor(k);
    DirLock lock(DirOf(path), /*exclusive=*/true);
    if (unlink(path.c_str()) == 0) ++n;
    unlink((path + ".fxm").c_str());
    unlink((path + std::string(kPendingSuffix)).c_str());
  }
  return n;
}

Status ParquetDirBackend::DoPing() {
  if (access(options_.root.c_str(), W_OK | X_OK) != 0)
    return ErrnoStatus(errno, "root " + options_.root);
  return OkStatus();
}

BackendStats ParquetDirBackend::stats() const {
  BackendStats s;
  AddOpStats(&s);
  s.corrupt = corrupt_.load(std::memory_order_relaxed);
  s.expired = expired_.load(std::memory_order_relaxed);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(options_.root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.rfind(".tmp-", 0) == 0) continue;
    if (EndsWith(name, kData)) ++s.keys;
    s.bytes += it->file_size(ec);
  }
  return s;
}

}  // namespace finex::backend
