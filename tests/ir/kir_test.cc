// The .kir text form: exact round trips, printing API-built graphs, and malformed input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/kir.h"
#include "ir/verifier.h"

using kiln::StatusCode;
using namespace kiln::ir;

namespace {

const char* const kMlp =
    "graph mlp {\n"
    "  input %input : f32[N,1,28,28]\n"
    "  param %0.weight : f32[512,784]\n"
    "  param %0.bias : f32[512]\n"
    "  param %2.weight : f32[10,512]\n"
    "  param %2.bias : f32[10]\n"
    "  %0 = reshape(%input) {shape=[-1,784]} : f32[N,784]\n"
    "  %1 = linear(%0, %0.weight, %0.bias) : f32[N,512] @0\n"
    "  %2 = relu(%1) : f32[N,512] @1\n"
    "  %3 = linear(%2, %2.weight, %2.bias) : f32[N,10] @2\n"
    "  output output = %3\n"
    "}\n";

// Every attribute kind the op table uses (int, float, bool, dtype, ints, floats), extreme
// integers and floats, scalars, zero operands and several outputs.
const char* const kAllKinds =
    "graph kinds {\n"
    "  input %x : f32[2,3,8,8]\n"
    "  param %w : f32[4,3,3,3]\n"
    "  %0 = conv(%x, %w) {dilation=[1,1], groups=1, padding=[1,1], stride=[1,1]} : f32[2,4,8,8]\n"
    "  %1 = clamp(%0) {max=6.5, min=-0.002} : f32[2,4,8,8]\n"
    "  %2 = max_pool(%1) {ceil_mode=true, dilation=[1,1], kernel_size=[2,2], padding=[0,0], stride=[2,2]} : "
    "f32[2,4,4,4]\n"
    "  %3 = cast(%2) {dtype=f64} : f64[2,4,4,4]\n"
    "  %4 = softmax(%3) {dim=-1} : f64[2,4,4,4]\n"
    "  %5 = constant() {dtype=f32, shape=[], value=[nan]} : f32[]\n"
    "  %6 = constant() {dtype=f32, shape=[6], value=[0.5,1.0,-inf,inf,1e+300,5e-324]} : f32[6]\n"
    "  %7 = constant() {dtype=bool, shape=[0], value=[]} : bool[0]\n"
    "  %8 = slice(%x) {dim=3, end=-9223372036854775808, start=9223372036854775807, step=1} : f32[2,3,8,0]\n"
    "  %9 = clamp(%x) {max=0.1, min=-0.0} : f32[2,3,8,8]\n"
    "  output out = %4\n"
    "  output scalar = %5\n"
    "  output c = %6\n"
    "  output again = %4\n"
    "}\n";

// Quoted names and locations, escapes, named results mixed with numbered ones.
const char* const kQuoted =
    "graph \"my graph\" {\n"
    "  input %\"my input\" : f32[batch,T]\n"
    "  param %\"w\\\"eird\\\\name\\x01\\t\" : i64[4]\n"
    "  %\"a b\" = relu(%\"my input\") : f32[batch,T] @\"layer 1/\\\"x\\\"\\n\"\n"
    "  %0 = neg(%\"a b\") : f32[batch,T] @layer1.0.conv1\n"
    "  %named.result_2 = add(%0, %\"a b\") : f32[batch,T] @\"\xff\xfe\"\n"
    "  %1 = sign(%\"w\\\"eird\\\\name\\x01\\t\") : i64[4]\n"
    "  output \"out put\" = %named.result_2\n"
    "  output b = %1\n"
    "}\n";

std::unique_ptr<Graph> MustParse(const std::string& text) {
  auto g = ParseGraph(text);
  INFO("text:\n" << text << "\nstatus: " << g.status().ToString());
  REQUIRE(g.ok());
  return std::move(g).value();
}

void CheckRoundTrip(const std::string& text) {
  std::unique_ptr<Graph> g = MustParse(text);
  std::string printed = PrintGraph(*g);
  INFO("expected:\n" << text << "printed:\n" << printed);
  REQUIRE(printed == text);
  // And once more from the printed text.
  REQUIRE(PrintGraph(*MustParse(printed)) == text);
}

}  // namespace

