// The Winograd convolution route (kernels/conv_winograd.cc, emitters_conv_winograd.cc):
// F(2x2, 3x3) and F(4x4, 3x3) forced on 3x3 stride-1 convs of many shapes (odd sizes, tile
// tails, channel counts that are not a multiple of the vector width, several channel panels
// and K blocks, every padding), with and without bias, with a fused residual add + relu /
// clamp, at batch 1 and 3, for AVX2 and (when the host has it) AVX-512, compared with the
// reference backend; which convs the route accepts; and "auto" on resnet-like layers. The same
// for the channels-last `conv_nhwc` (kernels/conv_winograd_nhwc.cc), written directly as kir.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "codegen/cpu/lowering.h"
#include "passes/fuse_epilogue.h"
#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {


// The largest |got - expected| over every output relative to the largest |expected| (the
// transforms' rounding is relative to the magnitude of the partial sums, not of each output).
double RelativeError(LoadedModel& model, const ir::Graph& g, const std::map<std::string, ir::HostTensor>& inputs) {
  auto want = reference::RunGraph(g, inputs);
  REQUIRE(want.ok());
  auto got = model.Run(inputs);
  REQUIRE(got.ok());
  double diff = 0, scale = 0;
  for (size_t i = 0; i < got->size(); ++i) {
    const ir::HostTensor &a = (*got)[i].second, &b = (*want)[i].second;
    for (int64_t k = 0; k < a.num_elements(); ++k) {
      diff = std::max(diff, std::fabs(a.GetDouble(k) - b.GetDouble(k)));
      scale = std::max(scale, std::fabs(b.GetDouble(k)));
    }
  }
  return diff / std::max(scale, 1e-30);
}

// Compiles `kir` for every CPU level with each algorithm and checks batch 1 and 3 against the
// reference (elementwise, with `tol`) and the error relative to the output's magnitude.
// Returns the worst relative error seen.
double CheckGraph(const std::string& kir, const std::string& name, std::vector<const char*> algos,
                  ir::Tolerance tol = {1e-4, 1e-4}, double max_rel = 2e-6) {
  auto g = ParseWithWeights(kir);
  double worst = 0;
  for (const std::string& cpu : Cpus())
    for (const char* algo : algos) {
      INFO(name << " on " << cpu << ", conv algorithm " << algo);
      CompileOptions o;
      o.name = name;
      o.cpu = cpu;
      o.max_batch = 3;
      o.conv_algorithm = algo;
      o.pipeline = ChannelsFirstPipeline();
      CompileAndCheckBatches(*g, o, tol, 7, [&](LoadedModel& model, const std::map<std::string, ir::HostTensor>& inputs) {
        double rel = RelativeError(model, *g, inputs);
        CHECK(rel < max_rel);
        worst = std::max(worst, rel);
      });
    }
  return worst;
}

std::string ConvKir(const std::string& name, int64_t C, int64_t O, int64_t H, int64_t W, int64_t ph, int64_t pw,
                    bool bias) {
  int64_t OH = H + 2 * ph - 2, OW = W + 2 * pw - 2;
  auto s = [](int64_t v) { return std::to_string(v); };
  std::string kir = "graph " + name + " {\n  input %x : f32[N," + s(C) + "," + s(H) + "," + s(W) + "]\n  param %w : f32[" +
                    s(O) + "," + s(C) + ",3,3]\n";
  if (bias) kir += "  param %b : f32[" + s(O) + "]\n";
  kir += "  %0 = conv(%x, %w" + std::string(bias ? ", %b" : "") + ") {dilation=[1,1], groups=1, padding=[" + s(ph) +
         "," + s(pw) + "], stride=[1,1]} : f32[N," + s(O) + "," + s(OH) + "," + s(OW) + "]\n  output y = %0\n}\n";
  return kir;
}

