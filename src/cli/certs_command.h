#pragma once
// `tollgate certs generate`, `certs check` and `certs matrix`: the pki module on the
// command line.

#include <string>

namespace tollgate::cli {

/// `tollgate certs generate` options.
struct CertsGenerateArgs {
  std::string config = "certs/pki.yaml";
  std::string out = "certs/generated";
  bool force = false;
};

/// `tollgate certs check` options.
struct CertsCheckArgs {
  std::string bundle;
  std::string anchors;  // PEM file of allowed roots; empty: the bundle's own root
  std::string crl;      // PEM file of CRLs
};

/// `tollgate certs matrix` options.
struct CertsMatrixArgs {
  std::string config = "certs/pki.yaml";
  std::string out = "certs/generated";
  std::string identity = "partner";
  bool list = false;  // print the table only; generate and verify nothing
};

int CertsGenerateCommand(const CertsGenerateArgs& args);
int CertsCheckCommand(const CertsCheckArgs& args);
int CertsMatrixCommand(const CertsMatrixArgs& args);

}  // namespace tollgate::cli
