// PlanChain: each matrix chain as a change to one default chain (the identity's root ->
// a fresh intermediate -> a clientAuth leaf with the identity's subject). EC P-256 keys
// everywhere a rule does not need RSA, so the whole matrix builds in milliseconds.

#include "pki/matrix_plan.h"

#include <functional>
#include <map>

namespace tollgate::pki {
namespace {

constexpr std::time_t kDay = 86400;
constexpr const char* kPolicy = "1.3.6.1.4.1.55555.2.1";

// Builds the plan of one chain; helpers name the parts every chain has.
class Planner {
 public:
  Planner(const std::string& name, const IdentitySpec& id, std::time_t now)
      : name_(name), id_(id), now_(now) {
    PlanCert root;
    root.profile_root = true;
    root.issuer = -1;
    plan_.certs.push_back(root);
    plan_.certs.push_back(Intermediate(1));
    PlanCert leaf;
    leaf.req.subject = id.subject;
    leaf.req.not_before = now - 3600;
    leaf.req.not_after = now + id.days * kDay;
    leaf.req.eku = "clientAuth";
    plan_.certs.push_back(leaf);
    plan_.anchors = {0};
    plan_.presented = {1};
  }

  PlanCert Intermediate(int n) const {
    PlanCert c;
    c.req.subject = "CN=" + name_ + " CA " + std::to_string(n) + ",O=tollgate matrix";
    c.req.ca = true;
    c.req.not_before = now_ - 3600;
    c.req.not_after = now_ + 730 * kDay;
    return c;
  }

  // A root of the chain's own instead of the identity's.
  void OwnRoot() {
    PlanCert& r = plan_.certs[0];
    r.profile_root = false;
    r.req.subject = "CN=" + name_ + " Root,O=tollgate matrix";
    r.req.ca = true;
    r.req.not_before = now_ - 3600;
    r.req.not_after = now_ + 3650 * kDay;
  }

  // `count` intermediates in all, each issued by the one before; presented nearest first.
  void Intermediates(int count) {
    PlanCert leaf = plan_.certs.back();
    plan_.certs.resize(1);
    plan_.presented.clear();
    for (int n = 1; n <= count; ++n) {
      plan_.certs.push_back(Intermediate(n));
      plan_.presented.insert(plan_.presented.begin(), n);
    }
    plan_.certs.push_back(leaf);
  }

  PlanCert& root() { return plan_.certs[0]; }
  PlanCert& ca(int n = 1) { return plan_.certs[n]; }
  PlanCert& leaf() { return plan_.certs.back(); }
  ChainPlan& plan() { return plan_; }
  std::time_t now() const { return now_; }