TEST_CASE("kir: canonical texts round-trip byte for byte") {
  CheckRoundTrip(kMlp);
  CheckRoundTrip(kAllKinds);
  CheckRoundTrip(kQuoted);
  CheckRoundTrip("graph empty {\n}\n");
}

TEST_CASE("kir: parsed values carry names, types, attributes and locations") {
  auto g = MustParse(kAllKinds);
  REQUIRE(g->name() == "kinds");
  REQUIRE(g->inputs().size() == 1);
  REQUIRE(g->params().size() == 1);
  REQUIRE(g->num_nodes() == 10);
  REQUIRE(g->outputs().size() == 4);
  REQUIRE(g->outputs()[3].value == g->outputs()[0].value);
  std::vector<Node*> nodes = g->nodes();
  for (Node* n : nodes) CHECK(n->result()->name().empty());
  CHECK(nodes[0]->attrs().ints("stride") == std::vector<int64_t>{1, 1});
  CHECK(nodes[1]->attrs().f("min") == -0.002);
  CHECK(nodes[1]->attrs().f("max") == 6.5);
  CHECK(nodes[2]->attrs().b("ceil_mode"));
  CHECK(nodes[3]->attrs().dtype("dtype") == DType::kF64);
  CHECK(nodes[4]->attrs().i("dim") == -1);
  CHECK(std::isnan(nodes[5]->attrs().floats("value").at(0)));
  CHECK(nodes[5]->result()->type().shape.rank() == 0);
  std::vector<double> v = nodes[6]->attrs().floats("value");
  REQUIRE(v.size() == 6);
  CHECK(v[2] == -std::numeric_limits<double>::infinity());
  CHECK(v[5] == 5e-324);
  CHECK(nodes[7]->attrs().floats("value").empty());
  CHECK(nodes[8]->attrs().i("end") == std::numeric_limits<int64_t>::min());
  CHECK(nodes[8]->attrs().i("start") == std::numeric_limits<int64_t>::max());
  CHECK(std::signbit(nodes[9]->attrs().f("min")));

  auto q = MustParse(kQuoted);
  REQUIRE(q->name() == "my graph");
  CHECK(q->inputs()[0]->name() == "my input");
  CHECK(q->inputs()[0]->type().shape.dim(0).symbol() == "batch");
  CHECK(q->params()[0]->name() == std::string("w\"eird\\name\x01\t"));
  std::vector<Node*> qn = q->nodes();
  CHECK(qn[0]->result()->name() == "a b");
  CHECK(qn[0]->loc() == "layer 1/\"x\"\n");
  CHECK(qn[1]->result()->name().empty());
  CHECK(qn[1]->loc() == "layer1.0.conv1");
  CHECK(qn[2]->result()->name() == "named.result_2");
  CHECK(qn[2]->loc() == "\xff\xfe");
  CHECK(qn[3]->loc().empty());
  CHECK(q->outputs()[0].name == "out put");
}

