#include "tests/conformance/conformance.h"

#include "codegen/reference/interpreter.h"

namespace kiln::conformance {

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  AddElementwiseCases(cases);
  AddLinalgConvCases(cases);
  AddShapeReduceCases(cases);
  // [LAYERS4A]
  // [LAYERS4B]
  // [LAYERS5A]
  // [LAYERS5B]
  return cases;
}

std::vector<Backend> available_backends() {
  return {Backend{"reference", [](const ir::Graph& g, const std::map<std::string, ir::HostTensor>& inputs) {
                    return reference::RunGraph(g, inputs);
                  }}};
}

}  // namespace kiln::conformance
