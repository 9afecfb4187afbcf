// The packed convolution / GEMM kernels (kernels/conv_gemm.cc), the direct convolution
// (kernels/conv_direct.cc) and epilogue fusion (the fuse-epilogue pass): many conv geometries
// and fused chains, compiled for AVX2 (x86-64-v3) and, when the host has AVX-512, for
// x86-64-v4 (other register tiles), with each conv algorithm, compared with the reference.
#include <catch2/catch.hpp>

#include "tests/codegen/cpu_test_util.h"

namespace kiln::cpu::testing {
namespace {


// Compiles `kir` for every CPU level with each conv algorithm (the implicit GEMM and the direct
// conv forced on every 2-d conv, channels-first; and the default pipeline, channels-last when
// the layout pass applies) and checks batch 1 and 3 against the reference. Returns the kernel
// call count of the last implicit-GEMM artifact.
size_t CheckGraph(const std::string& kir, const std::string& name, ir::Tolerance tol = {}) {
  auto g = ParseWithWeights(kir);
  size_t calls = 0;
  for (const std::string& cpu : Cpus()) for (const char* algo : {"gemm", "direct", "layout"}) {
    INFO(name << " on " << cpu << ", conv algorithm " << algo);
    CompileOptions o;
    o.name = name;
    o.cpu = cpu;
    o.max_batch = 3;
    // "layout": the default pipeline, whose layout pass moves graphs of two convs or more to
    // the channels-last kernels; the others keep the channels-first kernels under test.
    if (std::string(algo) != "layout") {
      o.conv_algorithm = algo;
      o.pipeline = ChannelsFirstPipeline();
    }
    CompiledArtifact art = CompileAndCheckBatches(*g, o, tol, 11);
    if (std::string(algo) == "gemm") calls = art.num_kernel_calls;
  }
  return calls;
}

std::string Ints(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

struct ConvCase {
  std::string name;
  int64_t C, O, groups;
  std::vector<int64_t> in, k, stride, pad, dil;
  bool bias;
};

std::string ConvKir(const ConvCase& c) {
  size_t nd = c.in.size();
  std::vector<int64_t> out;
  for (size_t d = 0; d < nd; ++d) out.push_back((c.in[d] + 2 * c.pad[d] - c.dil[d] * (c.k[d] - 1) - 1) / c.stride[d] + 1);
  auto dims = [&](int64_t ch, const std::vector<int64_t>& sp) {
    std::string s = "N," + std::to_string(ch);
    for (int64_t v : sp) s += "," + std::to_string(v);
    return s;
  };
  std::string w = std::to_string(c.O) + "," + std::to_string(c.C / c.groups);
  for (int64_t v : c.k) w += "," + std::to_string(v);
  std::string kir = "graph " + c.name + " {\n  input %x : f32[" + dims(c.C, c.in) + "]\n  param %w : f32[" + w + "]\n";
  if (c.bias) kir += "  param %b : f32[" + std::to_string(c.O) + "]\n";
  kir += "  %0 = conv(%x, %w" + std::string(c.bias ? ", %b" : "") + ") {dilation=" + Ints(c.dil) +
         ", groups=" + std::to_string(c.groups) + ", padding=" + Ints(c.pad) + ", stride=" + Ints(c.stride) +
         "} : f32[" + dims(c.O, out) + "]\n  output y = %0\n}\n";
  return kir;
}

TEST_CASE("packed conv: geometries, groups, depthwise, tails and K blocks match the reference") {
  std::vector<ConvCase> cases = {
      {"c3x3", 8, 16, 1, {9, 11}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},
      {"c3x3s2", 5, 13, 1, {12, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false},
      {"c7x7s2", 3, 10, 1, {23, 23}, {7, 7}, {2, 2}, {3, 3}, {1, 1}, true},
      {"c1x1", 24, 40, 1, {7, 7}, {1, 1}, {1, 1}, {0, 0}, {1, 1}, true},
      {"c1x1s2", 16, 24, 1, {10, 10}, {1, 1}, {2, 2}, {0, 0}, {1, 1}, true},
      {"cdil", 4, 6, 1, {15, 14}, {3, 3}, {1, 2}, {2, 2}, {2, 3}, true},
      {"cgroups", 8, 12, 4, {10, 10}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},
      {"cdw", 12, 12, 12, {13, 13}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},
      {"cdws2", 10, 10, 10, {14, 15}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false},
      {"cdwmult", 4, 8, 4, {9, 9}, {5, 5}, {1, 1}, {2, 2}, {1, 1}, true},
      {"cbigk", 300, 20, 1, {6, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},  // several K blocks
      {"cwide", 3, 9, 1, {5, 130}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},
      {"c1d", 6, 10, 1, {33}, {5}, {2}, {2}, {1}, true},
      {"c3d", 3, 5, 1, {5, 6, 7}, {3, 3, 3}, {1, 2, 1}, {1, 1, 1}, {1, 1, 1}, true},
      {"cpadbig", 2, 3, 1, {4, 4}, {3, 3}, {1, 1}, {3, 3}, {1, 1}, true},
      // depthwise fast path: 8-column blocks (x4, x2, x1 and a tail), 5x5, stride 2, no padding
      {"cdwwide", 3, 3, 3, {5, 61}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},
      {"cdwwides2", 3, 3, 3, {7, 83}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true},
      {"cdw7", 6, 6, 6, {7, 7}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, true},
      {"cdw5s2", 4, 8, 4, {12, 21}, {5, 5}, {2, 2}, {2, 2}, {1, 1}, true},
      {"cdwnopad", 5, 5, 5, {10, 17}, {3, 3}, {2, 2}, {0, 0}, {1, 1}, false},
      {"cdwpadh", 5, 5, 5, {6, 9}, {3, 3}, {1, 1}, {2, 0}, {1, 1}, true},
  };
  for (const ConvCase& c : cases) {
    INFO(ConvKir(c));
    CheckGraph(ConvKir(c), c.name, ir::Tolerance{1e-4, 1e-4});
  }
}

TEST_CASE("epilogue fusion: conv + residual add + relu, and conv + clamp, are one kernel each") {
  const char* kResidual = R"(graph res {
  input %x : f32[N,8,10,10]
  param %w1 : f32[8,8,3,3]
  param %b1 : f32[8]
  param %w2 : f32[8,8,3,3]
  param %wd : f32[8,8,1,1]
  %0 = conv(%x, %w1, %b1) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,8,10,10]
  %1 = relu(%0) : f32[N,8,10,10]
  %2 = conv(%1, %w2) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,8,10,10]
  %3 = conv(%x, %wd) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,8,10,10]
  %4 = add(%2, %3) : f32[N,8,10,10]
  %5 = relu(%4) : f32[N,8,10,10]
  %6 = add(%x, %5) : f32[N,8,10,10]
  %7 = clamp(%6) {max=1.5, min=0.0} : f32[N,8,10,10]
  output y = %7
}
)";
  // conv1+relu, conv2, downsample+add(conv2)+relu, then add+clamp stays out of the epilogue (its
  // inputs are not a conv) and fuse-elementwise makes it one fused_elementwise kernel.
  CHECK(CheckGraph(kResidual, "res") == 4);

