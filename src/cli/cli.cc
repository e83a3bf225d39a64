#include "cli/cli.h"

namespace tollgate::cli {

int Main(int argc, char** argv) { return 1; }

}  // namespace tollgate::cli
