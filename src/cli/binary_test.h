#pragma once
// Test helper shared by the tests that run the tollgate binary: a temporary folder per test,
// the source root as working directory, and one way to run a command line and read back its
// exit status, standard output and standard error.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace tollgate::testing {

/// A file's bytes ("" when it cannot be read).
inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// What one run of the binary gave.
struct ExecResult {
  int exit = -1;
  std::string out, err;
};

/// A fixture whose tests run the binary from the source root; `tmp_` is a fresh folder per
/// test (named after `prefix`, the process and the test), removed afterwards.
class BinaryTest : public ::testing::Test {
 protected:
  explicit BinaryTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    std::filesystem::current_path(TOLLGATE_SOURCE_DIR);
    tmp_ = std::filesystem::temp_directory_path() /
           (prefix_ + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(tmp_);
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }

  /// Runs the binary with `args` (shell words), after `env` assignments, no standard input.
  ExecResult Exec(const std::string& args, const std::string& env = "") {
    std::string cmd = env + " " + TOLLGATE_BINARY + " " + args + " >" + (tmp_ / "out").string() +
                      " 2>" + (tmp_ / "err").string() + " </dev/null";
    int status = std::system(cmd.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(tmp_ / "out"), Slurp(tmp_ / "err")};
  }

  std::filesystem::path tmp_;

 private:
  std::string prefix_;
};

}  // namespace tollgate::testing
