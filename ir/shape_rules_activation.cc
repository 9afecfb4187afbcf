// Shape rules of the Layers II activation/dropout ops (ops.def section).
#include <string>

#include "ir/shape_rules.h"

namespace kiln::ir {

StatusOr<std::vector<TensorType>> infer_gelu(const std::vector<TensorType>& in, const Attrs& attrs) {
  KILN_ASSIGN_OR_RETURN(std::vector<TensorType> out, infer_unary_float(in, attrs));
  std::string approximate = attrs.s("approximate");
  if (approximate != "none" && approximate != "tanh") {
    return InvalidArgument("approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
  }
  return out;
}

}  // namespace kiln::ir
