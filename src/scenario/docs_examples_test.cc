// The complete examples in docs/formats.md must load: the user documentation stays true to
// the loaders. Fragments (blocks that do not start with a file's first key) are skipped.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tollgate/scenario/loader.h"

namespace tollgate {
namespace {

std::vector<std::string> YamlBlocks(const std::string& markdown) {
  std::vector<std::string> blocks;
  std::istringstream in(markdown);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

TEST(DocsExamples, EveryCompleteExampleInFormatsMdLoads) {
  std::ifstream in(std::string(TOLLGATE_SOURCE_DIR) + "/docs/formats.md");
  ASSERT_TRUE(in) << "docs/formats.md is missing";
  std::ostringstream text;
  text << in.rdbuf();
  int suites = 0, environments = 0, targets = 0, requirements = 0;
  for (const std::string& block : YamlBlocks(text.str())) {
    Diagnostics diags;
    bool ok = true;
    if (block.rfind("suite:", 0) == 0) {
      ok = ParseSuite(block, "example.yaml", diags).has_value();
      ++suites;
    } else if (block.rfind("environment:", 0) == 0) {
      // Their services need the mocks' kinds: src/mocks/service_schemas_test.cc loads them.
      ++environments;
    } else if (block.rfind("target:", 0) == 0) {
      ok = ParseTargetFile(block, "example.yaml", diags).has_value();
      ++targets;
    } else if (block.rfind("profile:", 0) == 0) {
      ok = ParseRequirements(block, "example.yaml", diags).has_value();
      ++requirements;
    }
    EXPECT_TRUE(ok) << block << "\n" << diags.RenderWithText(block);
  }
  EXPECT_EQ(suites, 3);        // the general example, the token example, forwarded certificates
  EXPECT_EQ(environments, 3);  // the general example, token services and mtls (not loaded here)
  EXPECT_EQ(targets, 1);
  EXPECT_EQ(requirements, 1);
}

}  // namespace
}  // namespace tollgate
