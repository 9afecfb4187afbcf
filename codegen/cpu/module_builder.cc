#include "codegen/cpu/module_builder.h"

#include <map>
#include <set>

#include "kiln/runtime_bc.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

extern "C" {
extern const unsigned char kiln_cpu_kernels_bc[];
extern const unsigned long kiln_cpu_kernels_bc_size;
}

namespace kiln::cpu {

uint64_t WeightsChecksum(const std::vector<uint8_t>& blob) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : blob) {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  return h;
}

namespace {

using llvm::ArrayType;
using llvm::Constant;
using llvm::ConstantInt;
using llvm::Function;
using llvm::FunctionType;
using llvm::GlobalValue;
using llvm::GlobalVariable;
using llvm::IRBuilder;
using llvm::PointerType;
using llvm::StructType;
using llvm::Type;
using llvm::Value;

StatusOr<std::unique_ptr<llvm::Module>> ParseBitcode(const unsigned char* data, size_t size, const char* what,
                                                     llvm::LLVMContext& ctx) {
  llvm::MemoryBufferRef ref(llvm::StringRef(reinterpret_cast<const char*>(data), size), what);
  auto m = llvm::parseBitcodeFile(ref, ctx);
  if (!m) return Internal(std::string("cannot read the embedded ") + what + ": " + llvm::toString(m.takeError()));
  return std::move(*m);
}

class Builder {
 public:
  Builder(const Program& p, bool external, llvm::LLVMContext& ctx, llvm::Module& m)
      : program_(p), external_(external), ctx_(ctx), m_(m), b_(ctx) {
    i8_ = Type::getInt8Ty(ctx);
    i32_ = Type::getInt32Ty(ctx);
    i64_ = Type::getInt64Ty(ctx);
    ptr_ = PointerType::get(ctx, 0);
    void_ = Type::getVoidTy(ctx);
  }

  Status Build();

 private:
  Constant* CString(const std::string& s, const std::string& name);
  Constant* IoSpecs(const std::vector<IoSpec>& specs, const std::string& name);
  Function* Declare(const std::string& name, Type* ret, std::vector<Type*> args, bool vararg = false);
  Value* EmitExpr(const Expr& e, const std::vector<Value*>& sizes);
  size_t NumSizes() const { return std::max<size_t>(program_.symbols.size(), 1); }
  Function* EmitTask(size_t index, const KernelCall& call, StructType* arg_type);
  Function* EmitRun();
  void EmitEntryPoints(GlobalVariable* model);

  const Program& program_;
  bool external_;
  llvm::LLVMContext& ctx_;
  llvm::Module& m_;
  IRBuilder<> b_;
  Type *i8_, *i32_, *i64_, *void_;
  PointerType* ptr_;
  GlobalVariable* weights_ = nullptr;
};

Constant* Builder::CString(const std::string& s, const std::string& name) {
  auto* init = llvm::ConstantDataArray::getString(ctx_, s, true);
  auto* g = new GlobalVariable(m_, init->getType(), true, GlobalValue::PrivateLinkage, init, name);
  g->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return g;
}

// kiln_rt_io_spec { const char* name; i32 dtype; i32 rank; i64 dims[8]; }
Constant* Builder::IoSpecs(const std::vector<IoSpec>& specs, const std::string& name) {
  auto* dims_type = ArrayType::get(i64_, 8);
  auto* spec_type = StructType::get(ctx_, {ptr_, i32_, i32_, dims_type});
  std::vector<Constant*> elems;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::vector<Constant*> dims;
    for (int d = 0; d < 8; ++d) {
      dims.push_back(ConstantInt::get(i64_, d < static_cast<int>(specs[i].dims.size()) ? specs[i].dims[d] : 0));
    }
    elems.push_back(llvm::ConstantStruct::get(
        spec_type, {CString(specs[i].name, name + ".name"), ConstantInt::get(i32_, static_cast<int>(specs[i].dtype)),
                    ConstantInt::get(i32_, specs[i].dims.size()), llvm::ConstantArray::get(dims_type, dims)}));
  }
  if (elems.empty()) return llvm::ConstantPointerNull::get(ptr_);
  auto* arr_type = ArrayType::get(spec_type, elems.size());
  return new GlobalVariable(m_, arr_type, true, GlobalValue::PrivateLinkage, llvm::ConstantArray::get(arr_type, elems),
                            name);
}

