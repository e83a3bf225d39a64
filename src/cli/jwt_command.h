#pragma once

#include <string>
#include <vector>

namespace tollgate::cli {

/// `tollgate jwt mint` options.
struct JwtMintArgs {
  std::string key_file;  // PEM or JWK; generated when empty
  std::string alg = "RS256";
  std::string kid = "tollgate";
  std::string iss, aud, sub, scope;
  std::string typ = "at+jwt";
  std::string ttl = "1h";
  std::vector<std::string> claims, headers;  // K=V
  std::string mutate;
  std::string attacker_url = "http://127.0.0.1:9";
  std::string jwks_out;  // write the public JWKS here
  bool list_mutations = false;
};

/// `tollgate jwt verify` options.
struct JwtVerifyArgs {
  std::string token;  // "-" reads stdin
  std::string jwks;   // file or URL
  std::vector<std::string> issuers, audiences, algs, require;
  std::string typ, scope;
  std::string leeway = "60s";
  bool verbose = false;  // print the JWKS keys skipped as unusable, and why
};

int JwtMintCommand(const JwtMintArgs& args);
int JwtVerifyCommand(const JwtVerifyArgs& args);

}  // namespace tollgate::cli
