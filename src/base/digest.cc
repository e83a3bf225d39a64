#include "tollgate/base/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "tollgate/base/encoding.h"

namespace tollgate {

std::string Sha256(std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256Hex(std::string_view bytes) { return HexEncode(Sha256(bytes)); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Compare digests so the time does not depend on where the inputs differ, nor on the
  // secret's length.
  std::string da = Sha256(a), db = Sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

}  // namespace tollgate
