#include "codegen/cpu/object_emitter.h"

#include <mutex>

#include "codegen/cpu/module_builder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Transforms/Utils/Cloning.h"

namespace kiln::cpu {
namespace {

void InitializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

Status Optimize(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions pto;
  pto.LoopVectorization = true;
  pto.SLPVectorization = true;
  llvm::PassBuilder pb(&tm, pto);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(m, mam);
  return Status::Ok();
}

Status EmitFile(llvm::Module& m, llvm::TargetMachine& tm, const std::string& path, llvm::CodeGenFileType type) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) return IoError("cannot write " + path + ": " + ec.message());
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, out, nullptr, type)) return Internal("the target cannot emit " + path);
  pm.run(m);
  out.flush();
  if (out.has_error()) return IoError("writing " + path + " failed");
  return Status::Ok();
}

}  // namespace

int TargetVectorFloats(const std::string& cpu_name) {
  InitializeLlvm();
  std::string cpu = cpu_name.empty() ? "x86-64-v3" : cpu_name;
  if (cpu == "native") {
    auto features = llvm::sys::getHostCPUFeatures();
    auto it = features.find("avx512f");
    return it != features.end() && it->second ? 16 : 8;
  }
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) return 8;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, "", ""));
  if (!sti || !sti->isCPUStringValid(cpu)) return 8;
  sti.reset(target->createMCSubtargetInfo(triple, cpu, ""));
  return sti && sti->checkFeatures("+avx512f") ? 16 : 8;
}

Status EmitObject(const Program& program, const ObjectOptions& options) {
  InitializeLlvm();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (target == nullptr) return Internal("no LLVM target for " + triple + ": " + error);

  std::string cpu = options.cpu.empty() ? "x86-64-v3" : options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto& f : llvm::sys::getHostCPUFeatures()) {
      features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
    }
  }
  {
    std::unique_ptr<llvm::MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, "", ""));
    if (!sti || !sti->isCPUStringValid(cpu)) {
      return InvalidArgument("unknown CPU '" + options.cpu +
                             "' (use native, x86-64-v2, x86-64-v3, x86-64-v4 or an LLVM CPU name such as skylake-avx512, znver4)");
    }
  }
  llvm::TargetOptions to;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, llvm::CodeModel::Small, llvm::CodeGenOptLevel::Aggressive));
  if (!tm) return Internal("cannot create a target machine for " + triple + " / " + cpu);

  llvm::LLVMContext context;
  ModuleTarget mt{triple, tm->createDataLayout().getStringRepresentation(), cpu, features};
  KILN_ASSIGN_OR_RETURN(std::unique_ptr<llvm::Module> module,
                        BuildModule(program, options.external_weights, mt, context));
  KILN_RETURN_IF_ERROR(Optimize(*module, *tm));
  if (!options.llvm_path.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream out(options.llvm_path, ec, llvm::sys::fs::OF_Text);
    if (ec) return IoError("cannot write " + options.llvm_path + ": " + ec.message());
    module->print(out, nullptr);
  }
  if (!options.asm_path.empty()) {
    std::unique_ptr<llvm::Module> copy = llvm::CloneModule(*module);
    KILN_RETURN_IF_ERROR(EmitFile(*copy, *tm, options.asm_path, llvm::CodeGenFileType::AssemblyFile));
  }
  return EmitFile(*module, *tm, options.object_path, llvm::CodeGenFileType::ObjectFile);
}

}  // namespace kiln::cpu