TEST_CASE("kir: comments, whitespace and spelling variants print the canonical text") {
  const std::string canonical = kMlp;
  const std::vector<std::string> variants = {
      // comments everywhere, CRLF line ends, tabs, no indentation
      "# a model\r\n# second comment\r\ngraph mlp{#c\r\ninput %input:f32[ N , 1,28 ,28 ]\r\n"
      "\tparam %0.weight : f32[512,784]   # trailing\r\nparam %0.bias : f32[512]\r\n"
      "param %2.weight:f32[10,512]\nparam %2.bias:f32[10]\n"
      "%0=reshape( %input ){ shape = [ -1 , 784 ] }:f32[N,784]\n"
      "%1 = linear(%0,%0.weight,%0.bias):f32[N,512]@0\n"
      "%2 = relu(%1) : f32[N,512] @\"1\"\n"
      "%3 = linear(%2, %2.weight, %2.bias) : f32[N,10] @2 output output=%3}# end\n",
      // everything on one line, results numbered out of order, quoted spellings of bare names
      "graph \"mlp\" { input %\"input\" : f32[N,1,28,28] param %0.weight : f32[512,784] "
      "param %0.bias : f32[512] param %2.weight : f32[10,512] param %2.bias : f32[10] "
      "%17 = reshape(%input) {shape=[-1,784]} : f32[N,784] "
      "%\"5\" = linear(%17, %0.weight, %0.bias) : f32[N,512] @0 "
      "%003 = relu(%5) : f32[N,512] @1 %1 = linear(%003, %2.weight, %2.bias) : f32[N,10] @2 "
      "output \"output\" = %1 }",
      // an empty quoted location is no location
      "graph mlp {\n  input %input : f32[N,1,28,28]\n  param %0.weight : f32[512,784]\n"
      "  param %0.bias : f32[512]\n  param %2.weight : f32[10,512]\n  param %2.bias : f32[10]\n"
      "  %0 = reshape(%input) {shape=[-1,784]} : f32[N,784] @\"\"\n"
      "  %1 = linear(%0, %0.weight, %0.bias) : f32[N,512] @0\n  %2 = relu(%1) : f32[N,512] @1\n"
      "  %3 = linear(%2, %2.weight, %2.bias) : f32[N,10] @2\n  output output = %3\n}\n",
  };
  for (const std::string& text : variants) {
    std::unique_ptr<Graph> g = MustParse(text);
    INFO("variant:\n" << text);
    REQUIRE(PrintGraph(*g) == canonical);
  }

  // Defaults are filled in, attributes may come in any order, integers are accepted for
  // floats, and an empty attribute list is allowed.
  std::unique_ptr<Graph> g = MustParse(
      "graph g {\n input %x : f32[1,1,4,4]\n"
      " %0 = max_pool(%x) {stride=[2,2], padding=[0,0], kernel_size=[2,2], dilation=[1,1]} : f32[1,1,2,2]\n"
      " %1 = clamp(%0) {min=1, max=-3} : f32[1,1,2,2]\n"
      " %2 = relu(%1) {} : f32[1,1,2,2]\n"
      " output y = %2\n}\n");
  REQUIRE(PrintGraph(*g) ==
          "graph g {\n  input %x : f32[1,1,4,4]\n"
          "  %0 = max_pool(%x) {ceil_mode=false, dilation=[1,1], kernel_size=[2,2], padding=[0,0], stride=[2,2]} : "
          "f32[1,1,2,2]\n"
          "  %1 = clamp(%0) {max=-3.0, min=1.0} : f32[1,1,2,2]\n"
          "  %2 = relu(%1) : f32[1,1,2,2]\n"
          "  output y = %2\n}\n");
}

TEST_CASE("kir: a graph built through the API prints as expected") {
  Graph g("net");
  Value* x = g.AddInput("x", TensorType{DType::kF32, Shape({Dim::Symbolic("N"), 8})});
  Value* w = g.AddParam("fc.weight", TensorType{DType::kF32, Shape({4, 8})});
  Value* b = g.AddParam("fc.bias", TensorType{DType::kF32, Shape({4})});
  auto fc = g.AddNodeInferred(OpKind::Linear, {x, w, b}, {}, "fc");
  REQUIRE(fc.ok());
  auto act = g.AddNodeInferred(OpKind::Relu, {(*fc)->result()}, {});
  REQUIRE(act.ok());
  (*act)->result()->set_name("hidden");
  auto sm = g.AddNodeInferred(OpKind::Softmax, {(*act)->result()}, Attrs{{"dim", int64_t{1}}}, "head.softmax");
  REQUIRE(sm.ok());
  (*sm)->result()->set_name("42");  // a plain number is not a name: it prints as the next number
  auto sum = g.AddNodeInferred(OpKind::ReduceSum, {(*sm)->result()}, Attrs{{"dims", std::vector<int64_t>{}}},
                               "head sum");
  REQUIRE(sum.ok());
  g.AddOutput("probs", (*sm)->result());
  g.AddOutput("total", (*sum)->result());
  REQUIRE(Verify(g).ok());

  const std::string expected =
      "graph net {\n"
      "  input %x : f32[N,8]\n"
      "  param %fc.weight : f32[4,8]\n"
      "  param %fc.bias : f32[4]\n"
      "  %0 = linear(%x, %fc.weight, %fc.bias) : f32[N,4] @fc\n"
      "  %hidden = relu(%0) : f32[N,4]\n"
      "  %1 = softmax(%hidden) {dim=1} : f32[N,4] @head.softmax\n"
      "  %2 = reduce_sum(%1) {dims=[], keepdim=false} : f32[] @\"head sum\"\n"
      "  output probs = %1\n"
      "  output total = %2\n"
      "}\n";
  REQUIRE(PrintGraph(g) == expected);
  CheckRoundTrip(expected);
}

