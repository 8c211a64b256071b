// The `finex` command line (API.md "Command line"): serve, sim, history,
// quote, search, stats, warm, invalidate, config print. RunCli parses argv
// with CLI11, runs one subcommand and returns the process exit code (0 ok,
// 2 bad input, 3 provider or network failure, 1 anything else). Data goes to
// stdout (or -o FILE); messages and progress go to stderr only.
//
// Thread-safety: call once from main().
#pragma once

namespace finex::cli {

int RunCli(int argc, char** argv);

}  // namespace finex::cli
