#include "tollgate/base/openssl.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace tollgate {
namespace {

TEST(OpenSslError, NamesTheLatestErrorAndEmptiesTheQueue) {
  EXPECT_EQ(OpenSslError(), "unknown OpenSSL error");
  // Two failures: the message is the most recent one's, and nothing is left behind.
  BioPtr bio(BIO_new_mem_buf("not a key", -1));
  ASSERT_NE(bio, nullptr);
  EXPECT_EQ(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), nullptr);
  ERR_put_error(ERR_LIB_EVP, 0, EVP_R_UNSUPPORTED_ALGORITHM, __FILE__, __LINE__);
  std::string text = OpenSslError();
  EXPECT_NE(text.find("unsupported algorithm"), std::string::npos) << text;
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(OpenSslError(), "unknown OpenSSL error");
}

TEST(OsslPtr, FreesWhatItOwns) {
  OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr), 1);
}

}  // namespace
}  // namespace tollgate
