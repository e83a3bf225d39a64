#pragma once
// Shared by the pki tests: a scratch folder and the project's profile generated once.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "pki/x509_util.h"
#include "tollgate/base/file.h"
#include "tollgate/pki/pki.h"

namespace tollgate::testing {

/// A mkdtemp folder removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "tollgate-pki-XXXXXX").string();
    path_ = ::mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string ProfilePath() { return std::string(TOLLGATE_SOURCE_DIR) + "/certs/pki.yaml"; }

/// The first certificate of a PEM file (fails the test when there is none).
inline pki::X509Ptr LoadCert(const std::string& path) {
  auto text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  if (!text.ok()) return nullptr;
  auto certs = pki::ReadCerts(*text);
  EXPECT_FALSE(certs.empty()) << path;
  return certs.empty() ? nullptr : std::move(certs[0]);
}

inline std::string Slurp(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : std::string();
}

}  // namespace tollgate::testing
