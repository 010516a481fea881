//===- ModelWriter.cpp - planned exec IR -> model.bin ---------------------===//
//
// Buffers: every exec.alloc becomes one entry (persistent ones once per
// name); every exec.view an entry at its source's offset plus its own.
// Calls: one table per exec call with its buffer indices and parameters.
// Variables carry their initializer so krun draws initial weights from the
// run's seed.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"

#include "codegen/Passes.h"
#include "contract/model_generated.h"
#include "ir/Exec/IR/ExecDialect.h"
#include "passes/Passes.h"

#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace kcc::codegen {

namespace fb = ::kcc::bin;

namespace {

fb::DType dtypeOf(Type t) {
  if (t.isF32())
    return fb::DType::F32;
  if (t.isBF16())
    return fb::DType::BF16;
  if (t.isInteger(32))
    return fb::DType::I32;
  if (t.isInteger(64))
    return fb::DType::I64;
  return fb::DType::U8;
}

int64_t elementBytes(Type t) { return (t.getIntOrFloatBitWidth() + 7) / 8; }

fb::Activation activationOf(graph::Activation a) { return static_cast<fb::Activation>(a); }

/// The Keras layer names an op serves, from its (possibly fused) location.
std::string layersOf(Location loc) {
  std::string out;
  loc->walk([&](Location l) {
    if (auto name = dyn_cast<NameLoc>(l)) {
      std::string n = name.getName().str();
      if (out.find(n) == std::string::npos)
        out += (out.empty() ? "" : ",") + n;
    }
    return WalkResult::advance();
  });
  return out;
}

class Writer {
public:
  Writer(ModuleOp module, const CodeObject &code) : module(module), code(code) {}

  LogicalResult write(const std::string &target, std::vector<uint8_t> &bytes) {
    for (auto [i, name] : llvm::enumerate(code.kernels))
      kernelIndex[name] = i;
    auto train = module.lookupSymbol<func::FuncOp>("train_step");
    auto eval = module.lookupSymbol<func::FuncOp>("eval_step");
    if (!train || !eval)
      return module.emitError("model.bin needs both @train_step and @eval_step programs");
    FailureOr<flatbuffers::Offset<fb::Program>> trainProgram = program(train);
    FailureOr<flatbuffers::Offset<fb::Program>> evalProgram = program(eval);
    if (failed(trainProgram) || failed(evalProgram))
      return failure();
    auto variables = writeVariables();
    if (failed(variables))
      return failure();

    std::vector<flatbuffers::Offset<fb::Buffer>> bufferTables;
    for (const BufferEntry &e : buffers)
      bufferTables.push_back(fb::CreateBufferDirect(
          fbb, e.name.empty() ? nullptr : e.name.c_str(), e.kind, e.dtype, &e.shape,
          e.layout.c_str(), e.offset, e.bytes, e.layoutDims.empty() ? nullptr : &e.layoutDims,
          e.layoutDims.empty() ? nullptr : e.plainLayout.c_str(), e.role));
    std::vector<flatbuffers::Offset<flatbuffers::String>> inputs;
    for (const std::string &name : inputNames)
      inputs.push_back(fbb.CreateString(name));
    std::vector<flatbuffers::Offset<flatbuffers::String>> kernels;
    std::vector<uint32_t> arity;
    for (const std::string &k : code.kernels) {
      kernels.push_back(fbb.CreateString(k));
      auto f = module.lookupSymbol<func::FuncOp>(k);
      if (!f)
        return module.emitError("no function for the compiled kernel '") << k << "'";
      // Buffers, then the [begin, end) range the entry wrapper passes on.
      arity.push_back(f.getNumArguments() - 2);
    }
    auto codeTable = fb::CreateCodeObject(fbb, fbb.CreateString(code.format), fbb.CreateString(code.cpu),
                                          fbb.CreateString(code.features), fbb.CreateVector(code.bytes),
                                          fbb.CreateVector(kernels), fbb.CreateVector(arity));
    auto memory = memoryReport();
    auto str = [&](StringRef attr) {
      auto s = module->getAttrOfType<StringAttr>(attr);
      return fbb.CreateString(s ? s.getValue().str() : "");
    };
    auto arena = module->getAttrOfType<DictionaryAttr>(kMemoryAttr);
    int64_t arenaBytes = arena ? arena.getAs<IntegerAttr>("arena_bytes").getInt() : 0;
    auto training = trainingTable();
    auto model = fb::CreateModel(fbb, kFormatVersion, fbb.CreateString("kcc 0.1"), str("kcc.source"),
                                 str("kcc.keras_version"), str("kcc.model_name"),
                                 fbb.CreateString(target), arenaBytes, fbb.CreateVector(bufferTables),
                                 fbb.CreateVector(*variables), fbb.CreateVector(inputs), dataFormat(),
                                 *trainProgram, *evalProgram, codeTable, training, memory,
                                 str("kcc.keras_config"));
    fb::FinishModelBuffer(fbb, model);
    bytes.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    fb::appendTrailer(bytes);
    return success();
  }

private:
  ModuleOp module;
  const CodeObject &code;
  flatbuffers::FlatBufferBuilder fbb{1 << 16};