// The kernels LowerGraph picks for `kir` with `algo` and `vw` floats per vector.
std::vector<std::string> Kernels(const std::string& kir, const std::string& algo, int vw) {
  auto g = ParseWithWeights(kir);
  auto fused = passes::FuseEpilogue().Run(*g);  // epilogues are fused by the pass, not by lowering
  REQUIRE(fused.ok());
  LoweringOptions lo;
  lo.max_batch = 1;
  lo.vector_floats = vw;
  lo.conv_algorithm = algo;
  auto prog = LowerGraph(*g, lo);
  INFO(prog.status().ToString());
  REQUIRE(prog.ok());
  std::vector<std::string> names;
  for (const KernelCall& c : prog->calls) names.push_back(c.kernel);
  return names;
}

bool HasWinograd(const std::vector<std::string>& kernels) {
  for (const std::string& k : kernels)
    if (k.find("winograd_gemm") != std::string::npos) return true;
  return false;
}

bool HasWinogradNhwc(const std::vector<std::string>& kernels) {
  for (const std::string& k : kernels)
    if (k.find("winograd_gemm_nhwc") != std::string::npos) return true;
  return false;
}

// A channels-last 3x3 conv: x [N, H, W, C] -> y [N, OH, OW, O].
std::string ConvNhwcKir(const std::string& name, int64_t C, int64_t O, int64_t H, int64_t W, int64_t ph, int64_t pw,
                        bool bias) {
  int64_t OH = H + 2 * ph - 2, OW = W + 2 * pw - 2;
  auto s = [](int64_t v) { return std::to_string(v); };
  std::string kir = "graph " + name + " {\n  input %x : f32[N," + s(H) + "," + s(W) + "," + s(C) + "]\n  param %w : f32[" +
                    s(O) + "," + s(C) + ",3,3]\n";
  if (bias) kir += "  param %b : f32[" + s(O) + "]\n";
  kir += "  %0 = conv_nhwc(%x, %w" + std::string(bias ? ", %b" : "") + ") {dilation=[1,1], groups=1, padding=[" + s(ph) +
         "," + s(pw) + "], stride=[1,1]} : f32[N," + s(OH) + "," + s(OW) + "," + s(O) + "]\n  output y = %0\n}\n";
  return kir;
}

TEST_CASE("winograd F(2x2,3x3) and F(4x4,3x3): shapes, tails, padding and bias match the reference") {
  struct Case {
    std::string name;
    int64_t C, O, H, W, ph, pw;
    bool bias;
  };
  std::vector<Case> cases = {
      {"w_small", 8, 16, 9, 11, 1, 1, true},       // odd sizes: partial tiles at both edges
      {"w_tails", 5, 13, 12, 9, 1, 1, false},      // channels below one vector
      {"w_nopad", 7, 20, 10, 13, 0, 0, true},      // no padding
      {"w_pad2", 3, 17, 6, 7, 2, 2, true},         // padding wider than the taps' reach
      {"w_asym", 6, 9, 7, 15, 0, 2, false},        // padding on one axis only
      {"w_wide", 4, 24, 5, 70, 1, 1, true},        // several vectors of tiles per row
      {"w_tiny", 2, 3, 3, 3, 1, 1, true},          // one tile
      {"w_1x1out", 3, 5, 3, 3, 0, 0, false},       // a 1x1 output
      {"w_panels", 16, 136, 8, 8, 1, 1, true},     // several channel panels and a tail panel
      {"w_kblocks", 300, 40, 6, 7, 1, 1, true},    // several K blocks (partial sums in the stage)
      {"w_manytiles", 8, 32, 31, 29, 1, 1, true},  // many tile groups split over tasks
  };
  double worst2 = 0, worst4 = 0;
  for (const Case& c : cases) {
    std::string kir = ConvKir(c.name, c.C, c.O, c.H, c.W, c.ph, c.pw, c.bias);
    INFO(kir);
    worst2 = std::max(worst2, CheckGraph(kir, c.name, {"winograd-f2"}));
    // F(4x4, 3x3) rounds ~15x worse: near-zero outputs of 300-channel sums miss 1e-4.
    worst4 = std::max(worst4, CheckGraph(kir, c.name, {"winograd-f4"}, {1e-3, 2e-3}, 3e-5));
    // The forced route really is Winograd, for both vector widths.
    CHECK(HasWinograd(Kernels(kir, "winograd", 16)));
    CHECK(HasWinograd(Kernels(kir, "winograd", 8)));
  }
  std::printf("winograd max error / max |y|: F(2x2,3x3) %.2e, F(4x4,3x3) %.2e\n", worst2, worst4);
}

