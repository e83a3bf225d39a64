#include "pki/x509_util.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tollgate/base/digest.h"
#include "tollgate/base/file.h"

namespace tollgate::pki {

StatusOr<PkeyPtr> GenerateKey(const std::string& type) {
  EVP_PKEY* key = nullptr;
  if (type == "rsa2048")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  else if (type == "rsa1024")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
  else if (type == "ec-p256")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  else if (type == "ec-p384")
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  else
    return InvalidArgumentError("unknown key type `" + type + "`");
  if (key == nullptr) return InternalError("key generation failed: " + OpenSslError());
  return PkeyPtr(key);
}

std::string NameText(const X509_NAME* name) {
  if (name == nullptr) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string SubjectText(const X509* cert) { return NameText(X509_get_subject_name(cert)); }

StatusOr<std::unique_ptr<X509_NAME, OsslFree<X509_NAME, X509_NAME_free>>> ParseName(
    const std::string& text) {
  std::unique_ptr<X509_NAME, OsslFree<X509_NAME, X509_NAME_free>> name(X509_NAME_new());
  std::stringstream parts(text);
  std::string part;
  std::vector<std::pair<std::string, std::string>> rdns;
  while (std::getline(parts, part, ',')) {
    std::size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) {
      return InvalidArgumentError("`" + part + "` is not TYPE=value");
    }
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(' '));
      s.erase(s.find_last_not_of(' ') + 1);
      return s;
    };
    rdns.emplace_back(trim(part.substr(0, eq)), trim(part.substr(eq + 1)));
  }
  if (rdns.empty()) return InvalidArgumentError("empty subject");
  // RFC 2253 text lists the most specific RDN first; the DER name is the other way round.
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (X509_NAME_add_entry_by_txt(name.get(), it->first.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(it->second.c_str()), -1,
                                   -1, 0) != 1) {
      ERR_clear_error();
      return InvalidArgumentError("unknown attribute type `" + it->first + "`");
    }
  }
  return name;
}

namespace {
std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}
}  // namespace

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

std::string CrlPem(X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_CRL(bio.get(), crl);
  return BioText(bio.get());
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return BioText(bio.get());
}

std::string CertDer(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::vector<X509Ptr> ReadCerts(std::string_view pem) {
  std::vector<X509Ptr> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();
  return out;
}

std::vector<CrlPtr> ReadCrls(std::string_view pem) {
  std::vector<CrlPtr> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(c);
  }
  ERR_clear_error();
  return out;
}

std::string CertSha256(X509* cert) { return Sha256Hex(CertDer(cert)); }

Status WriteFileMode(const std::string& path, std::string_view bytes, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return InternalError("cannot create " + path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return InternalError("cannot write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  // The umask may only take bits away; set the mode exactly anyway.
  ::fchmod(fd, mode);
  if (::close(fd) != 0) return InternalError("cannot write " + path);
  return Status::Ok();
}

}  // namespace tollgate::pki