Function* Builder::Declare(const std::string& name, Type* ret, std::vector<Type*> args, bool vararg) {
  auto callee = m_.getOrInsertFunction(name, FunctionType::get(ret, args, vararg));
  return llvm::cast<Function>(callee.getCallee());
}

Value* Builder::EmitExpr(const Expr& e, const std::vector<Value*>& sizes) {
  switch (e.kind()) {
    case Expr::kConst: return ConstantInt::get(i64_, e.value());
    case Expr::kSymbol: {
      size_t k = static_cast<size_t>(e.symbol());
      return k < sizes.size() ? sizes[k] : ConstantInt::get(i64_, 1);
    }
    case Expr::kAdd: return b_.CreateAdd(EmitExpr(e.lhs(), sizes), EmitExpr(e.rhs(), sizes));
    case Expr::kMul: return b_.CreateMul(EmitExpr(e.lhs(), sizes), EmitExpr(e.rhs(), sizes));
    case Expr::kCeilDiv: {
      Value* a = EmitExpr(e.lhs(), sizes);
      return b_.CreateUDiv(b_.CreateAdd(a, ConstantInt::get(i64_, e.value() - 1)), ConstantInt::get(i64_, e.value()));
    }
  }
  return nullptr;
}

// void task(arg, begin, end): rebuilds p[] (constants and symbol expressions) and b[] and
// calls the kernel, which is always inlined here, so its shapes become constants.
Function* Builder::EmitTask(size_t index, const KernelCall& call, StructType* arg_type) {
  Function* kernel = Declare("kiln_k_" + call.kernel, void_, {ptr_, ptr_, i64_, i64_});
  auto* fn = Function::Create(FunctionType::get(void_, {ptr_, i64_, i64_}, false), GlobalValue::InternalLinkage,
                              "kiln_task_" + std::to_string(index) + "_" + call.kernel, m_);
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn);
  b_.SetInsertPoint(entry);
  Value* arg = fn->getArg(0);
  size_t np = std::max<size_t>(call.params.size(), 1), nb = std::max<size_t>(call.buffers.size(), 1);
  Value* params = b_.CreateAlloca(ArrayType::get(i64_, np), nullptr, "p");
  Value* bufs = b_.CreateAlloca(ArrayType::get(ptr_, nb), nullptr, "b");
  std::vector<Value*> sizes;
  for (size_t k = 0; k < NumSizes(); ++k) {
    sizes.push_back(b_.CreateLoad(i64_, b_.CreateStructGEP(arg_type, arg, static_cast<unsigned>(k)), "size"));
  }
  for (size_t i = 0; i < call.params.size(); ++i) {
    b_.CreateStore(EmitExpr(call.params[i], sizes), b_.CreateConstInBoundsGEP2_64(ArrayType::get(i64_, np), params, 0, i));
  }
  for (size_t k = 0; k < call.buffers.size(); ++k) {
    Value* ptr = b_.CreateLoad(ptr_, b_.CreateStructGEP(arg_type, arg, static_cast<unsigned>(NumSizes() + k)));
    b_.CreateStore(ptr, b_.CreateConstInBoundsGEP2_64(ArrayType::get(ptr_, nb), bufs, 0, k));
  }
  b_.CreateCall(kernel, {params, bufs, fn->getArg(1), fn->getArg(2)});
  b_.CreateRetVoid();
  return fn;
}

