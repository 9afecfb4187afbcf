// Tests for the PassManager: ordering, verify_each, print_ir_after, dump_dir, stop_after.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ir/kir.h"
#include "passes/cse.h"
#include "passes/dce.h"
#include "passes/pass_manager.h"

namespace kiln::passes {
namespace {

constexpr const char* kInput = R"(graph g {
  input %x : f32[4]
  %0 = relu(%x) : f32[4]
  %1 = relu(%x) : f32[4]
  %2 = neg(%x) : f32[4]
  %3 = add(%0, %1) : f32[4]
  output out = %3
}
)";

constexpr const char* kAfterCse = R"(graph g {
  input %x : f32[4]
  %0 = relu(%x) : f32[4]
  %1 = neg(%x) : f32[4]
  %2 = add(%0, %0) : f32[4]
  output out = %2
}
)";

constexpr const char* kAfterDce = R"(graph g {
  input %x : f32[4]
  %0 = relu(%x) : f32[4]
  %1 = add(%0, %0) : f32[4]
  output out = %1
}
)";

std::unique_ptr<ir::Graph> Parse(const std::string& text) {
  auto g = ir::ParseGraph(text, "pass_manager_test.kir");
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  return std::move(g).value();
}

/// Test-only: records that it ran, changes nothing.
class RecordingPass : public Pass {
 public:
  RecordingPass(std::string name, std::vector<std::string>* log) : name_(std::move(name)), log_(log) {}
  std::string name() const override { return name_; }
  StatusOr<bool> Run(ir::Graph&) override {
    log_->push_back(name_);
    return false;
  }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

/// Test-only: breaks the graph by recording a wrong result type on the first node.
class BreakTypesPass : public Pass {
 public:
  std::string name() const override { return "break-types"; }
  StatusOr<bool> Run(ir::Graph& graph) override {
    graph.nodes().front()->result()->set_type(ir::TensorType{ir::DType::kF64, ir::Shape{7}});
    return true;
  }
};

/// Test-only: always fails.
class FailingPass : public Pass {
 public:
  std::string name() const override { return "always-fails"; }
  StatusOr<bool> Run(ir::Graph&) override { return InvalidArgument("%0 = relu: something is off"); }
};

TEST_CASE("PassManager: runs passes in order", "[pass-manager]") {
  std::vector<std::string> log;
  PassManager pm;
  pm.Add(std::make_unique<RecordingPass>("first", &log));
  pm.Add(std::make_unique<CommonSubexpressionElimination>());
  pm.Add(std::make_unique<RecordingPass>("second", &log));
  pm.Add(std::make_unique<DeadCodeElimination>());
  CHECK(pm.PassNames() == std::vector<std::string>{"first", "cse", "second", "dce"});
  auto g = Parse(kInput);
  REQUIRE(pm.Run(*g).ok());
  CHECK(log == std::vector<std::string>{"first", "second"});
  CHECK(ir::PrintGraph(*g) == kAfterDce);
}

TEST_CASE("PassManager: verify_each names the pass that broke the graph", "[pass-manager]") {
  std::ostringstream printed;
  PassManagerOptions options;
  options.verify_each = true;
  options.print_ir_after = ".*";
  options.print_stream = &printed;
  PassManager pm(options);
  pm.Add(std::make_unique<CommonSubexpressionElimination>());
  pm.Add(std::make_unique<BreakTypesPass>());
  pm.Add(std::make_unique<DeadCodeElimination>());
  auto g = Parse(kInput);
  Status s = pm.Run(*g);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::StartsWith("after pass break-types: 2 problems in graph g:"));
  CHECK_THAT(s.message(), Catch::Contains("f64[7]"));
  // The broken graph is printed (it is the one to debug), and nothing runs after it.
  CHECK_THAT(printed.str(), Catch::Contains("// -----// IR after break-types //----- //"));
  CHECK_THAT(printed.str(), Catch::Contains("%0 = relu(%x) : f64[7]"));
  CHECK_THAT(printed.str(), !Catch::Contains("IR after dce"));

  // Without verify_each the same pipeline does not notice.
  PassManager lax;
  lax.Add(std::make_unique<BreakTypesPass>());
  auto g2 = Parse(kInput);
  CHECK(lax.Run(*g2).ok());
}

TEST_CASE("PassManager: verify_each checks the input before the first pass", "[pass-manager]") {
  PassManagerOptions options;
  options.verify_each = true;
  PassManager pm(options);
  std::vector<std::string> log;
  pm.Add(std::make_unique<RecordingPass>("never", &log));
  auto g = Parse(R"(graph g {
  input %x : f32[4]
  %0 = relu(%x) : f32[5]
  output out = %0
})");
  Status s = pm.Run(*g);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::StartsWith("before the first pass: "));
  CHECK(log.empty());
}

