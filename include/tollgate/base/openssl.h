#pragma once
// What every module that calls OpenSSL shares: unique_ptr owners for its objects and its
// error queue as text.

#include <openssl/bio.h>

#include <memory>
#include <string>

namespace tollgate {

/// The deleter that calls `Free` (an OpenSSL *_free function).
template <typename T, void (*Free)(T*)>
struct OsslFree {
  void operator()(T* p) const { Free(p); }
};
/// An owner of an OpenSSL object: OsslPtr<X509, X509_free>.
template <typename T, void (*Free)(T*)>
using OsslPtr = std::unique_ptr<T, OsslFree<T, Free>>;

/// Frees a BIO (BIO_free returns int, so it needs a wrapper of its own).
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

/// The most recent OpenSSL error as text ("unknown OpenSSL error" when there is none), and
/// an empty error queue afterwards, so one failure does not show up in the next message.
std::string OpenSslError();

}  // namespace tollgate