// kiln_status run(const kiln_rt_exec* exec). exec layout: inputs @0, outputs @8, weights @16,
// arena @24, batch @32, sizes[8] @64 (runtime.h).
Function* Builder::EmitRun() {
  auto* run = Function::Create(FunctionType::get(i32_, {ptr_}, false), GlobalValue::InternalLinkage, "kiln_run", m_);
  Function* parallel_for = Declare("kiln_rt_exec_parallel_for", void_, {ptr_, i64_, i64_, ptr_, ptr_});
  Function* set_error = Declare("kiln_rt_set_error", i32_, {i32_, ptr_}, true);
  Value* exec = run->getArg(0);
  auto* entry = llvm::BasicBlock::Create(ctx_, "entry", run);
  b_.SetInsertPoint(entry);
  auto field = [&](int64_t offset, Type* t, const char* name) {
    return b_.CreateLoad(t, b_.CreateConstInBoundsGEP1_64(i8_, exec, offset), name);
  };
  Value* inputs = field(0, ptr_, "inputs");
  Value* outputs = field(8, ptr_, "outputs");
  Value* weights = field(16, ptr_, "weights");
  Value* arena = field(24, ptr_, "arena");
  std::vector<Value*> sizes;
  if (program_.symbols.empty()) {
    sizes.push_back(ConstantInt::get(i64_, 1));
  } else {
    for (size_t k = 0; k < program_.symbols.size(); ++k) {
      sizes.push_back(field(64 + 8 * static_cast<int64_t>(k), i64_, ("size_" + program_.symbols[k]).c_str()));
    }
  }
  Value* err_slot = b_.CreateAlloca(i64_, nullptr, "err");
  b_.CreateStore(ConstantInt::get(i64_, 0), err_slot);
  Constant* fmt = CString("%s", "kiln.fmt");
  for (size_t i = 0; i < program_.calls.size(); ++i) {
    const KernelCall& call = program_.calls[i];
    std::vector<Type*> fields(NumSizes(), i64_);
    for (size_t k = 0; k < call.buffers.size(); ++k) fields.push_back(ptr_);
    auto* arg_type = StructType::get(ctx_, fields);
    Function* task = EmitTask(i, call, arg_type);
    b_.SetInsertPoint(&run->back());
    // The argument block lives in the entry block's frame.
    IRBuilder<> eb(&run->getEntryBlock(), run->getEntryBlock().begin());
    Value* arg = eb.CreateAlloca(arg_type, nullptr, "arg" + std::to_string(i));
    for (size_t k = 0; k < NumSizes(); ++k) {
      b_.CreateStore(sizes[k], b_.CreateStructGEP(arg_type, arg, static_cast<unsigned>(k)));
    }
    for (size_t k = 0; k < call.buffers.size(); ++k) {
      const BufferRef& r = call.buffers[k];
      Value* ptr = nullptr;
      switch (r.kind) {
        case BufferRef::kNull: ptr = llvm::ConstantPointerNull::get(ptr_); break;
        case BufferRef::kInput:
          ptr = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, inputs, r.index));
          break;
        case BufferRef::kOutput:
          ptr = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, outputs, r.index));
          break;
        case BufferRef::kWeights: ptr = b_.CreateConstInBoundsGEP1_64(i8_, weights, r.offset); break;
        case BufferRef::kArena: ptr = b_.CreateConstInBoundsGEP1_64(i8_, arena, r.offset); break;
        case BufferRef::kErrorSlot: ptr = err_slot; break;
      }
      b_.CreateStore(ptr, b_.CreateStructGEP(arg_type, arg, static_cast<unsigned>(NumSizes() + k)));
    }
    Value* count = EmitExpr(call.count, sizes);
    if (call.parallel) {
      b_.CreateCall(parallel_for, {exec, count, ConstantInt::get(i64_, call.grain), task, arg});
    } else {
      b_.CreateCall(task, {arg, ConstantInt::get(i64_, 0), count});
    }
    if (!call.error_message.empty()) {
      auto* fail = llvm::BasicBlock::Create(ctx_, "fail" + std::to_string(i), run);
      auto* next = llvm::BasicBlock::Create(ctx_, "next" + std::to_string(i), run);
      Value* e = b_.CreateLoad(i64_, err_slot);
      b_.CreateCondBr(b_.CreateICmpNE(e, ConstantInt::get(i64_, 0)), fail, next);
      b_.SetInsertPoint(fail);
      Value* status = b_.CreateCall(set_error, {ConstantInt::get(i32_, 1), fmt,
                                                 CString(call.error_message, "kiln.err" + std::to_string(i))});
      b_.CreateRet(status);
      b_.SetInsertPoint(next);
    }
  }
  b_.CreateRet(ConstantInt::get(i32_, 0));
  return run;
}