  struct BufferEntry {
    std::string name, layout, plainLayout;
    std::vector<int64_t> layoutDims;
    fb::BufferKind kind;
    fb::BufferRole role = fb::BufferRole::None;
    fb::DType dtype;
    std::vector<int64_t> shape;
    int64_t offset, bytes;
  };
  std::vector<BufferEntry> buffers;
  llvm::DenseMap<Value, uint32_t> bufferIndex;
  llvm::StringMap<uint32_t> namedIndex;
  llvm::StringMap<uint32_t> kernelIndex;
  std::vector<std::string> inputNames;

  /// Index of the buffer entry for |v| (an alloc or a view), adding it.
  uint32_t indexOf(Value v) {
    auto it = bufferIndex.find(v);
    if (it != bufferIndex.end())
      return it->second;
    auto type = cast<exec::BufferType>(v.getType());
    BufferEntry e;
    e.dtype = dtypeOf(type.getElementType());
    e.shape.assign(type.getShape().begin(), type.getShape().end());
    e.layout = type.isPlain() ? "" : type.getLayout().getValue().str();
    if (auto alloc = v.getDefiningOp<exec::AllocOp>()) {
      if (alloc.isPersistent()) {
        auto named = namedIndex.find(*alloc.getName());
        if (named != namedIndex.end())
          return bufferIndex[v] = named->second;
        e.name = alloc.getName()->str();
      }
      e.kind = static_cast<fb::BufferKind>(alloc.getKind());
      if (auto role = alloc.getRole())
        e.role = roleOf(*role);
      e.offset = alloc.getOffset().value_or(0);
      e.bytes = alloc.getSizeInBytes();
      if (auto dims = alloc->getAttrOfType<DenseI64ArrayAttr>(kLayoutDimsAttr)) {
        e.layoutDims.assign(dims.asArrayRef().begin(), dims.asArrayRef().end());
        e.plainLayout = alloc->getAttrOfType<StringAttr>(kPlainLayoutAttr).getValue().str();
      }
    } else {
      auto view = v.getDefiningOp<exec::ViewOp>();
      uint32_t src = indexOf(view.getSource());
      e.kind = buffers[src].kind;
      e.offset = buffers[src].offset + view.getOffset() * elementBytes(type.getElementType());
      e.bytes = type.getPlainBytes();
      if (!type.isPlain()) // a layout kept through unit dims: the source's bytes
        e.bytes = buffers[src].bytes, e.layoutDims = buffers[src].layoutDims, e.plainLayout = buffers[src].plainLayout;
    }
    uint32_t index = buffers.size();
    buffers.push_back(e);
    if (!e.name.empty())
      namedIndex[e.name] = index;
    return bufferIndex[v] = index;
  }

  std::vector<uint32_t> indices(ValueRange values) {
    std::vector<uint32_t> out;
    for (Value v : values)
      out.push_back(indexOf(v));
    return out;
  }

