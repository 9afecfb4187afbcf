#include "frontend/conv_util.h"

#include <cmath>
#include <cstdint>

#include "frontend/init.h"

namespace kiln::detail {

void reset_conv_parameters(Tensor& weight, Tensor& bias) {
  nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    int64_t fan_in = nn::init::_calculate_fan_in_and_fan_out(weight).first;
    double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    nn::init::uniform_(bias, -bound, bound);
  }
}

}  // namespace kiln::detail
