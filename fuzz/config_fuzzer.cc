// libFuzzer target: the TOML config loader (cli/config.h LoadConfig;
// fuzz/run.sh). The input is written to a config file (in $TMPDIR, one per
// process) and loaded as `finex --config` would, with an empty environment:
// toml11 parse errors and schema errors must come back as InvalidArgument,
// never as a crash, an escaped exception or a hang.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "finex/cli/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp && *tmp ? tmp : "/tmp") + "/finex_config_fuzz_" +
           std::to_string(getpid()) + ".toml";
  }();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  finex::cli::LoadOptions opts;
  opts.config_path = path;
  opts.lookup = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  auto cfg = finex::cli::LoadConfig(opts);
  if (!cfg.ok() && cfg.status().code() != finex::StatusCode::kInvalidArgument) std::abort();
  return 0;
}
