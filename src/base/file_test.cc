#include "tollgate/base/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tollgate {
namespace {

namespace fs = std::filesystem;

class ReadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tollgate-readfile-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ReadFileTest, ReadsEveryByte) {
  std::string bytes("a\0b\r\n\xff", 6);
  std::ofstream(dir_ / "f", std::ios::binary) << bytes;
  StatusOr<std::string> got = ReadFile((dir_ / "f").string());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, bytes);
  std::ofstream(dir_ / "empty", std::ios::binary);
  EXPECT_EQ(ReadFile((dir_ / "empty").string()).value(), "");
}

TEST_F(ReadFileTest, EachFailureIsNamed) {
  struct Case {
    fs::path path;
    StatusCode code;
    const char* reason;
  } cases[] = {
      {dir_ / "missing", StatusCode::kNotFound, "No such file or directory"},
      {dir_, StatusCode::kInvalidArgument, "a folder"},
  };
  for (const Case& c : cases) {
    StatusOr<std::string> got = ReadFile(c.path.string());
    ASSERT_FALSE(got.ok()) << c.path;
    EXPECT_EQ(got.status().code(), c.code) << c.path;
    EXPECT_EQ(got.status().message(), "cannot read `" + c.path.string() + "`: " + c.reason);
  }
}

TEST_F(ReadFileTest, IsReadableOnlyForFilesThatOpen) {
  std::ofstream(dir_ / "f") << "x";
  EXPECT_TRUE(IsReadable((dir_ / "f").string()));
  EXPECT_FALSE(IsReadable((dir_ / "missing").string()));
  EXPECT_FALSE(IsReadable(dir_.string()));
}

}  // namespace
}  // namespace tollgate
