//===- Importer.cpp - Keras model -> graph dialect -------------------------===//
//
// 1. Declare @forward's arguments: one per model input (shape from the
//    input layer, batch fixed to the training batch size), then seed, step.
// 2. Import layer calls in dependency order (Keras files may list a layer
//    before its inputs), each through its class's import function.
// 3. Number the weights in Keras's get_weights() order and return the
//    output. Errors are collected, not fatal, to report them all at once.
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"

#include "frontend/Json.h"

#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"

#include <algorithm>

namespace kcc::frontend {

using json::member;
using namespace mlir;

/// Elements one tensor may hold: 2^40 float32 are 4 TiB, beyond any machine
/// kcc targets; the cap also keeps every size product inside int64.
constexpr int64_t kMaxElements = int64_t(1) << 40;

bool Importer::checkSize(const Layer &layer, Type type, const char *what) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return true;
  int64_t n = 1;
  std::string dims;
  bool overflow = false;
  for (int64_t d : shaped.getShape()) {
    overflow |= __builtin_mul_overflow(n, d, &n) || n > kMaxElements;
    dims += (dims.empty() ? "" : "x") + std::to_string(d);
  }
  if (!overflow)
    return true;
  diag.error(layer.where(), std::string("its ") + what + " of shape " + dims + " has more than 2^40 elements; "
                            "no machine could hold it (check the layer's sizes and the batch size)");
  return false;
}

Location Importer::loc(const Layer &layer) {
  return NameLoc::get(b.getStringAttr(layer.name),
                      FileLineColLoc::get(b.getStringAttr(model.file), 0, 0));
}

/// The L2 factor of weight |name|'s regularizer in |cfg| (Keras 1 keys too).
static std::optional<double> l2Of(LayerConfig &cfg, StringRef name) {
  if (name == "kernel")
    return cfg.l2Regularizer({"kernel_regularizer", "W_regularizer"});
  if (name == "depthwise_kernel")
    return cfg.l2Regularizer({"depthwise_regularizer"});
  if (name == "pointwise_kernel")
    return cfg.l2Regularizer({"pointwise_regularizer"});
  if (name == "recurrent_kernel")
    return cfg.l2Regularizer({"recurrent_regularizer", "U_regularizer"});
  if (name == "bias")
    return cfg.l2Regularizer({"bias_regularizer", "b_regularizer"});
  if (name == "embeddings")
    return cfg.l2Regularizer({"embeddings_regularizer", "W_regularizer"});
  if (name == "gamma" || name == "beta")
    return cfg.l2Regularizer({name == "gamma" ? "gamma_regularizer" : "beta_regularizer"});
  return 0.0;
}

std::string kerasVarsGroup(const std::string &path, const std::string &className) {
  if (path.empty())
    return path;
  bool recurrent = className == "LSTM" || className == "GRU" || className == "SimpleRNN";
  return recurrent ? path + "/cell" : path;
}

Value Importer::weight(LayerCall &call, StringRef name, ArrayRef<int64_t> shape,
                       graph::InitializerAttr init, bool trainable) {
  std::string sym = call.weightOwner + "." + name.str();
  auto var = module.lookupSymbol<graph::VariableOp>(sym);
  if (!var && !checkSize(call.layer, RankedTensorType::get(shape, b.getF32Type()), "weight"))
    return nullptr;
  if (!var) {
    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    if (auto forward = module.lookupSymbol<func::FuncOp>("forward"))
      mb.setInsertionPoint(forward);
    int local = 0, inGroup = 0;
    for (const WeightRecord &w : weights) {
      local += w.layerIndex == call.layer.configIndex;
      inGroup += w.saveGroup == call.saveGroup;
    }
    // Keras keeps a frozen layer's weights out of the trainable ones.
    const rapidjson::Value *layerTrainable = member(call.layer.config, "trainable");
    if (layerTrainable && !layerTrainable->IsBool()) {
      diag.error(call.layer.where("trainable"), "expected true or false, found " + json::render(layerTrainable));
      return nullptr;
    }
    std::optional<double> l2 = l2Of(call.cfg, name);
    if (!l2)
      return nullptr;
    var = mb.create<graph::VariableOp>(loc(call.layer), sym, RankedTensorType::get(shape, b.getF32Type()),
                                       init, graph::VariableRole::weight, call.weightOwner, IntegerAttr(),
                                       trainable && (!layerTrainable || layerTrainable->GetBool()) &&
                                           !call.layer.frozenByModel,
                                       llvm::APFloat(*l2), StringAttr());
    if (!call.saveGroup.empty())
      var.setKerasPathAttr(b.getStringAttr(call.saveGroup + "/vars/" + std::to_string(inGroup)));
    weights.push_back({call.layer.configIndex, local, var, call.saveGroup});
  } else if (var.getType().getShape() != shape) {
    // A shared layer called on inputs of another shape.
    emitError(loc(call.layer)) << "shared layer called with inputs of different shapes";
    return nullptr;
  }
  return b.create<graph::LoadOp>(loc(call.layer), var.getType(), sym);
}