  flatbuffers::Offset<fb::ConvParams> convParams(Operation *op, graph::Activation act) {
    auto i = [&](StringRef n) { return op->getAttrOfType<IntegerAttr>(n).getInt(); };
    auto arr = [&](StringRef n) {
      ArrayRef<int64_t> a = op->getAttrOfType<DenseI64ArrayAttr>(n).asArrayRef();
      return fbb.CreateVector(a.data(), a.size());
    };
    auto format = op->getAttrOfType<graph::DataFormatAttr>("data_format").getValue();
    return fb::CreateConvParams(fbb, i("batch"), i("in_channels"), i("in_height"), i("in_width"),
                                i("out_channels"), i("out_height"), i("out_width"), i("kernel_height"),
                                i("kernel_width"), arr("strides"), arr("dilations"), arr("pads"),
                                format == graph::DataFormat::channels_first, activationOf(act));
  }

  flatbuffers::Offset<fb::PoolParams> poolParams(Operation *op) {
    auto i = [&](StringRef n) { return op->getAttrOfType<IntegerAttr>(n).getInt(); };
    auto arr = [&](StringRef n) {
      ArrayRef<int64_t> a = op->getAttrOfType<DenseI64ArrayAttr>(n).asArrayRef();
      return fbb.CreateVector(a.data(), a.size());
    };
    auto format = op->getAttrOfType<graph::DataFormatAttr>("data_format").getValue();
    return fb::CreatePoolParams(fbb, i("batch"), i("channels"), i("in_height"), i("in_width"),
                                i("out_height"), i("out_width"), arr("pool_size"), arr("strides"),
                                arr("pads"), format == graph::DataFormat::channels_first);
  }

  FailureOr<uint32_t> kernelOf(Operation *op, StringRef symbol) {
    auto it = kernelIndex.find(symbol);
    if (it == kernelIndex.end())
      return op->emitError("kernel @") << symbol << " was not compiled";
    return it->second;
  }

  FailureOr<flatbuffers::Offset<fb::Call>> call(Operation *op) {
    auto iface = cast<exec::CallOpInterface>(op);
    std::vector<uint32_t> ins = indices(iface.getInputs()), outs = indices(iface.getOutputs());
    fb::CallKind kind;
    fb::Params type;
    flatbuffers::Offset<void> params;
    if (auto mm = dyn_cast<exec::MatMulOp>(op)) {
      kind = fb::CallKind::MatMul, type = fb::Params::MatMulParams;
      params = fb::CreateMatMulParams(fbb, mm.getM(), mm.getN(), mm.getK(), mm.getTransposeA(),
                                      mm.getTransposeB(), mm.getAccumulate(),
                                      activationOf(mm.getActivation()))
                   .Union();
    } else if (auto conv = dyn_cast<exec::Conv2DOp>(op)) {
      kind = fb::CallKind::Conv2D, type = fb::Params::ConvParams;
      params = convParams(op, conv.getActivation()).Union();
    } else if (isa<exec::Conv2DBackwardDataOp>(op)) {
      kind = fb::CallKind::Conv2DBackwardData, type = fb::Params::ConvParams;
      params = convParams(op, graph::Activation::linear).Union();
    } else if (isa<exec::Conv2DBackwardFilterOp>(op)) {
      kind = fb::CallKind::Conv2DBackwardFilter, type = fb::Params::ConvParams;
      params = convParams(op, graph::Activation::linear).Union();
    } else if (isa<exec::MaxPool2DOp>(op)) {
      kind = fb::CallKind::MaxPool2D, type = fb::Params::PoolParams;
      params = poolParams(op).Union();
    } else if (isa<exec::MaxPool2DBackwardOp>(op)) {
      kind = fb::CallKind::MaxPool2DBackward, type = fb::Params::PoolParams;
      params = poolParams(op).Union();
    } else if (auto lf = dyn_cast<exec::LSTMForwardOp>(op)) {
      auto cell = kernelOf(op, lf.getCell());
      if (failed(cell))
        return failure();
      kind = fb::CallKind::LSTMForward, type = fb::Params::LstmParams;
      params = fb::CreateLstmParams(fbb, *cell, lf.getBatch(), lf.getSteps(), lf.getUnits(), false).Union();
    } else if (auto lb = dyn_cast<exec::LSTMBackwardOp>(op)) {
      auto cell = kernelOf(op, lb.getCell());
      if (failed(cell))
        return failure();
      kind = fb::CallKind::LSTMBackward, type = fb::Params::LstmParams;
      params = fb::CreateLstmParams(fbb, *cell, lb.getBatch(), lb.getSteps(), lb.getUnits(),
                                    lb.getReturnSequences())
                   .Union();
    } else if (auto k = dyn_cast<exec::KernelOp>(op)) {
      auto index = kernelOf(op, k.getKernel());
      if (failed(index))
        return failure();
      kind = fb::CallKind::Kernel, type = fb::Params::KernelParams;
      params = fb::CreateKernelParams(fbb, *index, k.getDomain(), k.getSerial()).Union();
    } else if (isa<exec::ReorderOp>(op)) {
      kind = fb::CallKind::Reorder, type = fb::Params::ReorderParams;
      params = fb::CreateReorderParams(fbb).Union();
    } else if (auto fill = dyn_cast<exec::FillOp>(op)) {
      kind = fb::CallKind::Fill, type = fb::Params::FillParams;
      params = fb::CreateFillParams(fbb, fill.getValue().convertToDouble()).Union();
    } else if (isa<exec::AllReduceOp>(op)) {
      kind = fb::CallKind::AllReduce, type = fb::Params::AllReduceParams;
      params = fb::CreateAllReduceParams(fbb).Union();
    } else {
      return op->emitError("no model.bin encoding for this call");
    }
    return fb::CreateCallDirect(fbb, kind, &ins, &outs, type, params, layersOf(op->getLoc()).c_str());
  }