  const char* kMobile = R"(graph mb {
  input %x : f32[N,6,9,9]
  param %we : f32[12,6,1,1]
  param %wd : f32[12,1,3,3]
  param %bd : f32[12]
  param %wp : f32[6,12,1,1]
  %0 = conv(%x, %we) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,12,9,9]
  %1 = clamp(%0) {max=6.0, min=0.0} : f32[N,12,9,9]
  %2 = conv(%1, %wd, %bd) {dilation=[1,1], groups=12, padding=[1,1], stride=[1,1]} : f32[N,12,9,9]
  %3 = clamp(%2) {max=6.0, min=0.0} : f32[N,12,9,9]
  %4 = conv(%3, %wp) {dilation=[1,1], groups=1, padding=[0,0], stride=[1,1]} : f32[N,6,9,9]
  %5 = add(%x, %4) : f32[N,6,9,9]
  output y = %5
}
)";
  CHECK(CheckGraph(kMobile, "mb") == 3);
}

TEST_CASE("epilogue fusion stops at values used twice or returned") {
  const char* kShared = R"(graph sh {
  input %x : f32[N,4,6,6]
  param %w : f32[4,4,3,3]
  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %1 = relu(%0) : f32[N,4,6,6]
  %2 = add(%0, %1) : f32[N,4,6,6]
  %3 = conv(%2, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[N,4,6,6]
  %4 = relu(%3) : f32[N,4,6,6]
  output y = %4
  output pre = %3
}
)";
  // conv, relu+add (no epilogue: %0 has two uses; fused by fuse-elementwise), conv, relu (%3
  // is an output).
  CHECK(CheckGraph(kShared, "sh") == 4);
}