 private:
  std::string name_;
  const IdentitySpec& id_;
  std::time_t now_;
  ChainPlan plan_;
};

using Change = std::function<void(Planner&)>;

void Constrain(Planner& p, const std::string& constraint, const std::string& leaf_san) {
  p.ca().req.name_constraints = {constraint};
  if (!leaf_san.empty()) p.leaf().req.san = {leaf_san};
}

const std::map<std::string, Change>& Changes() {
  static const std::map<std::string, Change> changes = {
      {"baseline", [](Planner&) {}},
      {"int_ca_false", [](Planner& p) { p.ca().req.basic_constraints = "critical,CA:FALSE"; }},
      {"int_no_basic_constraints", [](Planner& p) { p.ca().req.basic_constraints = "none"; }},
      {"int_basic_constraints_not_critical",
       [](Planner& p) { p.ca().req.basic_constraints = "CA:TRUE"; }},
      {"int_no_key_cert_sign",
       [](Planner& p) { p.ca().req.key_usage = "critical,digitalSignature,cRLSign"; }},
      {"int_no_key_usage", [](Planner& p) { p.ca().req.key_usage = "none"; }},
      {"int_v1",
       [](Planner& p) {
         p.ca().req.version = 1;
         p.leaf().req.aki = "hash";  // a v1 issuer has no SKI extension to copy
       }},
      {"pathlen0_ok", [](Planner& p) { p.ca().req.path_len = 0; }},
      {"pathlen0_exceeded",
       [](Planner& p) {
         p.Intermediates(2);
         p.ca(1).req.path_len = 0;
       }},
      {"pathlen1_exceeded",
       [](Planner& p) {
         p.Intermediates(3);
         p.ca(1).req.path_len = 1;
       }},
      {"root_pathlen0_exceeded",
       [](Planner& p) {
         p.OwnRoot();
         p.root().req.path_len = 0;
       }},
      {"int_expired",
       [](Planner& p) {
         p.ca().req.not_before = p.now() - 400 * kDay;
         p.ca().req.not_after = p.now() - kDay;
       }},
      {"int_not_yet_valid",
       [](Planner& p) {
         p.ca().req.not_before = p.now() + 30 * kDay;
         p.ca().req.not_after = p.now() + 730 * kDay;
       }},
      {"root_expired",
       [](Planner& p) {
         p.OwnRoot();
         p.root().req.not_before = p.now() - 3650 * kDay;
         p.root().req.not_after = p.now() - kDay;
       }},
      {"leaf_outlives_issuer",
       [](Planner& p) {
         p.ca().req.not_after = p.now() + 120 * kDay;
         p.leaf().req.not_after = p.now() + 240 * kDay;
       }},
      {"nc_dns_permitted_ok",
       [](Planner& p) { Constrain(p, "permitted;DNS:example.com", "DNS:client.example.com"); }},
      {"nc_dns_permitted_violated",
       [](Planner& p) { Constrain(p, "permitted;DNS:example.com", "DNS:client.example.org"); }},
      {"nc_dns_excluded_ok",
       [](Planner& p) { Constrain(p, "excluded;DNS:bad.example", "DNS:client.example.com"); }},
      {"nc_dns_excluded_violated",
       [](Planner& p) { Constrain(p, "excluded;DNS:bad.example", "DNS:client.bad.example"); }},
      {"nc_email_permitted_ok",
       [](Planner& p) { Constrain(p, "permitted;email:example.com", "email:alice@example.com"); }},
      {"nc_email_permitted_violated",
       [](Planner& p) { Constrain(p, "permitted;email:example.com", "email:alice@example.org"); }},
      {"nc_email_excluded_violated",
       [](Planner& p) { Constrain(p, "excluded;email:example.org", "email:alice@example.org"); }},
      {"nc_email_subject_violated",
       [](Planner& p) {
         Constrain(p, "permitted;email:example.com", "");
         p.leaf().req.subject = "emailAddress=alice@example.org," + p.leaf().req.subject;
       }},
      {"nc_dirname_permitted_ok",
       [](Planner& p) {
         Constrain(p, "permitted;dirName:O=Partner Ltd", "");
         p.leaf().req.subject = "CN=partner,O=Partner Ltd";
       }},
      {"nc_dirname_permitted_violated",
       [](Planner& p) {
         Constrain(p, "permitted;dirName:O=Partner Ltd", "");
         p.leaf().req.subject = "CN=partner,O=Other Ltd";
       }},
      {"nc_dirname_excluded_violated",
       [](Planner& p) {
         Constrain(p, "excluded;dirName:O=Partner Ltd", "");
         p.leaf().req.subject = "CN=partner,O=Partner Ltd";
       }},
      {"nc_ip_permitted_violated",
       [](Planner& p) { Constrain(p, "permitted;IP:10.0.0.0/255.0.0.0", "IP:192.0.2.1"); }},
      {"int_eku_client_ok", [](Planner& p) { p.ca().req.eku = "clientAuth"; }},
      {"int_eku_server_only", [](Planner& p) { p.ca().req.eku = "serverAuth"; }},
      {"int_unknown_critical_extension",
       [](Planner& p) { p.ca().req.unknown_critical_extension = true; }},
      {"int_unknown_noncritical_extension",
       [](Planner& p) { p.ca().req.unknown_noncritical_extension = true; }},
      {"leaf_duplicate_extension",
       [](Planner& p) { p.leaf().req.duplicate_extension = NID_key_usage; }},
      {"int_duplicate_extension",
       [](Planner& p) { p.ca().req.duplicate_extension = NID_basic_constraints; }},
      {"leaf_aki_mismatch", [](Planner& p) { p.leaf().req.aki = "bogus"; }},
      {"int_aki_mismatch", [](Planner& p) { p.ca().req.aki = "bogus"; }},
      {"int_no_ski",
       [](Planner& p) {
         p.ca().req.omit_ski = true;
         p.leaf().req.aki = "hash";
       }},
      {"issuer_name_mismatch",
       [](Planner& p) { p.leaf().req.issuer_name = "CN=Someone Else CA,O=tollgate matrix"; }},
      {"int_tampered_signature", [](Planner& p) { p.ca().tamper = true; }},
      {"leaf_signed_md5",
       [](Planner& p) {
         p.ca().key_type = "rsa2048";
         p.leaf().req.digest = "md5";
       }},
      {"int_signed_md5",
       [](Planner& p) {
         p.Intermediates(2);
         p.ca(1).key_type = "rsa2048";
         p.ca(2).req.digest = "md5";
       }},
      {"int_signed_sha1", [](Planner& p) { p.ca().req.digest = "sha1"; }},
      {"leaf_rsa1024", [](Planner& p) { p.leaf().key_type = "rsa1024"; }},
      {"int_rsa1024", [](Planner& p) { p.ca().key_type = "rsa1024"; }},
      {"root_rsa1024",
       [](Planner& p) {
         p.OwnRoot();
         p.root().key_type = "rsa1024";
       }},
      {"int_rsa2048_ok", [](Planner& p) { p.ca().key_type = "rsa2048"; }},
      {"leaf_key_usage_no_signature",
       [](Planner& p) { p.leaf().req.key_usage = "critical,nonRepudiation"; }},
      {"policy_required_ok",
       [](Planner& p) {
         p.ca().req.policies = kPolicy;
         p.ca().req.policy_constraints = "critical,requireExplicitPolicy:0";
         p.leaf().req.policies = kPolicy;
       }},
      {"policy_required_missing",
       [](Planner& p) {
         p.ca().req.policies = kPolicy;
         p.ca().req.policy_constraints = "critical,requireExplicitPolicy:0";
       }},
      {"cross_signed_path",
       [](Planner& p) {
         // 0 root A (trusted), 1 root B, 2 B cross-signed by A, 3 intermediate under B, 4 leaf.
         PlanCert b = p.Intermediate(0);
         b.req.subject = "CN=cross_signed_path Root B,O=tollgate matrix";
         b.issuer = -1;
         PlanCert cross = b;
         cross.issuer = 0;
         cross.share_key = 1;
         PlanCert ca = p.Intermediate(1);
         ca.issuer = 1;
         PlanCert leaf = p.leaf();
         p.plan().certs = {p.root(), b, cross, ca, leaf};
         p.plan().anchors = {0};
         p.plan().presented = {3, 2};
       }},
      {"cross_signed_wrong_direction",
       [](Planner& p) {
         // 0 root A, 1 root B (trusted), 2 B cross-signed by A, 3 intermediate under A, 4 leaf.
         PlanCert b = p.Intermediate(0);
         b.req.subject = "CN=cross_signed_wrong_direction Root B,O=tollgate matrix";
         b.issuer = -1;
         PlanCert cross = b;
         cross.issuer = 0;
         cross.share_key = 1;
         PlanCert ca = p.Intermediate(1);
         ca.issuer = 0;
         PlanCert leaf = p.leaf();
         p.plan().certs = {p.root(), b, cross, ca, leaf};
         p.plan().anchors = {1};
         p.plan().presented = {3, 2};
       }},
      {"chain_at_depth_limit", [](Planner& p) { p.Intermediates(kMaxIntermediates); }},
      {"long_chain", [](Planner& p) { p.Intermediates(12); }},
      {"intermediate_anchor", [](Planner& p) { p.plan().anchors = {1}; }},
  };
  return changes;
}

}  // namespace

StatusOr<ChainPlan> PlanChain(const std::string& name, const IdentitySpec& id, std::time_t now) {
  auto it = Changes().find(name);
  if (it == Changes().end()) return NotFoundError("no plan for matrix chain `" + name + "`");
  Planner planner(name, id, now);
  it->second(planner);
  planner.plan().now = now;
  return planner.plan();
}

}  // namespace tollgate::pki
