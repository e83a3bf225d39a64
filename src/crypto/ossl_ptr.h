#pragma once
// unique_ptr owners for the OpenSSL objects the crypto module uses. Private.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

#include "tollgate/base/openssl.h"

namespace tollgate::jose {

using ::tollgate::BioPtr;
using ::tollgate::OsslFree;

using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslFree<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslFree<EVP_MD_CTX, EVP_MD_CTX_free>>;
/// Clears the number before freeing it: big numbers here are often private key parts.
using BnPtr = std::unique_ptr<BIGNUM, OsslFree<BIGNUM, BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslFree<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslFree<OSSL_PARAM, OSSL_PARAM_free>>;
using DecoderCtxPtr =
    std::unique_ptr<OSSL_DECODER_CTX, OsslFree<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslFree<ECDSA_SIG, ECDSA_SIG_free>>;

}  // namespace tollgate::jose
