// Internal helpers shared by the Tensor operation files (tensor_ops.cc, tensor_shape_ops.cc,
// factories.cc): torch's dtype promotion, dim normalization with torch-like messages, and
// reshapes that keep one symbolic dim (the batch N) as the reshape's -1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/tensor.h"
#include "ir/types.h"

namespace kiln::detail {

/// torch.promote_types: bool < integers < floating; i32+i64 -> i64; f16+bf16 -> f32.
DType promote_types(DType a, DType b);
/// torch.result_type over tensors: 0-d tensors only raise the result when they are of a higher
/// category (bool < integer < floating) than every dimensioned operand.
DType result_type(const std::vector<Tensor>& tensors);
/// `t` converted to `dtype` (no node when it already has it).
Tensor cast_to(const Tensor& t, DType dtype);

/// A double operand of an operator: a 0-d tensor of `like`'s dtype (detail::scalar_like),
/// except where torch would promote: a non-integral value with an integer or bool tensor
/// becomes an f32 scalar, an integral one with a bool tensor an i64 scalar.
Tensor scalar_operand(const Tensor& like, double value);

/// Normalizes `dim` into [0, rank) (rank 0 accepts -1 and 0 as torch does) or fails with
/// "OP: WHAT D is out of range for TYPE (expected to be in range of [lo, hi])". `rank` defaults
/// to t.dim(); unsqueeze and stack pass t.dim() + 1.
int64_t wrap_dim(const std::string& op, const std::string& what, int64_t dim, const Tensor& t, int64_t rank = -1);

/// "[2,3]" for a list of ints.
std::string ints_str(const std::vector<int64_t>& v);
/// "[N,3]" for a list of dims.
std::string dims_str(const std::vector<ir::Dim>& dims);

/// Reshapes `t` to `target`, where target may hold t's one symbolic dim (it becomes the -1 of
/// the IR reshape). Returns t itself when the shape already matches. Fails naming `op` when
/// the IR cannot express it (two symbolic dims, a symbolic dim merged with others).
Tensor reshape_to(const std::string& op, const Tensor& t, const std::vector<ir::Dim>& target);

}  // namespace kiln::detail