  FailureOr<flatbuffers::Offset<fb::Program>> program(func::FuncOp f) {
    if (inputNames.empty())
      if (auto names = f->getAttrOfType<ArrayAttr>("exec.inputs"))
        for (Attribute a : names)
          inputNames.push_back(cast<StringAttr>(a).getValue().str());
    std::vector<flatbuffers::Offset<fb::Call>> calls;
    for (Operation &op : f.getBody().front()) {
      if (auto alloc = dyn_cast<exec::AllocOp>(op)) {
        indexOf(alloc.getResult());
        continue;
      }
      if (isa<exec::ViewOp, func::ReturnOp>(op))
        continue;
      auto c = call(&op);
      if (failed(c))
        return failure();
      calls.push_back(*c);
    }
    return fb::CreateProgramDirect(fbb, f.getSymName().str().c_str(), &calls);
  }

  FailureOr<std::vector<flatbuffers::Offset<fb::Variable>>> writeVariables() {
    std::vector<flatbuffers::Offset<fb::Variable>> out;
    for (auto var : module.getOps<graph::VariableOp>()) {
      auto it = namedIndex.find(var.getSymName());
      if (it == namedIndex.end())
        continue; // never read: nothing to store
      graph::InitializerAttr init = var.getInit();
      DictionaryAttr p = init.getParams();
      auto f = [&](StringRef k) {
        auto a = p.getAs<FloatAttr>(k);
        return a ? a.getValueAsDouble() : 0.0;
      };
      auto s = [&](StringRef k) {
        auto a = p.getAs<StringAttr>(k);
        return fbb.CreateString(a ? a.getValue().str() : "");
      };
      auto initTable = fb::CreateInitializer(fbb, fbb.CreateString(init.getKind().getValue().str()), f("scale"),
                                             s("mode"), s("distribution"), f("minval"), f("maxval"), f("mean"),
                                             f("stddev"), f("gain"), f("value"));
      out.push_back(fb::CreateVariable(fbb, fbb.CreateString(var.getSymName().str()), it->second,
                                       var.getRole() == graph::VariableRole::optimizer_state,
                                       fbb.CreateString(var.getLayer().str()),
                                       var.getWeightIndex() ? static_cast<int32_t>(*var.getWeightIndex()) : -1,
                                       initTable,
                                       var.getKerasPath() ? fbb.CreateString(var.getKerasPath()->str()) : 0));
    }
    return out;
  }

