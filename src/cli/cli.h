#pragma once

namespace tollgate::cli {

/// The tollgate command line; returns the process exit code (SPEC §4).
int Main(int argc, char** argv);

}  // namespace tollgate::cli