TEST_CASE("kir: a graph that fails the verifier still prints") {
  Graph other("other");
  Value* stranger = other.AddInput("stranger", TensorType{DType::kF32, Shape({2})});
  Graph g("g");
  Node* n = g.AddNode(OpKind::Relu, {stranger}, {}, {TensorType{DType::kF32, Shape({2})}});
  g.AddOutput("y", n->result());
  g.AddOutput("dangling", nullptr);
  REQUIRE(PrintGraph(g) ==
          "graph g {\n  %0 = relu(%\"<undefined>\") : f32[2]\n  output y = %0\n"
          "  output dangling = %\"<undefined>\"\n}\n");
  auto reparsed = ParseGraph(PrintGraph(g));
  REQUIRE_FALSE(reparsed.ok());
  CHECK(reparsed.status().message().find("2:13: undefined value %<undefined>") != std::string::npos);
}

TEST_CASE("kir: the parsed MLP verifies; the parser records types without inferring them") {
  std::unique_ptr<Graph> g = MustParse(kMlp);
  kiln::Status s = Verify(*g);
  INFO(s.ToString());
  REQUIRE(s.ok());

  std::unique_ptr<Graph> wrong = MustParse(
      "graph g {\n  input %x : f32[2,3]\n  %0 = relu(%x) : f32[7]\n  output y = %0\n}\n");
  REQUIRE(wrong->nodes()[0]->result()->type().str() == "f32[7]");
  kiln::Status bad = Verify(*wrong);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message().find("differs from inferred") != std::string::npos);
}

TEST_CASE("kir: ParseGraphFile reads files and names unreadable paths") {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = tmp ? tmp : "/tmp";
  std::string path = dir + "/kir_test_mlp.kir";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fputs(kMlp, f);
  std::fclose(f);
  auto g = ParseGraphFile(path);
  INFO(g.status().ToString());
  REQUIRE(g.ok());
  REQUIRE(PrintGraph(**g) == kMlp);

  std::string bad_path = dir + "/kir_test_bad.kir";
  f = std::fopen(bad_path.c_str(), "wb");
  REQUIRE(f != nullptr);
  std::fputs("graph g {\n  input %x : f32[2]\n  output y = %z\n}\n", f);
  std::fclose(f);
  auto bad = ParseGraphFile(bad_path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find(bad_path + ":3:14: undefined value %z") != std::string::npos);

  auto missing = ParseGraphFile(dir + "/no/such/file.kir");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kIoError);
  CHECK(missing.status().message().find("/no/such/file.kir") != std::string::npos);

  auto directory = ParseGraphFile(dir);
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == StatusCode::kIoError);
}

