// Internal helpers shared by the functional files (functional.cc, functional_spatial.cc,
// functional_pooling.cc): the argument checks torch makes for convolutions and pools, with its
// messages, each naming the calling function `fn`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "frontend/expanding_array.h"
#include "frontend/functional.h"
#include "frontend/tensor.h"
#include "ir/attributes.h"
#include "ir/ops.h"

namespace kiln::detail {

/// "2x3" for a list of sizes (`sep` between the entries).
std::string join(const std::vector<int64_t>& v, const char* sep = "x");

/// Fails with "FN: WHAT is an undefined tensor" unless `t` is defined.
void require_defined(const Tensor& t, const std::string& fn, const char* what);

/// The static size of dim i, or -1 when it is symbolic.
int64_t static_dim(const Tensor& t, int64_t i);

/// Fails with "FN: WHAT must be non-negative, got (..)" (min 0) or "... greater than zero ..."
/// (min 1) when an entry of `v` is below `min`.
void check_min(const std::string& fn, const char* what, const std::vector<int64_t>& v, int64_t min);

/// What conv{1,2,3}d and conv_transpose{1,2,3}d check alike before their size arguments, in
/// torch's order: input and weight defined, an (nd+1)-dim (unbatched) or (nd+2)-dim input, an
/// (nd+2)-dim weight (`weight_layout` spells its dims in the message) and positive groups.
void check_conv_operands(const std::string& fn, size_t nd, const Tensor& input, const Tensor& weight,
                         const char* weight_layout, int64_t groups);

/// What they check alike after their size arguments: input and weight of one dtype, weight dim 0
/// (`weight_dim0` names it) divisible by groups, a static channel dim. Returns the input with
/// its batch dim (unsqueezed when it is unbatched).
Tensor batched_conv_input(const std::string& fn, size_t nd, const Tensor& input, const Tensor& weight,
                          const char* weight_dim0, int64_t groups);

/// Applies the convolution `op` to {x, weight} (and bias when defined) and drops the batch dim
/// again when the caller's input was unbatched.
Tensor apply_conv(ir::OpKind op, const Tensor& x, const Tensor& weight, const Tensor& bias, const ir::Attrs& attrs,
                  bool unbatched);

/// The window of a max or avg pool, stride defaulting to the kernel size.
struct PoolSpec {
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool ceil_mode = false;
};

template <size_t N>
PoolSpec make_pool_spec(const nn::ExpandingArray<N>& kernel, const nn::OptionalExpandingArray<N>& stride,
                        const nn::ExpandingArray<N>& padding, const nn::ExpandingArray<N>& dilation,
                        bool ceil_mode) {
  return PoolSpec{kernel.vec(), stride.value_or(kernel).vec(), padding.vec(), dilation.vec(), ceil_mode};
}

/// Fails unless `input` is defined and (nd+1)- or (nd+2)-dim ("expected 3D or 4D input").
void require_pool_input(const std::string& fn, const Tensor& input, size_t nd);

/// torch's max/avg pool checks of the arguments: the input's rank, kernel_size, stride and
/// dilation positive, padding non-negative and at most half the kernel.
void check_pool_args(const std::string& fn, size_t nd, const Tensor& input, const PoolSpec& a);

/// Fails when the (dilated) window is larger than the padded input in some spatial dim, or a
/// spatial dim is symbolic.
void check_pool_window(const std::string& fn, size_t nd, const Tensor& input, const PoolSpec& a);

}  // namespace kiln::detail