std::optional<std::vector<int64_t>> Importer::inputShape(const Layer &layer) {
  const rapidjson::Value *cfg = layer.config;
  const rapidjson::Value *withBatch = member(cfg, "batch_input_shape");
  if (!withBatch)
    withBatch = member(cfg, "batch_shape");
  if (!withBatch)
    withBatch = member(member(cfg, "build_config"), "input_shape");
  if (!withBatch)
    withBatch = member(member(cfg, "config"), "build_input_shape");
  std::vector<int64_t> shape = {batch};
  const rapidjson::Value *dims = withBatch;
  size_t first = 1;
  if (!dims) {
    first = 0;
    dims = member(cfg, "input_shape");
    if (const rapidjson::Value *v = member(cfg, "input_dim"); !json::isNull(v)) {
      auto dim = json::integer(v);
      if (!dim || *dim < 1 || *dim > LayerConfig::kMaxSize) {
        diag.error(layer.where("input_dim"), "expected a positive integer (at most 2^31-1), found " + json::render(v));
        return std::nullopt;
      }
      shape.push_back(*dim);
      return shape;
    }
  }
  if (!dims || !dims->IsArray()) {
    diag.error(layer.where(), "cannot tell the input shape (expected batch_input_shape, "
                              "batch_shape or input_shape)");
    return std::nullopt;
  }
  for (size_t i = first; i < dims->Size(); ++i) {
    auto d = json::integer(&(*dims)[i]);
    if (!d || *d < 1 || *d > LayerConfig::kMaxSize) {
      diag.error(layer.where(), "input dimension " + std::to_string(i) + " is " +
                                    json::render(&(*dims)[i]) +
                                    "; kcc needs static input shapes (only the batch may be null)");
      return std::nullopt;
    }
    shape.push_back(*d);
  }
  return shape;
}

bool Importer::feedsEmbedding(const std::string &layerName) const {
  for (const Layer &l : model.layers)
    for (const auto &call : l.calls)
      for (const TensorRef &r : call)
        if (r.layer == layerName && (l.className == "Embedding"))
          return true;
  return false;
}