namespace {

struct BadCase {
  std::string text;
  std::string where;   // "LINE:COL"
  std::string phrase;  // a part of the message
};

const std::string kPre = "graph g {\n  input %x : f32[2,3]\n";  // the bad line is line 3
const std::string kPost = "\n  output o = %0\n}\n";

std::vector<BadCase> BadCases() {
  return {
      {"", "1:1", "expected 'graph', got end of input"},
      {"   # only a comment\n", "2:1", "expected 'graph', got end of input"},
      {"grap g {\n}\n", "1:1", "expected 'graph', got 'grap'"},
      {"graph {\n}\n", "1:7", "expected a graph name, got '{'"},
      {"graph g\n  input %x : f32[2]\n}\n", "2:3", "expected '{' after the graph name, got 'input'"},
      {kPre + "  %0 = frobnicate(%x) : f32[2,3]" + kPost, "3:8", "unknown op 'frobnicate'"},
      {kPre + "  %0 = relu(%x) {alpha=1} : f32[2,3]" + kPost, "3:18", "unknown attribute 'alpha' for op 'relu'"},
      {kPre + "  %0 = softmax(%x) {dim=1.5} : f32[2,3]" + kPost, "3:25",
       "expected an integer for attribute 'dim', got '1.5'"},
      {kPre + "  %0 = reshape(%x) {shape=6} : f32[6]" + kPost, "3:27",
       "expected '[' to start a list of integers for attribute 'shape', got '6'"},
      {kPre + "  %0 = argmax(%x) {dim=0, keepdim=yes} : i64[3]" + kPost, "3:35",
       "expected true or false for attribute 'keepdim', got 'yes'"},
      {kPre + "  %0 = cast(%x) {dtype=float32} : f32[2,3]" + kPost, "3:24",
       "expected a dtype (f32, f64, f16, bf16, i64, i32, bool) for attribute 'dtype', got 'float32'"},
      {kPre + "  %0 = clamp(%x) {min=\"low\"} : f32[2,3]" + kPost, "3:23",
       "expected a float for attribute 'min', got a string"},
      {kPre + "  %0 = clamp(%x) {min=1.} : f32[2,3]" + kPost, "3:23", "expected a float for attribute 'min', got '1.'"},
      {kPre + "  %0 = clamp(%x) {min=1e999} : f32[2,3]" + kPost, "3:23", "'1e999' is out of range for a double"},
      {kPre + "  %0 = softmax(%x) {dim=1, dim=1} : f32[2,3]" + kPost, "3:28", "attribute 'dim' is given twice"},
      {kPre + "  %0 = reshape(%x) : f32[6]" + kPost, "3:3", "required attribute 'shape' (ints) is missing"},
      {kPre + "  %0 = relu(%y) : f32[2,3]" + kPost, "3:13", "undefined value %y"},
      {kPre + "  %0 = relu(%1) : f32[2,3]\n  %1 = relu(%x) : f32[2,3]" + kPost, "3:13", "undefined value %1"},
      {kPre + "  %x = relu(%x) : f32[2,3]" + kPost, "3:3", "value %x is defined twice (first at 2:9)"},
      {kPre + "  %0 = relu(%x) : f32[2,3]\n  %0 = relu(%0) : f32[2,3]" + kPost, "4:3",
       "value %0 is defined twice (first at 3:3)"},
      {"graph g {\n  input %x : f32[2]\n  param %x : f32[2]\n}\n", "3:9", "value %x is defined twice"},
      {"graph g {\n  input %0 : f32[2]\n}\n", "2:9", "input %0 needs a name that is not a plain number"},
      {"graph g {\n  param %\"\" : f32[2]\n}\n", "2:9", "param %\"\" needs a name that is not a plain number"},
      {"graph g {\n  input %x : f33[2,3]\n}\n", "2:14",
       "expected a dtype (f32, f64, f16, bf16, i64, i32, bool), got 'f33'"},
      {"graph g {\n  input %x : f32[2,-3]\n}\n", "2:20", "expected a dim (a non-negative integer or a symbol such as N), got '-3'"},
      {"graph g {\n  input %x : f32[2x]\n}\n", "2:18", "expected a dim (a non-negative integer or a symbol such as N), got '2x'"},
      {"graph g {\n  input %x : f32[N.1]\n}\n", "2:18", "expected a dim"},
      {"graph g {\n  input %x : f32[99999999999999999999]\n}\n", "2:18", "dim '99999999999999999999' is out of range"},
      {"graph g {\n  input %x : f32[2\n}\n", "3:1", "expected ',' or ']' in the shape, got '}'"},
      {"graph g {\n  input %x f32[2]\n}\n", "2:12", "expected ':' and a type after the name, got 'f32'"},
      {"graph g {\n  input %\"abc : f32[2]\n}\n", "2:10", "unterminated string"},
      {"graph g {\n  input %\"abc", "2:10", "unterminated string"},
      {"graph g {\n  input %\"a\\qb\" : f32[2]\n}\n", "2:12", "bad escape in string: expected \\\" \\\\ \\n \\t or \\xHH, got 'qb'"},
      {"graph g {\n  input %\"a\\xZ1\" : f32[2]\n}\n", "2:12", "expected two hex digits after '\\x'"},
      {kPre + "  %0 = softmax(%x) {dim=9223372036854775808} : f32[2,3]" + kPost, "3:25",
       "integer '9223372036854775808' is out of range for a 64-bit integer"},
      {kPre + "  %0 = reshape(%x) {shape=[1,-9223372036854775809]} : f32[2,3]" + kPost, "3:30",
       "out of range for a 64-bit integer"},
      {"graph g {\n  input %x : f32[2]\n  output o = %x\n", "4:1", "expected a statement or '}', got end of input"},
      {"graph g {\n  input %x : f32[2]\n  output o = %x\n}\nextra\n", "5:1",
       "expected end of input after the graph's closing '}', got 'extra'"},
      {"graph g {\n}\n}\n", "3:1", "expected end of input after the graph's closing '}', got '}'"},
      {kPre + "  %0 = reshape(%x) {shape=" + std::string(100000, '[') + kPost, "3:28",
       "expected an integer for attribute 'shape', got '['"},
      {"graph g {\n  input %x : f32" + std::string(100000, '[') + "\n}\n", "2:18", "expected a dim"},
      {kPre + "  %0, %1 = relu(%x) : f32[2,3], f32[2,3]" + kPost, "3:3", "op 'relu' has 1 result(s), but 2 are named"},
      {kPre + "  %0 = relu(%x) : f32[2,3], f32[2,3]" + kPost, "3:19", "1 result(s) are named but 2 result type(s)"},
      {kPre + "  %0 = add(%x) : f32[2,3]" + kPost, "3:8", "op 'add' takes 2 operand(s), got 1"},
      {kPre + "  %0 = concat() {dim=0} : f32[2,3]" + kPost, "3:8", "op 'concat' takes at least 1 operand(s), got 0"},
      {kPre + "  %0 = relu(%x %x) : f32[2,3]" + kPost, "3:16", "expected ',' or ')' in the operand list, got '%x'"},
      {kPre + "  %0 relu(%x) : f32[2,3]" + kPost, "3:6", "expected ',' or '=' after the result names, got 'relu'"},
      {kPre + "  %0 = relu(%x)" + kPost, "4:3", "expected ':' and the result types, got 'output'"},
      {kPre + "  %0 = relu(%x) : f32[2,3] @ x" + kPost, "3:29", "expected a location after '@', got ' '"},
      {kPre + "  % = relu(%x) : f32[2,3]" + kPost, "3:4", "expected a value name after '%', got ' '"},
      {kPre + "  foo %x" + kPost, "3:3", "expected 'input', 'param', 'output', a node"},
      {kPre + "  output = %x\n}\n", "3:10", "expected an output name, got '='"},
      {kPre + "  output o = %nope\n}\n", "3:14", "undefined value %nope"},
      {kPre + std::string("  \x01", 3) + kPost, "3:3", "got byte 0x01"},
      {kPre + std::string("  %0 = relu(%x) {\0} : f32[2,3]", 30) + kPost, "3:18",
       "expected an attribute name, got byte 0x00"},
  };
}

}  // namespace