TEST_CASE("winograd with a fused residual add + relu, and clamp, is one kernel pair per conv") {
  const char* kResidual = R"(graph wres {
  input %x : f32[N,8,13,11]
  param %w1 : f32[8,8,3,3]
  param %b1 : f32[8]
  param %w2 : f32[8,8,3,3]
  %0 = conv(%x, %w1, %b1) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,8,13,11]
  %1 = relu(%0) : f32[N,8,13,11]
  %2 = conv(%1, %w2) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,8,13,11]
  %3 = add(%2, %x) : f32[N,8,13,11]
  %4 = relu(%3) : f32[N,8,13,11]
  %5 = conv(%4, %w2) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,8,13,11]
  %6 = clamp(%5) {max=6.0, min=0.0} : f32[N,8,13,11]
  output y = %6
}
)";
  // The clamp caps the output far below the intermediates' magnitude: only the elementwise
  // tolerance means something here.
  CheckGraph(kResidual, "wres", {"winograd-f2", "winograd", "auto"}, {1e-4, 1e-4}, 1.0);
  CheckGraph(kResidual, "wres", {"winograd-f4"}, {1e-3, 2e-3}, 1.0);
  // conv1 + relu, conv2 + add + relu, conv3 + clamp: an input transform and a GEMM each.
  std::vector<std::string> k = Kernels(kResidual, "winograd", 16);
  CHECK(k.size() == 6);
  for (const std::string& name : k) CHECK(name.find("winograd") != std::string::npos);
}

TEST_CASE("winograd declines what it cannot compute; the other routes take those convs") {
  auto s = [](int64_t v) { return std::to_string(v); };
  auto conv = [&](const std::string& k, const std::string& stride, const std::string& dil, int64_t groups) {
    return "graph d {\n  input %x : f32[N,8,12,12]\n  param %w : f32[8," + s(8 / groups) + "," + k +
           "]\n  %0 = conv(%x, %w) {dilation=[" + dil + "], groups=" + s(groups) + ", padding=[1,1], stride=[" + stride +
           "]} : f32[N,8,?,?]\n  output y = %0\n}\n";
  };
  // Output sizes: 5x5 pad 1 -> 10, stride 2 -> 6, dilation 2 -> 10.
  for (auto [kir, name] : std::vector<std::pair<std::string, std::string>>{
           {conv("5,5", "1,1", "1,1", 1), "k5"},
           {conv("3,3", "2,2", "1,1", 1), "s2"},
           {conv("3,3", "1,1", "2,2", 1), "dil2"},
           {conv("3,3", "1,1", "1,1", 2), "groups"}}) {
    std::string out = name == "s2" ? "6,6" : name == "k5" || name == "dil2" ? "10,10" : "12,12";
    size_t q = kir.find("?,?");
    kir.replace(q, 3, out);
    INFO(kir);
    CHECK(!HasWinograd(Kernels(kir, "winograd", 16)));
    CheckGraph(kir, name, {"winograd"});
  }
}

TEST_CASE("auto picks winograd for resnet-like 3x3 layers and the result matches") {
  // 64 channels at 28x28: many tiles, few weights; the cost model takes Winograd.
  std::string kir = ConvKir("w_auto", 64, 64, 28, 28, 1, 1, true);
  CHECK(HasWinograd(Kernels(kir, "auto", 16)));
  CHECK(!HasWinograd(Kernels(kir, "direct", 16)));
  CHECK(!HasWinograd(Kernels(kir, "gemm", 16)));
  CheckGraph(kir, "w_auto", {"auto"});
  // A 1x1 output is one 4x4 tile: 16 products per input channel where the direct conv needs 9.
  std::string one = ConvKir("w_one", 64, 64, 3, 3, 0, 0, false);
  CHECK(!HasWinograd(Kernels(one, "auto", 16)));
  CHECK(HasWinograd(Kernels(one, "winograd", 16)));
}