bool Importer::declareInputs(func::FuncOp &forward) {
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;
  for (const TensorRef &ref : model.inputs) {
    const Layer *layer = model.find(ref.layer);
    auto shape = inputShape(*layer);
    if (!shape)
      return false;
    std::string dtype = json::string(member(layer->config, "dtype"))
                            .value_or(json::string(member(member(member(layer->config, "dtype"), "config"), "name"))
                                          .value_or("float32"));
    bool integer = feedsEmbedding(layer->name) || dtype.rfind("int", 0) == 0;
    types.push_back(RankedTensorType::get(*shape, integer ? Type(b.getI32Type()) : Type(b.getF32Type())));
    attrs.push_back(b.getDictionaryAttr({b.getNamedAttr(kRoleAttr, graph::StepRoleAttr::get(&ctx, graph::StepRole::input)),
                                         b.getNamedAttr("kcc.name", b.getStringAttr(layer->name))}));
  }
  Type i64 = RankedTensorType::get({}, b.getI64Type());
  for (graph::StepRole role : {graph::StepRole::seed, graph::StepRole::step}) {
    types.push_back(i64);
    attrs.push_back(b.getDictionaryAttr({b.getNamedAttr(kRoleAttr, graph::StepRoleAttr::get(&ctx, role))}));
  }
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  forward = mb.create<func::FuncOp>(FileLineColLoc::get(b.getStringAttr(model.file), 0, 0), "forward",
                                    mb.getFunctionType(types, {}));
  forward.setAllArgAttrs(attrs);
  Block *entry = forward.addEntryBlock();
  for (auto [i, ref] : llvm::enumerate(model.inputs)) {
    if (!checkSize(*model.find(ref.layer), types[i], "input"))
      return false;
    tensors[{ref.layer, 0, 0}] = entry->getArgument(i);
  }
  seed = entry->getArgument(model.inputs.size());
  step = entry->getArgument(model.inputs.size() + 1);
  b.setInsertionPointToEnd(entry);
  return true;
}

bool Importer::importCalls() {
  // (layer index, call index) pairs still to import.
  std::vector<std::pair<size_t, size_t>> pending;
  for (size_t i = 0; i < model.layers.size(); ++i)
    if (model.layers[i].className != "InputLayer")
      for (size_t c = 0; c < model.layers[i].calls.size(); ++c)
        pending.push_back({i, c});
  bool ok = true;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](auto &p) {
      for (const TensorRef &r : model.layers[p.first].calls[p.second])
        if (!tensors.count({r.layer, r.node, r.tensor}))
          return false;
      return true;
    });
    if (ready == pending.end()) {
      for (auto &[li, ci] : pending) {
        const Layer &l = model.layers[li];
        for (const TensorRef &r : l.calls[ci])
          if (!tensors.count({r.layer, r.node, r.tensor}) && !model.find(r.layer))
            diag.error(l.where(), "takes its input from unknown layer '" + r.layer + "'");
      }
      if (!diag.failed())
        diag.error(model.layers[pending.front().first].where(),
                   "the layer graph has a cycle or an input that is never produced");
      return false;
    }
    auto [li, ci] = *ready;
    pending.erase(ready);
    const Layer &layer = model.layers[li];
    LayerImportFn fn = findLayerImporter(layer.className);
    if (!fn) {
      diag.error(layer.where(), "unsupported layer class '" + layer.className + "'");
      ok = false;
      // Pass the input through so that the layers after it are still checked.
      const auto &refs = layer.calls[ci];
      if (!refs.empty())
        tensors[{layer.name, static_cast<int>(ci), 0}] = tensors[{refs[0].layer, refs[0].node, refs[0].tensor}];
      continue;
    }
    LayerCall call{*this, layer, LayerConfig(layer, model.generation, diag, model.kerasVersion), {}, layer.name,
                   kerasVarsGroup(layer.savePath, layer.className)};
    for (const TensorRef &r : layer.calls[ci])
      call.inputs.push_back(tensors[{r.layer, r.node, r.tensor}]);
    SmallVector<Value> outputs;
    size_t errorsBefore = diag.all().size();
    if (!fn(call, outputs) || diag.all().size() != errorsBefore ||
        llvm::any_of(outputs, [](Value v) { return !v; })) {
      if (diag.all().size() == errorsBefore)
        diag.error(layer.where(), "could not be imported");
      ok = false;
      // Keep going with a placeholder so later layers still get checked.
      outputs.assign(1, call.inputs.empty() ? Value() : call.inputs.front());
      if (!outputs.front())
        continue;
    }
    for (auto [t, v] : llvm::enumerate(outputs)) {
      if (!checkSize(layer, v.getType(), "output"))
        ok = false;
      tensors[{layer.name, static_cast<int>(ci), static_cast<int>(t)}] = v;
    }
  }
  return ok;
}

