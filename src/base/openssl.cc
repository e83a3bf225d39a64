#include "tollgate/base/openssl.h"

#include <openssl/err.h>

namespace tollgate {

std::string OpenSslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace tollgate