void Builder::EmitEntryPoints(GlobalVariable* model) {
  const std::string& n = program_.name;
  auto make = [&](const std::string& name, Type* ret, std::vector<Type*> args) {
    auto* f = Function::Create(FunctionType::get(ret, args, false), GlobalValue::ExternalLinkage, name, m_);
    f->setVisibility(GlobalValue::DefaultVisibility);
    b_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "entry", f));
    return f;
  };
  // kiln_status NAME_create(const kiln_context_options*, kiln_rt_context**)
  Function* create = make(n + "_create", i32_, {ptr_, ptr_});
  Function* rt_create = Declare("kiln_rt_create", i32_, {ptr_, ptr_, ptr_});
  b_.CreateRet(b_.CreateCall(rt_create, {model, create->getArg(0), create->getArg(1)}));
  // kiln_status NAME_run(ctx, const kiln_tensor*, int32_t, kiln_tensor*, int32_t)
  Function* run = make(n + "_run", i32_, {ptr_, ptr_, i32_, ptr_, i32_});
  Function* rt_run = Declare("kiln_rt_run", i32_, {ptr_, ptr_, i32_, ptr_, i32_});
  b_.CreateRet(b_.CreateCall(rt_run, {run->getArg(0), run->getArg(1), run->getArg(2), run->getArg(3), run->getArg(4)}));
  // void NAME_destroy(ctx)
  Function* destroy = make(n + "_destroy", void_, {ptr_});
  b_.CreateCall(Declare("kiln_rt_destroy", void_, {ptr_}), {destroy->getArg(0)});
  b_.CreateRetVoid();
  // const char* NAME_last_error(void)
  make(n + "_last_error", ptr_, {});
  b_.CreateRet(b_.CreateCall(Declare("kiln_rt_last_error", ptr_, {}), {}));
  // const kiln_rt_model* NAME_describe(void): the artifact's inputs, outputs and limits, for
  // tools (kiln run / bench) and apps that bind tensors by name.
  make(n + "_describe", ptr_, {});
  b_.CreateRet(model);
}

