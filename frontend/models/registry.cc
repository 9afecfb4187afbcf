#include "frontend/models/registry.h"

#include <functional>

#include "frontend/error.h"
#include "frontend/models/lenet5.h"
#include "frontend/models/lstm.h"
#include "frontend/models/mlp.h"
#include "frontend/models/mobilenet_v2.h"
#include "frontend/models/resnet.h"

namespace kiln::models {
namespace {

struct Entry {
  std::string name;
  /// Null while the model's layers are not written yet.
  std::function<BuiltinModel()> build;
  /// Why it cannot be built yet (when build is null).
  std::string unavailable;
};

TensorSpec image_input(int64_t channels, int64_t height, int64_t width) {
  return TensorSpec({sym("N"), channels, height, width}, DType::kF32, "input");
}

const std::vector<Entry>& registry() {
  static const std::vector<Entry> table = {
      {"mlp", [] { return BuiltinModel{mlp().ptr(), {image_input(1, 28, 28)}, {"output"}}; }, ""},
      {"lenet5", [] { return BuiltinModel{LeNet5().ptr(), {image_input(1, 28, 28)}, {"output"}}; }, ""},
      {"resnet18", [] { return BuiltinModel{resnet18().ptr(), {image_input(3, 224, 224)}, {"output"}}; }, ""},
      {"mobilenet_v2", [] { return BuiltinModel{mobilenet_v2().ptr(), {image_input(3, 224, 224)}, {"output"}}; }, ""},
      {"lstm",
       [] {
         return BuiltinModel{LSTMLanguageModel().ptr(),
                             {TensorSpec({sym("T"), sym("N")}, DType::kI64, "tokens")},
                             {"logits"}};
       },
       ""},
  };
  return table;
}

std::string known_names() {
  std::string s;
  for (const Entry& e : registry()) s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

}  // namespace

BuiltinModel build_model(const std::string& name) {
  for (const Entry& e : registry()) {
    if (e.name != name) continue;
    if (!e.build) throw Error("model '" + name + "' is not available yet: " + e.unavailable);
    return e.build();
  }
  throw Error("unknown model '" + name + "' (known models: " + known_names() + ")");
}

std::vector<std::string> builtin_model_names() {
  std::vector<std::string> names;
  for (const Entry& e : registry()) names.push_back(e.name);
  return names;
}

bool is_model_available(const std::string& name) {
  for (const Entry& e : registry()) {
    if (e.name == name) return e.build != nullptr;
  }
  return false;
}

}  // namespace kiln::models