  static fb::BufferRole roleOf(graph::StepRole role) {
    switch (role) {
    case graph::StepRole::input: return fb::BufferRole::Input;
    case graph::StepRole::target: return fb::BufferRole::Target;
    case graph::StepRole::mask: return fb::BufferRole::Mask;
    case graph::StepRole::seed: return fb::BufferRole::Seed;
    case graph::StepRole::step: return fb::BufferRole::Step;
    case graph::StepRole::loss: return fb::BufferRole::Loss;
    case graph::StepRole::correct: return fb::BufferRole::Correct;
    case graph::StepRole::pred: return fb::BufferRole::Pred;
    case graph::StepRole::row_offset: return fb::BufferRole::RowOffset;
    }
    llvm_unreachable("step roles are covered");
  }

  fb::DataFormat dataFormat() {
    auto f = module->getAttrOfType<graph::DataFormatAttr>(kDataFormatAttr);
    return f && f.getValue() == graph::DataFormat::channels_first ? fb::DataFormat::ChannelsFirst
                                                                   : fb::DataFormat::ChannelsLast;
  }

  flatbuffers::Offset<fb::Training> trainingTable() {
    auto t = module->getAttrOfType<graph::TrainingAttr>(kTrainingAttr);
    if (!t)
      return 0;
    graph::OptimizerAttr o = t.getOptimizer();
    auto opt = fb::CreateOptimizer(fbb, fbb.CreateString(graph::stringifyOptimizerKind(o.getKind()).str()),
                                   o.getLr().convertToDouble(), o.getRho().convertToDouble(), o.getEpsilon().convertToDouble(), o.getDecay().convertToDouble(), o.getMomentum().convertToDouble(),
                                   o.getBeta_1().convertToDouble(), o.getBeta_2().convertToDouble(), o.getNesterov(),
                                   o.getKeras() == graph::KerasVersion::keras3);
    std::vector<flatbuffers::Offset<flatbuffers::String>> metrics;
    for (Attribute a : t.getMetrics() ? t.getMetrics() : ArrayAttr())
      metrics.push_back(fbb.CreateString(cast<StringAttr>(a).getValue().str()));
    auto str = [&](StringRef v) { return fbb.CreateString(v.str()); };
    return fb::CreateTraining(
        fbb, str(graph::stringifyLossKind(t.getLoss())), fbb.CreateVector(metrics), opt, t.getBatchSize(),
        t.getEpochs(), t.getStepsPerEpoch(), t.getShuffle(), str(t.getDataset()),
        str(t.getDatasetTask()), str(t.getDatasetSet()), str(graph::stringifyValidation(t.getValidation())),
        t.getValidationSplit().convertToDouble(), t.getAugment(), t.getWidthShiftRange().convertToDouble(), t.getHeightShiftRange().convertToDouble(),
        t.getHorizontalFlip(), t.getRanks());
  }

  flatbuffers::Offset<fb::MemoryReport> memoryReport() {
    auto m = module->getAttrOfType<DictionaryAttr>(kMemoryAttr);
    auto get = [&](StringRef k) {
      auto a = m ? m.getAs<IntegerAttr>(k) : nullptr;
      return a ? a.getInt() : 0;
    };
    return fb::CreateMemoryReport(fbb, get("arena_bytes"), get("persistent_bytes"), get("transient_bytes"),
                                  get("weight"), get("optimizer_state"), get("input"), get("output"),
                                  get("activation_unshared"), get("gradient_unshared"),
                                  get("workspace_unshared"));
  }
};

} // namespace

LogicalResult writeModel(ModuleOp module, const CodeObject &code, const std::string &target,
                         std::vector<uint8_t> &bytes) {
  return Writer(module, code).write(target, bytes);
}

} // namespace kcc::codegen