Status Builder::Build() {
  // Weights: one 64-byte aligned constant (unless external).
  const auto& blob = program_.weights;
  Constant* weights_ptr = llvm::ConstantPointerNull::get(ptr_);
  if (!external_ && !blob.empty()) {
    auto* init = llvm::ConstantDataArray::get(ctx_, llvm::ArrayRef<uint8_t>(blob.data(), blob.size()));
    weights_ = new GlobalVariable(m_, init->getType(), true, GlobalValue::InternalLinkage, init, "kiln_weights");
    weights_->setAlignment(llvm::Align(64));
    weights_ptr = weights_;
  }
  Function* run = EmitRun();
  // The symbols: names and bounds.
  Constant* symbol_names = llvm::ConstantPointerNull::get(ptr_);
  Constant* symbol_max = llvm::ConstantPointerNull::get(ptr_);
  if (!program_.symbols.empty()) {
    std::vector<Constant*> names, maxima;
    for (size_t k = 0; k < program_.symbols.size(); ++k) {
      names.push_back(CString(program_.symbols[k], "kiln.symbol"));
      maxima.push_back(ConstantInt::get(i64_, program_.symbol_max[k]));
    }
    auto* names_type = ArrayType::get(ptr_, names.size());
    symbol_names = new GlobalVariable(m_, names_type, true, GlobalValue::PrivateLinkage,
                                      llvm::ConstantArray::get(names_type, names), "kiln.symbols");
    auto* max_type = ArrayType::get(i64_, maxima.size());
    symbol_max = new GlobalVariable(m_, max_type, true, GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(max_type, maxima), "kiln.symbol_max");
  }
  // kiln_rt_model (runtime.h): name, num_inputs, num_outputs, inputs, outputs, max_batch,
  // arena_bytes, default_threads, weights, weights_bytes, weights_checksum, run, num_symbols,
  // symbols, symbol_max.
  auto* model_type = StructType::get(
      ctx_, {ptr_, i32_, i32_, ptr_, ptr_, i64_, i64_, i32_, ptr_, i64_, i64_, ptr_, i32_, ptr_, ptr_});
  Constant* model_init = llvm::ConstantStruct::get(
      model_type,
      {CString(program_.name, "kiln.model_name"), ConstantInt::get(i32_, program_.inputs.size()),
       ConstantInt::get(i32_, program_.outputs.size()), IoSpecs(program_.inputs, "kiln.inputs"),
       IoSpecs(program_.outputs, "kiln.outputs"), ConstantInt::get(i64_, program_.max_batch),
       ConstantInt::get(i64_, program_.arena_bytes), ConstantInt::get(i32_, program_.default_threads), weights_ptr,
       ConstantInt::get(i64_, blob.size()), ConstantInt::get(i64_, external_ ? WeightsChecksum(blob) : 0), run,
       ConstantInt::get(i32_, program_.symbols.size()), symbol_names, symbol_max});
  auto* model = new GlobalVariable(m_, model_type, true, GlobalValue::InternalLinkage, model_init, "kiln_model");
  EmitEntryPoints(model);
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<llvm::Module>> BuildModule(const Program& program, bool external_weights,
                                                    const ModuleTarget& target, llvm::LLVMContext& context) {
  auto module = std::make_unique<llvm::Module>(program.name, context);
  module->setTargetTriple(target.triple);
  module->setDataLayout(target.data_layout);
  Builder builder(program, external_weights, context, *module);
  KILN_RETURN_IF_ERROR(builder.Build());

  // Link the kernels and the runtime: only what the module references.
  for (int which = 0; which < 2; ++which) {
    auto lib = which == 0 ? ParseBitcode(kiln_cpu_kernels_bc, kiln_cpu_kernels_bc_size, "kernels.bc", context)
                          : ParseBitcode(kiln_runtime_bc, kiln_runtime_bc_size, "runtime.bc", context);
    if (!lib.ok()) return lib.status();
    (*lib)->setTargetTriple(target.triple);
    (*lib)->setDataLayout(target.data_layout);
    if (llvm::Linker::linkModules(*module, std::move(*lib), llvm::Linker::LinkOnlyNeeded)) {
      return Internal(std::string("linking ") + (which == 0 ? "kernels.bc" : "runtime.bc") + " failed");
    }
  }

  // Exported: the entry points only. Kernels are always inlined into their tasks.
  std::set<std::string> exported = {program.name + "_create", program.name + "_run", program.name + "_destroy",
                                    program.name + "_last_error", program.name + "_describe"};
  for (llvm::Function& f : *module) {
    if (f.isDeclaration()) continue;
    f.addFnAttr("target-cpu", target.cpu);
    f.removeFnAttr("tune-cpu");
    if (target.features.empty()) {
      f.removeFnAttr("target-features");
    } else {
      f.addFnAttr("target-features", target.features);
    }
    if (f.getName().starts_with("kiln_k_")) {
      f.removeFnAttr(llvm::Attribute::NoInline);
      f.removeFnAttr(llvm::Attribute::OptimizeNone);
      f.addFnAttr(llvm::Attribute::AlwaysInline);
    }
    if (!exported.count(f.getName().str())) {
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
      f.setVisibility(llvm::GlobalValue::DefaultVisibility);
    }
  }
  for (llvm::GlobalVariable& g : module->globals()) {
    if (!g.isDeclaration() && !g.hasLocalLinkage() && !g.getName().starts_with("llvm.")) {
      g.setLinkage(llvm::GlobalValue::InternalLinkage);
      g.setVisibility(llvm::GlobalValue::DefaultVisibility);
    }
  }
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (llvm::verifyModule(*module, &os)) return Internal("the generated LLVM module is invalid: " + os.str());
  return module;
}

}  // namespace kiln::cpu
