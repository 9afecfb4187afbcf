// nn::ReflectionPad1d/2d/3d, nn::ReplicationPad1d/2d/3d, nn::ZeroPad2d, nn::ConstantPad1d/2d/3d,
// as torch.nn's in torch 1.13: padding is one int (used on every side) or 2*D ints in F.pad's
// order (left, right, top, bottom, front, back); negative entries crop. No parameters.
// forward is F::pad (frontend/functional_spatial.h), so the checks and the IR op `pad` are
// the same as the functional form.
//
// Reprs as torch prints them: "ReflectionPad2d((1, 1, 2, 0))", "ZeroPad2d((1, 1, 1, 1))",
// "ConstantPad1d(padding=(2, 2), value=3.5)". The value prints as an int ("value=3") when it was
// given as a C++ integer, as Python prints an int argument.
#pragma once

#include <cstdint>
#include <string>

#include "frontend/expanding_array.h"
#include "frontend/module.h"

namespace kiln::nn {

/// Options of ReflectionPadNd / ReplicationPadNd: padding (one int, or 2*D ints).
template <size_t D>
struct PadOptions {
  PadOptions(ExpandingArray<2 * D> padding) : padding_(padding) {}  // NOLINT
  KILN_ARG(ExpandingArray<2 * D>, padding);
};
using ReflectionPad1dOptions = PadOptions<1>;
using ReflectionPad2dOptions = PadOptions<2>;
using ReflectionPad3dOptions = PadOptions<3>;
using ReplicationPad1dOptions = PadOptions<1>;
using ReplicationPad2dOptions = PadOptions<2>;
using ReplicationPad3dOptions = PadOptions<3>;

/// The shared implementation of the reflection and replication pads ("reflect"/"replicate").
template <size_t D>
class PadNdImpl : public Module {
 public:
  PadNdImpl(const PadOptions<D>& options, std::string mode, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "(1, 1, 2, 0)".
  std::string extra_repr() const override;
  PadOptions<D> options;

 private:
  std::string mode_;
};

#define KILN_PAD_MODULE(Name, D, mode)                                                  \
  class Name##Impl : public PadNdImpl<D> {                                              \
   public:                                                                              \
    explicit Name##Impl(ExpandingArray<2 * D> padding) : Name##Impl(PadOptions<D>(padding)) {} \
    explicit Name##Impl(const PadOptions<D>& options) : PadNdImpl<D>(options, mode, #Name) {} \
  };                                                                                    \
  KILN_MODULE(Name)

KILN_PAD_MODULE(ReflectionPad1d, 1, "reflect");
KILN_PAD_MODULE(ReflectionPad2d, 2, "reflect");
KILN_PAD_MODULE(ReflectionPad3d, 3, "reflect");
KILN_PAD_MODULE(ReplicationPad1d, 1, "replicate");
KILN_PAD_MODULE(ReplicationPad2d, 2, "replicate");
KILN_PAD_MODULE(ReplicationPad3d, 3, "replicate");
#undef KILN_PAD_MODULE

/// Options of ConstantPadNd: padding and the fill value.
template <size_t D>
struct ConstantPadOptions {
  ConstantPadOptions(ExpandingArray<2 * D> padding, double value) : padding_(padding), value_(value) {}
  /// An integer value prints as one ("value=3"), as in Python.
  ConstantPadOptions(ExpandingArray<2 * D> padding, int value) : ConstantPadOptions(padding, static_cast<double>(value)) {
    value_is_int_ = true;
  }
  ConstantPadOptions(ExpandingArray<2 * D> padding, int64_t value)
      : ConstantPadOptions(padding, static_cast<double>(value)) {
    value_is_int_ = true;
  }
  bool value_is_int() const { return value_is_int_; }
  KILN_ARG(ExpandingArray<2 * D>, padding);
  KILN_ARG(double, value);

 private:
  bool value_is_int_ = false;
};
using ConstantPad1dOptions = ConstantPadOptions<1>;
using ConstantPad2dOptions = ConstantPadOptions<2>;
using ConstantPad3dOptions = ConstantPadOptions<3>;

template <size_t D>
class ConstantPadNdImpl : public Module {
 public:
  ConstantPadNdImpl(const ConstantPadOptions<D>& options, const std::string& type_name);
  Tensor forward(const Tensor& input) override;
  /// "padding=(2, 2), value=3.5".
  std::string extra_repr() const override;
  ConstantPadOptions<D> options;
};

class ConstantPad1dImpl : public ConstantPadNdImpl<1> {
 public:
  ConstantPad1dImpl(ExpandingArray<2> padding, double value) : ConstantPad1dImpl(ConstantPad1dOptions(padding, value)) {}
  ConstantPad1dImpl(ExpandingArray<2> padding, int value) : ConstantPad1dImpl(ConstantPad1dOptions(padding, value)) {}
  explicit ConstantPad1dImpl(const ConstantPad1dOptions& options) : ConstantPadNdImpl<1>(options, "ConstantPad1d") {}
};
KILN_MODULE(ConstantPad1d);

class ConstantPad2dImpl : public ConstantPadNdImpl<2> {
 public:
  ConstantPad2dImpl(ExpandingArray<4> padding, double value) : ConstantPad2dImpl(ConstantPad2dOptions(padding, value)) {}
  ConstantPad2dImpl(ExpandingArray<4> padding, int value) : ConstantPad2dImpl(ConstantPad2dOptions(padding, value)) {}
  explicit ConstantPad2dImpl(const ConstantPad2dOptions& options) : ConstantPadNdImpl<2>(options, "ConstantPad2d") {}

 protected:
  ConstantPad2dImpl(const ConstantPad2dOptions& options, const std::string& type_name)
      : ConstantPadNdImpl<2>(options, type_name) {}
};
KILN_MODULE(ConstantPad2d);

class ConstantPad3dImpl : public ConstantPadNdImpl<3> {
 public:
  ConstantPad3dImpl(ExpandingArray<6> padding, double value) : ConstantPad3dImpl(ConstantPad3dOptions(padding, value)) {}
  ConstantPad3dImpl(ExpandingArray<6> padding, int value) : ConstantPad3dImpl(ConstantPad3dOptions(padding, value)) {}
  explicit ConstantPad3dImpl(const ConstantPad3dOptions& options) : ConstantPadNdImpl<3>(options, "ConstantPad3d") {}
};
KILN_MODULE(ConstantPad3d);

/// ZeroPad2d(padding): ConstantPad2d with value 0; torch prints only the padding.
class ZeroPad2dImpl : public ConstantPad2dImpl {
 public:
  explicit ZeroPad2dImpl(ExpandingArray<4> padding)
      : ConstantPad2dImpl(ConstantPad2dOptions(padding, 0.0), "ZeroPad2d") {}
  /// "(1, 1, 1, 1)".
  std::string extra_repr() const override;
};
KILN_MODULE(ZeroPad2d);

extern template class PadNdImpl<1>;
extern template class PadNdImpl<2>;
extern template class PadNdImpl<3>;
extern template class ConstantPadNdImpl<1>;
extern template class ConstantPadNdImpl<2>;
extern template class ConstantPadNdImpl<3>;

}  // namespace kiln::nn