TEST_CASE("PassManager: a pass's error is prefixed with its name and stops the pipeline", "[pass-manager]") {
  std::vector<std::string> log;
  PassManager pm;
  pm.Add(std::make_unique<FailingPass>());
  pm.Add(std::make_unique<RecordingPass>("after", &log));
  auto g = Parse(kInput);
  Status s = pm.Run(*g);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() == "always-fails: %0 = relu: something is off");
  CHECK(log.empty());
}

TEST_CASE("PassManager: print_ir_after prints only the matching passes", "[pass-manager]") {
  std::ostringstream out;
  PassManagerOptions options;
  options.print_ir_after = "cse|noop";
  options.print_stream = &out;
  std::vector<std::string> log;
  PassManager pm(options);
  pm.Add(std::make_unique<CommonSubexpressionElimination>());
  pm.Add(std::make_unique<RecordingPass>("noop-2", &log));  // the regex must match the whole name
  pm.Add(std::make_unique<DeadCodeElimination>());
  pm.Add(std::make_unique<RecordingPass>("noop", &log));
  auto g = Parse(kInput);
  REQUIRE(pm.Run(*g).ok());
  CHECK(out.str() == std::string("// -----// IR after cse //----- //\n") + kAfterCse +
                         "// -----// IR after noop //----- //\n" + kAfterDce);
}

TEST_CASE("PassManager: an invalid print_ir_after regex is an error before anything runs", "[pass-manager]") {
  PassManagerOptions options;
  options.print_ir_after = "cse(";
  std::vector<std::string> log;
  PassManager pm(options);
  pm.Add(std::make_unique<RecordingPass>("never", &log));
  auto g = Parse(kInput);
  Status s = pm.Run(*g);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("'cse(' is not a valid regular expression"));
  CHECK(log.empty());
}

TEST_CASE("PassManager: dump_dir writes numbered files", "[pass-manager]") {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir = std::filesystem::path(tmp ? tmp : "/tmp") / "pm_dumps" / "nested";
  std::filesystem::remove_all(dir);
  PassManagerOptions options;
  options.dump_dir = dir.string();
  PassManager pm(options);
  pm.Add(std::make_unique<CommonSubexpressionElimination>());
  pm.Add(std::make_unique<DeadCodeElimination>());
  auto g = Parse(kInput);
  REQUIRE(pm.Run(*g).ok());

  auto read = [&](const char* name) {
    std::ifstream in(dir / name);
    INFO(name);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  CHECK(read("00-input.kir") == kInput);
  CHECK(read("01-cse.kir") == kAfterCse);
  CHECK(read("02-dce.kir") == kAfterDce);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
  CHECK(files == 3);
}

TEST_CASE("PassManager: stop_after stops after the named pass", "[pass-manager]") {
  PassManagerOptions options;
  options.stop_after = "cse";
  std::vector<std::string> log;
  PassManager pm(options);
  pm.Add(std::make_unique<RecordingPass>("before", &log));
  pm.Add(std::make_unique<CommonSubexpressionElimination>());
  pm.Add(std::make_unique<DeadCodeElimination>());
  pm.Add(std::make_unique<RecordingPass>("later", &log));
  auto g = Parse(kInput);
  REQUIRE(pm.Run(*g).ok());
  CHECK(log == std::vector<std::string>{"before"});
  CHECK(ir::PrintGraph(*g) == kAfterCse);
}

TEST_CASE("PassManager: stop_after naming no pass is an error before anything runs", "[pass-manager]") {
  PassManagerOptions options;
  options.stop_after = "csee";
  std::vector<std::string> log;
  PassManager pm(options);
  pm.Add(std::make_unique<RecordingPass>("never", &log));
  pm.Add(std::make_unique<CommonSubexpressionElimination>());
  auto g = Parse(kInput);
  Status s = pm.Run(*g);
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK_THAT(s.message(), Catch::Contains("'csee'"));
  CHECK_THAT(s.message(), Catch::Contains("never,cse"));
  CHECK(log.empty());
  CHECK(ir::PrintGraph(*g) == kInput);
}

TEST_CASE("PassManager: an empty pipeline leaves the graph alone", "[pass-manager]") {
  PassManagerOptions options;
  options.verify_each = true;
  PassManager pm(options);
  auto g = Parse(kInput);
  REQUIRE(pm.Run(*g).ok());
  CHECK(ir::PrintGraph(*g) == kInput);
}

}  // namespace
}  // namespace kiln::passes
