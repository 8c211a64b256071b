// The `finex` executable.
#include "finex/cli/commands.h"

int main(int argc, char** argv) { return finex::cli::RunCli(argc, argv); }
