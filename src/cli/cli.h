#pragma once

namespace tollgate::cli {

/// The tollgate command line; returns the process exit code (docs/cli.md, Exit codes).
int Main(int argc, char** argv);

}  // namespace tollgate::cli