void Importer::numberWeights() {
  // Keras 3's get_weights() goes layer by layer; Keras 1/2 (and tf.keras)
  // list every trainable weight first, then the frozen ones.
  bool frozenLast = model.generation != Generation::Keras3;
  llvm::stable_sort(weights, [&](WeightRecord a, WeightRecord b) {
    bool af = frozenLast && !a.var.getTrainable(), bf = frozenLast && !b.var.getTrainable();
    return std::tie(af, a.layerIndex, a.local) < std::tie(bf, b.layerIndex, b.local);
  });
  for (auto [i, w] : llvm::enumerate(weights))
    w.var.setWeightIndex(static_cast<uint64_t>(i));
}

OwningOpRef<ModuleOp> Importer::run(const TrainingSettings &settings) {
  // Data parallel: each process's step holds its share of the global batch.
  int64_t ranks = std::clamp<int64_t>(settings.ranks, 1, settings.batchSize);
  batch = (settings.batchSize + ranks - 1) / ranks;
  OwningOpRef<ModuleOp> owned = ModuleOp::create(FileLineColLoc::get(b.getStringAttr(model.file), 0, 0));
  module = *owned;
  module->setAttr(kTrainingAttr, trainingAttr(&ctx, settings));
  module->setAttr("kcc.source", b.getStringAttr(model.file));
  module->setAttr("kcc.keras_version", b.getStringAttr(model.kerasVersion));
  module->setAttr("kcc.model_name", b.getStringAttr(model.name));
  if (!model.keras3Config.empty())
    module->setAttr("kcc.keras_config", b.getStringAttr(model.keras3Config));

  // Shape rules report through MLIR diagnostics; fold them into ours with
  // the layer the op came from.
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    std::string where;
    if (auto name = dyn_cast<NameLoc>(d.getLocation()))
      if (const Layer *l = model.find(name.getName().str()))
        where = l->where();
    diag.error(where, d.str());
    return success();
  });

  func::FuncOp forward;
  if (!declareInputs(forward))
    return nullptr;
  bool ok = importCalls();
  if (model.outputs.size() != 1) {
    diag.error("", "models with " + std::to_string(model.outputs.size()) +
                       " outputs are not supported (one output expected)");
    return nullptr;
  }
  const TensorRef &out = model.outputs.front();
  Value result = tensors.count({out.layer, out.node, out.tensor}) ? tensors[{out.layer, out.node, out.tensor}]
                                                                  : Value();
  if (!ok || !result || diag.failed())
    return nullptr;
  b.create<func::ReturnOp>(forward.getLoc(), result);
  forward.setType(b.getFunctionType(forward.getArgumentTypes(), result.getType()));
  numberWeights();
  // krun lays image batches out as the layers read them; Keras's
  // image_data_format is one setting for the whole model.
  graph::DataFormat format = graph::DataFormat::channels_last;
  module.walk([&](Operation *op) {
    if (auto conv = dyn_cast<graph::Conv2DOp>(op))
      format = conv.getDataFormat();
    else if (auto pool = dyn_cast<graph::MaxPool2DOp>(op))
      format = pool.getDataFormat();
  });
  module->setAttr(kDataFormatAttr, graph::DataFormatAttr::get(&ctx, format));
  return owned;
}

OwningOpRef<ModuleOp> importKerasModel(MLIRContext &ctx, const KerasModel &model,
                                       const ImportOptions &options, Diagnostics &diag) {
  ctx.loadDialect<graph::GraphDialect, func::FuncDialect, arith::ArithDialect>();
  TrainingSettings settings = readTrainingSettings(model, options.overrides, diag);
  // The layers are checked even when the settings are wrong or missing, so
  // that one run lists everything a file lacks.
  bool settingsFailed = diag.failed();
  settings.batchSize = std::max<int64_t>(settings.batchSize, 1);
  Importer importer(ctx, model, diag);
  OwningOpRef<ModuleOp> module = importer.run(settings);
  if (settingsFailed)
    return nullptr;
  return module;
}

} // namespace kcc::frontend