TEST_CASE("kir: malformed inputs fail with line:col and what was expected") {
  std::vector<BadCase> cases = BadCases();
  REQUIRE(cases.size() >= 25);
  for (const BadCase& c : cases) {
    auto g = ParseGraph(c.text, "bad.kir");
    INFO("text:\n" << c.text.substr(0, 300) << "\nmessage: " << g.status().message());
    REQUIRE_FALSE(g.ok());
    CHECK(g.status().code() == StatusCode::kInvalidArgument);
    CHECK(g.status().message().rfind("bad.kir:" + c.where + ": ", 0) == 0);
    CHECK(g.status().message().find(c.phrase) != std::string::npos);
  }
}

TEST_CASE("kir: every truncation and many corruptions of a valid file fail cleanly") {
  for (const std::string& text : {std::string(kMlp), std::string(kAllKinds), std::string(kQuoted)}) {
    const size_t closing = text.rfind('}');
    for (size_t n = 0; n <= text.size(); ++n) {
      auto g = ParseGraph(std::string_view(text).substr(0, n));
      INFO("prefix of " << n << " bytes: " << g.status().message());
      if (n <= closing) {
        REQUIRE_FALSE(g.ok());
        REQUIRE(g.status().message().rfind("<input>:", 0) == 0);
      } else {
        REQUIRE(g.ok());
      }
    }
    // Overwrite each byte with characters that matter to the lexer: no crash, and any
    // error carries a position.
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : {'\0', '"', '\\', '[', ']', '%', '#', '}', '{', '-', '9', '\n', 'x', ','}) {
        std::string mutated = text;
        mutated[i] = c;
        auto g = ParseGraph(mutated);
        if (!g.ok()) REQUIRE(g.status().message().rfind("<input>:", 0) == 0);
      }
    }
  }
}