TEST_CASE("packed GEMM: linear + relu / clamp and matmul by a constant, tails and batch 1") {
  const char* kLinear = R"(graph lin {
  input %x : f32[N,2,37]
  param %w1 : f32[70,37]
  param %b1 : f32[70]
  param %w2 : f32[5,70]
  param %m : f32[5,33]
  %0 = linear(%x, %w1, %b1) : f32[N,2,70]
  %1 = relu(%0) : f32[N,2,70]
  %2 = linear(%1, %w2) : f32[N,2,5]
  %3 = clamp(%2) {max=0.5, min=-0.5} : f32[N,2,5]
  %4 = matmul(%3, %m) : f32[N,2,33]
  output y = %4
}
)";
  CHECK(CheckGraph(kLinear, "lin") == 3);
  const char* kBig = R"(graph big {
  input %a : f32[N,50,700]
  param %b : f32[700,90]
  %0 = matmul(%a, %b) : f32[N,50,90]
  output y = %0
}
)";
  CheckGraph(kBig, "big", ir::Tolerance{1e-4, 1e-4});
  // A narrow output (the 24-row tile) with K = 700: the packed A block (kc x 24) must still fit
  // the kernel's stack buffer (kc is capped for it).
  const char* kNarrow = R"(graph narrow {
  input %a : f32[N,40,700]
  param %b : f32[10,700]
  param %w : f32[300,700]
  %0 = linear(%a, %b) : f32[N,40,10]
  %1 = linear(%a, %w) : f32[N,40,300]
  output y = %0
  output z = %1
}
)";
  CheckGraph(kNarrow, "narrow", ir::Tolerance{1e-4, 1e-4});
}

TEST_CASE("depthwise conv + residual add + relu6 fused, and max pool 3x3 stride 2, match the reference") {
  const char* kDw = R"(graph dwres {
  input %x : f32[N,16,19,37]
  param %wd : f32[16,1,3,3]
  param %bd : f32[16]
  %0 = conv(%x, %wd, %bd) {dilation=[1,1], groups=16, padding=[1,1], stride=[1,1]} : f32[N,16,19,37]
  %1 = add(%0, %x) : f32[N,16,19,37]
  %2 = clamp(%1) {max=0.5, min=-0.25} : f32[N,16,19,37]
  output y = %2
}
)";
  CHECK(CheckGraph(kDw, "dwres", ir::Tolerance{1e-4, 1e-4}) == 1);
  for (const char* shape : {"N,3,17,35:N,3,9,18:false:1", "N,2,8,8:N,2,4,4:false:1", "N,2,12,46:N,2,7,24:true:1",
                            "N,2,10,10:N,2,4,4:false:0", "N,2,112,112:N,2,56,56:false:1"}) {
    std::string sv = shape;
    size_t a = sv.find(':'), b2 = sv.find(':', a + 1), c = sv.find(':', b2 + 1);
    std::string kir = "graph mp {\n  input %x : f32[" + sv.substr(0, a) + "]\n  %0 = max_pool(%x) {ceil_mode=" +
                      sv.substr(b2 + 1, c - b2 - 1) +
                      ", dilation=[1,1], kernel_size=[3,3], padding=[" + sv.substr(c + 1) + "," + sv.substr(c + 1) +
                      "], stride=[2,2]} : f32[" + sv.substr(a + 1, b2 - a - 1) + "]\n  output y = %0\n}\n";
    INFO(kir);
    CheckGraph(kir, "mp");
  }
}

TEST_CASE("transposed conv: the GEMM + col2im route and the scatter kernel match the reference") {
  // "gemm" keeps the scatter kernel; "direct" and the default take the GEMM + col2im route.
  const char* kDcgan = R"(graph ct {
  input %x : f32[N,24,5,6]
  param %w : f32[24,20,4,4]
  param %b : f32[20]
  %0 = conv_transpose(%x, %w, %b) {dilation=[1,1], groups=1, output_padding=[0,0], padding=[1,1], stride=[2,2]} : f32[N,20,10,12]
  %1 = relu(%0) : f32[N,20,10,12]
  output y = %1
}
)";
  CHECK(CheckGraph(kDcgan, "ct", ir::Tolerance{1e-4, 1e-4}) == 2);
}

}  // namespace
}  // namespace kiln::cpu::testing