TEST_CASE("winograd conv_nhwc F(2x2,3x3) and F(4x4,3x3): shapes, tails, padding and bias match the reference") {
  struct Case {
    std::string name;
    int64_t C, O, H, W, ph, pw;
    bool bias;
  };
  std::vector<Case> cases = {
      {"wn_small", 16, 16, 9, 11, 1, 1, true},      // odd sizes: partial tiles at both edges
      {"wn_tails", 5, 13, 12, 9, 1, 1, false},      // channels below one vector (input and output)
      {"wn_ctail", 21, 37, 7, 8, 1, 1, true},       // a vector plus a tail, both sides
      {"wn_nopad", 7, 20, 10, 13, 0, 0, true},      // no padding
      {"wn_pad2", 3, 17, 6, 7, 2, 2, true},         // padding wider than the taps' reach
      {"wn_asym", 6, 9, 7, 15, 0, 2, false},        // padding on one axis only
      {"wn_tiny", 2, 3, 3, 3, 1, 1, true},          // one tile
      {"wn_1x1out", 3, 5, 3, 3, 0, 0, false},       // a 1x1 output
      {"wn_panels", 16, 136, 8, 8, 1, 1, true},     // several channel panels and a tail panel
      {"wn_kblocks", 300, 40, 6, 7, 1, 1, true},    // several K blocks (partial sums in the stage)
      {"wn_manytiles", 8, 32, 31, 29, 1, 1, true},  // many tile groups split over tasks
  };
  double worst2 = 0, worst4 = 0;
  for (const Case& c : cases) {
    std::string kir = ConvNhwcKir(c.name, c.C, c.O, c.H, c.W, c.ph, c.pw, c.bias);
    INFO(kir);
    worst2 = std::max(worst2, CheckGraph(kir, c.name, {"winograd-f2"}));
    worst4 = std::max(worst4, CheckGraph(kir, c.name, {"winograd-f4"}, {1e-3, 2e-3}, 3e-5));
    CHECK(HasWinogradNhwc(Kernels(kir, "winograd", 16)));
    CHECK(HasWinogradNhwc(Kernels(kir, "winograd", 8)));
    CHECK(HasWinogradNhwc(Kernels(kir, "winograd-f4", 16)));
  }
  std::printf("winograd conv_nhwc max error / max |y|: F(2x2,3x3) %.2e, F(4x4,3x3) %.2e\n", worst2, worst4);
}

TEST_CASE("winograd conv_nhwc with a fused residual add + relu, and clamp") {
  // %r is computed before the second conv and has its layout: fuse-epilogue fuses add + relu.
  const char* kResidual = R"(graph wnres {
  input %x : f32[N,13,11,20]
  param %w1 : f32[20,20,3,3]
  param %b1 : f32[20]
  param %w2 : f32[20,20,3,3]
  %0 = conv_nhwc(%x, %w1, %b1) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,13,11,20]
  %1 = relu(%0) : f32[N,13,11,20]
  %2 = conv_nhwc(%1, %w2) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,13,11,20]
  %3 = add(%2, %x) : f32[N,13,11,20]
  %4 = relu(%3) : f32[N,13,11,20]
  %5 = conv_nhwc(%4, %w2, %b1) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,13,11,20]
  %6 = clamp(%5) {max=6.0, min=0.0} : f32[N,13,11,20]
  output y = %6
}
)";
  // Three chained 20-channel convs: the intermediates reach ~1e2, and the transforms' rounding
  // is relative to them (F(2x2) misses 1e-4 by ~1.5x on a few outputs; the direct conv does not).
  CheckGraph(kResidual, "wnres", {"winograd-f2", "winograd", "auto"}, {3e-4, 3e-4}, 1.0);
  CheckGraph(kResidual, "wnres", {"winograd-f4"}, {2e-3, 4e-3}, 1.0);
  CheckGraph(kResidual, "wnres", {"direct"}, {1e-4, 1e-4}, 1.0);
  // conv1 + relu, conv2 + add + relu, conv3 + clamp: an input transform and a GEMM each.
  for (int vw : {16, 8}) {
    std::vector<std::string> k = Kernels(kResidual, "winograd", vw);
    CHECK(k.size() == 6);
    for (const std::string& name : k) CHECK(name.find("winograd") != std::string::npos);
  }
}

