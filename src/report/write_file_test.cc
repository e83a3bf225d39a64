#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tollgate/report/report.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class WriteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("tollgate_write_file_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_ / "locked", fs::perms::owner_all, ec);
    fs::remove_all(dir_, ec);
  }
  int EntriesIn(const fs::path& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      (void)e;
      ++n;
    }
    return n;
  }
  fs::path dir_;
};

TEST_F(WriteFileTest, CreatesParentFoldersAndWritesBytesExactly) {
  const fs::path path = dir_ / "a" / "b" / "report.xml";
  const std::string content = std::string("line1\nline2\r\n") + '\0' + "\xFF end";
  ASSERT_TRUE(WriteFile(path.string(), content).ok());
  EXPECT_EQ(ReadAll(path), content);
}

TEST_F(WriteFileTest, ReplacesAnExistingFileAndLeavesNoTemporaries) {
  const fs::path path = dir_ / "report.json";
  ASSERT_TRUE(WriteFile(path.string(), "first, and longer").ok());
  ASSERT_TRUE(WriteFile(path.string(), "second").ok());
  EXPECT_EQ(ReadAll(path), "second");
  EXPECT_EQ(EntriesIn(dir_), 1);
}

TEST_F(WriteFileTest, FailsNamingThePathWhenAParentIsAFile) {
  std::ofstream(dir_ / "plain") << "x";
  const std::string path = (dir_ / "plain" / "report.xml").string();
  const Status st = WriteFile(path, "content");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("'" + path + "'"));
  EXPECT_THAT(st.message(), HasSubstr("cannot create folder"));
}

TEST_F(WriteFileTest, FailsWhenThePathIsAFolderAndKeepsItIntact) {
  fs::create_directories(dir_ / "out" / "inside");
  const std::string path = (dir_ / "out").string();
  const Status st = WriteFile(path, "content");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(st.message(), HasSubstr("'" + path + "'"));
  EXPECT_TRUE(fs::is_directory(dir_ / "out" / "inside"));
  EXPECT_EQ(EntriesIn(dir_), 1);  // no temporary left behind
}

TEST_F(WriteFileTest, RejectsEmptyPathAndTrailingSlash) {
  EXPECT_EQ(WriteFile("", "x").code(), StatusCode::kInvalidArgument);
  const std::string folder = (dir_ / "reports").string() + "/";
  const Status st = WriteFile(folder, "x");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr(folder));
}

TEST_F(WriteFileTest, PermissionDeniedIsReportedAsSuch) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores folder permissions";
  fs::create_directories(dir_ / "locked");
  fs::permissions(dir_ / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  const std::string path = (dir_ / "locked" / "report.xml").string();
  const Status st = WriteFile(path, "x");
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(st.message(), HasSubstr("'" + path + "'"));
}

}  // namespace
}  // namespace tollgate
