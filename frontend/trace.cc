#include "frontend/trace.h"

#include <atomic>

#include "frontend/dispatch.h"
#include "frontend/tensor_impl.h"
#include "ir/verifier.h"

namespace kiln {

namespace {

std::atomic<uint64_t> g_next_trace_id{1};

// Clears the thread's trace even when the forward throws.
struct TraceGuard {
  explicit TraceGuard(detail::TraceState* ts) { detail::set_current_trace(ts); }
  ~TraceGuard() { detail::set_current_trace(nullptr); }
};

std::string default_name(const std::string& base, size_t index, size_t count) {
  return count == 1 ? base : base + std::to_string(index);
}

}  // namespace

bool is_tracing() { return detail::current_trace() != nullptr; }

void add_trace_output(const std::string& name, const Tensor& value) {
  detail::TraceState* ts = detail::current_trace();
  if (!ts) throw Error("add_trace_output('" + name + "') outside of kiln::trace");
  if (!value.is_symbolic()) throw Error("add_trace_output('" + name + "'): the tensor is not a traced value");
  ts->taps.emplace_back(name, value.value());
}

std::unique_ptr<ir::Graph> trace(nn::Module& module, const std::vector<TensorSpec>& inputs,
                                 const TraceOptions& options) {
  if (is_tracing()) throw Error("kiln::trace: a trace is already running on this thread (traces do not nest)");
  detail::TraceState ts;
  ts.id = g_next_trace_id++;
  ts.graph = std::make_unique<ir::Graph>(options.graph_name);
  // Parameters and buffers become graph parameters named by their state_dict keys when the
  // forward first uses them (unused ones stay out of the graph).
  for (const auto& [name, t] : module.named_parameters()) ts.param_names.emplace(t.impl(), name);
  for (const auto& [name, t] : module.named_buffers()) ts.param_names.emplace(t.impl(), name);

  TraceGuard guard(&ts);
  std::vector<Tensor> args;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec& spec = inputs[i];
    std::string name = spec.name.empty() ? default_name("input", i, inputs.size()) : spec.name;
    args.push_back(Tensor::Symbolic(ts.graph->AddInput(name, ir::TensorType{spec.dtype, ir::Shape(spec.shape)})));
  }
  std::vector<Tensor> outputs = module.call(args);
  if (!options.output_names.empty() && options.output_names.size() != outputs.size()) {
    throw Error("kiln::trace: " + std::to_string(options.output_names.size()) + " output names given, but " +
                module.name() + " returned " + std::to_string(outputs.size()) + " outputs");
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string name = options.output_names.empty() ? default_name("output", i, outputs.size()) : options.output_names[i];
    if (!outputs[i].is_symbolic() || outputs[i].impl()->trace_id != ts.id) {
      throw Error("kiln::trace: output '" + name + "' of " + module.name() +
                  " does not depend on the inputs (a constant output is not supported)");
    }
    ts.graph->AddOutput(name, outputs[i].value());
  }
  for (const auto& [name, v] : ts.taps) ts.graph->AddOutput(name, v);
  ir::VerifyOptions vo;
  vo.require_weights = true;
  throw_if_error(ir::Verify(*ts.graph, vo), "kiln::trace produced an invalid graph (a bug in kiln)");
  return std::move(ts.graph);
}

}  // namespace kiln