TEST_CASE("winograd conv_nhwc: the route declines other convs, gemm / direct force the direct conv") {
  auto s = [](int64_t v) { return std::to_string(v); };
  auto conv = [&](const std::string& k, const std::string& stride, const std::string& dil, int64_t groups,
                  const std::string& out) {
    return "graph d {\n  input %x : f32[N,12,12,8]\n  param %w : f32[8," + s(8 / groups) + "," + k +
           "]\n  %0 = conv_nhwc(%x, %w) {dilation=[" + dil + "], groups=" + s(groups) + ", padding=[1,1], stride=[" +
           stride + "]} : f32[N," + out + ",8]\n  output y = %0\n}\n";
  };
  for (auto [kir, name] : std::vector<std::pair<std::string, std::string>>{
           {conv("5,5", "1,1", "1,1", 1, "10,10"), "k5"},
           {conv("3,3", "2,2", "1,1", 1, "6,6"), "s2"},
           {conv("3,3", "1,1", "2,2", 1, "10,10"), "dil2"},
           {conv("3,3", "1,1", "1,1", 8, "12,12"), "dw"}}) {
    INFO(kir);
    CHECK(!HasWinograd(Kernels(kir, "winograd", 16)));
    CheckGraph(kir, name, {"winograd", "auto"});
  }
  // 64 channels at 14x14: "auto" takes F(2x2, 3x3); "direct" / "gemm" keep the direct conv.
  std::string kir = ConvNhwcKir("wn_force", 64, 64, 14, 14, 1, 1, true);
  for (int vw : {16, 8}) {
    std::vector<std::string> k = Kernels(kir, "auto", vw);
    CHECK(HasWinogradNhwc(k));
    CHECK(std::find(k.begin(), k.end(), "winograd_in_nhwc_f32_v" + std::to_string(vw) + "_m2") != k.end());
  }
  CHECK(!HasWinograd(Kernels(kir, "direct", 16)));
  CHECK(!HasWinograd(Kernels(kir, "gemm", 16)));
  CheckGraph(kir, "wn_force", {"auto", "direct"});
  // At 28x28 and more, channels-last "auto" takes F(4x4, 3x3); "winograd" still means F(2x2).
  std::string big = ConvNhwcKir("wn_big", 64, 64, 28, 28, 1, 1, true);
  std::vector<std::string> k4 = Kernels(big, "auto", 16), k2 = Kernels(big, "winograd", 16);
  CHECK(std::find(k4.begin(), k4.end(), "winograd_in_nhwc_f32_v16_m4") != k4.end());
  CHECK(std::find(k2.begin(), k2.end(), "winograd_in_nhwc_f32_v16_m2") != k2.end());
  CheckGraph(big, "wn_big", {"auto"}, {1e-3, 2e-3}, 3e-5);
  // A 1x1 output is one 4x4 tile: 16 products per input channel where the direct conv needs 9.
  std::string one = ConvNhwcKir("wn_one", 64, 64, 3, 3, 0, 0, false);
  CHECK(!HasWinograd(Kernels(one, "auto", 16)));
  CHECK(HasWinogradNhwc(Kernels(one, "winograd", 16)));
}

}  // namespace
}  // namespace kiln::cpu::testing
