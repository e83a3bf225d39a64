// `tollgate certs generate` and `tollgate certs check` through the binary: exit codes 0, 4
// and 2, and the finding lines.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Result {
  int exit = -1;
  std::string out, err;
};

class CertsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string templ = (fs::temp_directory_path() / "tollgate-certs-XXXXXX").string();
    tmp_ = new fs::path(::mkdtemp(templ.data()));
    Result r = Exec("certs generate --out " + Gen());
    ASSERT_EQ(r.exit, 0) << r.err;
    EXPECT_THAT(r.out, StartsWith("generated 156 certificates from certs/pki.yaml into " + Gen() +
                                  " (no material yet)"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*tmp_);
    delete tmp_;
  }
  static std::string Gen() { return (*tmp_ / "gen").string(); }
  static std::string Bundle(const std::string& name) {
    return Gen() + "/identities/partner/bundles/" + name + ".pem";
  }
  static std::string Anchors() { return " --anchors " + Gen() + "/ca/root.pem"; }

  static Result Exec(const std::string& args) {
    std::string cmd = "cd " TOLLGATE_SOURCE_DIR " && " TOLLGATE_BINARY " " + args + " >" +
                      (*tmp_ / "out").string() + " 2>" + (*tmp_ / "err").string() + " </dev/null";
    int status = std::system(cmd.c_str());
    Result r;
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = Slurp(*tmp_ / "out");
    r.err = Slurp(*tmp_ / "err");
    return r;
  }

  static fs::path* tmp_;
};
fs::path* CertsCli::tmp_ = nullptr;

TEST_F(CertsCli, GenerateTwiceWritesNothingTheSecondTime) {
  std::string manifest = Slurp(Gen() + "/manifest");
  Result r = Exec("certs generate --out " + Gen());
  EXPECT_EQ(r.exit, 0);
  EXPECT_EQ(r.out,
            Gen() + " is up to date for certs/pki.yaml; nothing written (--force rebuilds)\n");
  EXPECT_EQ(Slurp(Gen() + "/manifest"), manifest);
}

TEST_F(CertsCli, OrderedBundleExitsZero) {
  Result r = Exec("certs check " + Bundle("ordered") + Anchors() + " --crl " + Gen() +
                  "/ca/client-ca.crl.pem");
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "accepted: " + Bundle("ordered") +
                       ", 3 certificates, leaf -> intermediate(s) -> root\n");
}

TEST_F(CertsCli, MisorderedBundleExitsFourWithOneLinePerFinding) {
  Result r = Exec("certs check " + Bundle("misordered") + Anchors());
  EXPECT_EQ(r.exit, 4);
  EXPECT_EQ(r.out,
            "cert[1] CN=tollgate Test Root CA,O=tollgate: is not the issuer of cert[0]: subject "
            "issuer mismatch\n"
            "cert[2] CN=tollgate Client Issuing CA,O=tollgate: is not the issuer of cert[1]: "
            "subject issuer mismatch\n"
            "cert[2] CN=tollgate Client Issuing CA,O=tollgate: the last certificate is not a "
            "self-signed root: the bundle is incomplete\n"
            "rejected: " +
                Bundle("misordered") + ", 3 findings\n");
}

TEST_F(CertsCli, PrivateKeyInTheBundleIsNamed) {
  Result r = Exec("certs check " + Bundle("with_private_key") + Anchors());
  EXPECT_EQ(r.exit, 4);
  EXPECT_THAT(r.out, StartsWith("bundle: PEM block 4 is `PRIVATE KEY`: a bundle must never carry "
                                "a private key\nrejected: "));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("BEGIN PRIVATE KEY")));
}

TEST_F(CertsCli, WithoutAnchorsTheVerdictSaysSo) {
  Result r = Exec("certs check " + Bundle("ordered"));
  EXPECT_EQ(r.exit, 0);
  EXPECT_THAT(r.out, HasSubstr("(no --anchors: the bundle's own root was trusted)"));
}

TEST_F(CertsCli, UnreadableInputExitsTwo) {
  Result missing = Exec("certs check " + Gen() + "/no-such.pem");
  EXPECT_EQ(missing.exit, 2);
  EXPECT_EQ(missing.err, "error: cannot read bundle " + Gen() + "/no-such.pem\n");
  Result anchors = Exec("certs check " + Bundle("ordered") + " --anchors " + Gen() + "/manifest");
  EXPECT_EQ(anchors.exit, 2);
  EXPECT_EQ(anchors.err,
            "error: " + Gen() + "/manifest: expected PEM CERTIFICATE blocks (the allowed roots)\n");
  std::ofstream(*tmp_ / "bad.yaml") << "authorities: {}\nidentities: {}\ncolour: red\n";
  Result config = Exec("certs generate --config " + (*tmp_ / "bad.yaml").string() + " --out " +
                       (*tmp_ / "never").string());
  EXPECT_EQ(config.exit, 2);
  EXPECT_EQ(config.err, "error: " + (*tmp_ / "bad.yaml").string() +
                            ":3:1: unknown key `colour` in the PKI profile; expected one of: pki, "
                            "authorities, identities, revocation\n");
  EXPECT_FALSE(fs::exists(*tmp_ / "never"));
}

TEST_F(CertsCli, MatrixListsTheTableAndVerifiesEveryChain) {
  Result list = Exec("certs matrix --list");
  EXPECT_EQ(list.exit, 0);
  EXPECT_THAT(list.out, StartsWith("baseline\taccept\tRFC 5280 §6.1: "));
  EXPECT_THAT(list.out, HasSubstr("\nlong_chain\trefuse\ttollgate policy"));
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 53);
  Result r = Exec("certs matrix --out " + Gen());
  EXPECT_EQ(r.exit, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok   int_ca_false: expected refuse, refused: path validation at "
                               "depth 1 (CN=int_ca_false CA 1,O=tollgate matrix): invalid CA "
                               "certificate\n"));
  EXPECT_THAT(r.out, HasSubstr("ok   intermediate_anchor: expected accept, accepted\n"));
  EXPECT_THAT(r.out,
              ::testing::EndsWith("every chain got its expected verdict (53 chains of partner)\n"));
  Result none = Exec("certs matrix --identity server --out " + Gen());
  EXPECT_EQ(none.exit, 2);
  EXPECT_EQ(none.err, "error: identity `server` of certs/pki.yaml lists no `chains:` to verify\n");
}

TEST_F(CertsCli, HelpNamesTheExitCodes) {
  Result r = Exec("certs check --help");
  EXPECT_EQ(r.exit, 0);
  EXPECT_THAT(r.out, HasSubstr("exit 0 accepted, 4 rejected, 2 unreadable"));
  EXPECT_THAT(r.out, HasSubstr("--anchors"));
}

}  // namespace
