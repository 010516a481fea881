//===- ImportLayers.cpp - one import function per Keras layer class -------===//
//
// Each function reads its layer's config (LayerConfig reports bad values),
// declares the layer's weights with Keras's shapes and initializers, and
// emits graph ops. Weight shapes follow Keras's build(): they come from the
// input shapes, which the ops' shape rules have already computed.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportLayers.h"

#include "frontend/Json.h"

#include "ir/Graph/IR/ops/Common.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

namespace kcc::frontend {

using namespace mlir;
using namespace kcc::graph;
using json::member;

namespace layers {

void rejectRegularizers(LayerConfig &cfg) {
  for (const char *key : {"activity_regularizer", "kernel_constraint", "bias_constraint", "recurrent_constraint",
                          "embeddings_constraint", "W_constraint", "b_constraint", "U_constraint"})
    cfg.unsupportedIfSet(key, std::string("'") + key + "'");
}

NamedAttribute named(Importer &imp, StringRef name, Attribute a) {
  return imp.b.getNamedAttr(name, a);
}

/// Applies a Keras activation to |x| (softmax is its own op).
Value applyActivation(LayerCall &call, Value x, const ActivationSpec &act) {
  Importer &imp = call.imp;
  if (!x)
    return x;
  if (act.softmax)
    return imp.create<SoftmaxOp>(call.layer, x);
  if (act.relu) {
    SmallVector<NamedAttribute> attrs = {named(imp, "negative_slope", imp.b.getF64FloatAttr(act.relu->negativeSlope)),
                                         named(imp, "threshold", imp.b.getF64FloatAttr(act.relu->threshold))};
    if (act.relu->maxValue)
      attrs.push_back(named(imp, "max_value", imp.b.getF64FloatAttr(*act.relu->maxValue)));
    return imp.create<ReluOp>(call.layer, x, attrs);
  }
  auto activated = [&](Value v, Activation kind) {
    return imp.create<ActivationOp>(call.layer, v, {named(imp, "kind", ActivationAttr::get(&imp.ctx, kind))});
  };
  switch (act.composite) { // x times a gate of x; autodiff differentiates through both
  case CompositeActivation::swish:
    return imp.create<MulOp>(call.layer, {x, activated(x, Activation::sigmoid)});
  case CompositeActivation::hard_swish: // Keras's hard_silu: x * relu6(x + 3) / 6
    return imp.create<MulOp>(call.layer, {x, activated(x, Activation::hard_sigmoid_v3)});
  case CompositeActivation::mish:
    return imp.create<MulOp>(call.layer, {x, activated(activated(x, Activation::softplus), Activation::tanh)});
  case CompositeActivation::gelu:
    return imp.create<GeluOp>(call.layer, x);
  case CompositeActivation::none:
    break;
  }
  if (act.kind == Activation::linear)
    return x;
  return imp.create<ActivationOp>(call.layer, x,
                                  {named(imp, "kind", ActivationAttr::get(&imp.ctx, act.kind))});
}

Value addBias(LayerCall &call, Value x, Value bias, int64_t axis) {
  if (!x || !bias)
    return x;
  return call.imp.create<BiasAddOp>(call.layer, {x, bias},
                                    {named(call.imp, "axis", call.imp.b.getI64IntegerAttr(axis))});
}

bool expectInputs(LayerCall &call, size_t n) {
  if (call.inputs.size() == n)
    return true;
  call.cfg.error({"name"}, "expects " + std::to_string(n) + " input(s), got " +
                               std::to_string(call.inputs.size()));
  return false;
}

Value reshape(LayerCall &call, Value x, ArrayRef<int64_t> shape) {
  if (!x)
    return x;
  return call.imp.create<ReshapeOp>(call.layer, x, {named(call.imp, "shape", call.imp.b.getDenseI64ArrayAttr(shape))});
}

} // namespace layers

namespace {

using namespace layers;

//===----------------------------------------------------------------------===//
// Core layers
//===----------------------------------------------------------------------===//

bool importDense(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto units = cfg.positiveInt({"units", "output_dim"});
  auto act = cfg.activation({"activation"}, "linear");
  bool useBias = cfg.flag({"use_bias", "bias"}, true);
  auto kinit = cfg.initializer(&imp.ctx, {"kernel_initializer", "init"}, "glorot_uniform");
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  cfg.unsupportedIfSet("lora_rank", "LoRA");
  cfg.unsupportedIfSet("quantization_config", "quantization");
  Value x = call.inputs[0];
  if (!units || !act || !kinit || !binit)
    return false;
  int64_t in = shapeOf(x).back();
  Value w = imp.weight(call, "kernel", {in, *units}, kinit);
  if (!w) // reported by weight()
    return false;
  Value y = imp.create<MatMulOp>(call.layer, {x, w});
  if (useBias)
    y = addBias(call, y, imp.weight(call, "bias", {*units}, binit), -1);
  out.push_back(applyActivation(call, y, *act));
  return true;
}

bool importActivation(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  auto act = call.cfg.activation({"activation"}, "linear");
  if (!act)
    return false;
  out.push_back(applyActivation(call, call.inputs[0], *act));
  return true;
}


bool importBatchNormalization(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  Value x = call.inputs[0];
  int64_t rank = shapeOf(x).size();
  const rapidjson::Value *axisValue = cfg.find({"axis"});
  if (axisValue && axisValue->IsArray() && axisValue->Size() == 1) // Keras 3 may write [axis]
    axisValue = &(*axisValue)[0];
  auto axis = axisValue ? json::integer(axisValue) : std::optional<int64_t>(-1);
  if (!axis || *axis < -rank || *axis >= rank || (*axis + rank) % rank == 0) {
    cfg.error({"axis"}, "expected one channel axis of the " + std::to_string(rank) +
                            "-D input other than the batch axis, found " + json::render(axisValue));
    return false;
  }
  int64_t channelAxis = (*axis + rank) % rank;
  double momentum = cfg.number({"momentum"}, 0.99), epsilon = cfg.number({"epsilon"}, 1e-3);
  if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
    cfg.error({"momentum", "epsilon"}, "expected momentum in [0, 1] and epsilon > 0");
    return false;
  }
  if (json::integer(cfg.find({"mode"})).value_or(0) != 0)
    cfg.error({"mode"}, "Keras 1 BatchNormalization modes other than 0 are not supported");
  for (const char *key : {"beta_constraint", "gamma_constraint", "renorm", "virtual_batch_size", "adjustment",
                          "synchronized"})
    cfg.unsupportedIfSet(key, std::string("'") + key + "'");
  // Keras 3 (and tf.keras on TF 2) run a frozen BatchNormalization in
  // inference mode; standalone Keras 1/2 did not, and their files cannot
  // always be told from tf.keras's: refused there rather than guessed.
  bool frozen = !json::boolean(member(call.layer.config, "trainable")).value_or(true) || call.layer.frozenByModel;
  if (frozen && cfg.generation() != Generation::Keras3)
    cfg.error({"trainable"}, "a frozen BatchNormalization (trainable: false, or in a frozen model) is supported "
                             "in Keras 3 files only (it runs in inference mode there; Keras 1/2 meanings differ)");
  bool center = cfg.flag({"center"}, true), scale = cfg.flag({"scale"}, true);
  int64_t c = shapeOf(x)[channelAxis];
  MLIRContext *ctx = &imp.ctx;
  auto ginit = cfg.initializer(ctx, {"gamma_initializer", "gamma_init"}, "ones");
  auto binit = cfg.initializer(ctx, {"beta_initializer", "beta_init"}, "zeros");
  auto minit = cfg.initializer(ctx, {"moving_mean_initializer"}, "zeros");
  auto vinit = cfg.initializer(ctx, {"moving_variance_initializer"}, "ones");
  if (!ginit || !binit || !minit || !vinit)
    return false;
  // Keras creates gamma, beta, moving_mean, moving_variance in this order.
  auto constant = [&](double v) {
    auto type = RankedTensorType::get({c}, imp.b.getF32Type());
    return imp.b.create<arith::ConstantOp>(imp.loc(call.layer), DenseElementsAttr::get(type, static_cast<float>(v)))
        .getResult();
  };
  Value gamma = scale ? imp.weight(call, "gamma", {c}, ginit) : constant(1.0);
  Value beta = center ? imp.weight(call, "beta", {c}, binit) : constant(0.0);
  Value mean = imp.weight(call, "moving_mean", {c}, minit, /*trainable=*/false);
  Value var = imp.weight(call, "moving_variance", {c}, vinit, /*trainable=*/false);
  if (!gamma || !beta || !mean || !var)
    return false;
  if (frozen) { // moving statistics, no updates, no trained weights
    out.push_back(imp.create<BatchNormInferenceOp>(call.layer, {x, gamma, beta, mean, var},
                                                   {named(imp, "axis", imp.b.getI64IntegerAttr(channelAxis)),
                                                    named(imp, "epsilon", imp.b.getF64FloatAttr(epsilon))}));
    return static_cast<bool>(out.back());
  }
  auto op = imp.createOp<BatchNormOp>(call.layer, {x, gamma, beta, mean, var},
                                      {named(imp, "axis", imp.b.getI64IntegerAttr(channelAxis)),
                                       named(imp, "epsilon", imp.b.getF64FloatAttr(epsilon)),
                                       named(imp, "momentum", imp.b.getF64FloatAttr(momentum))},
                                      /*results=*/3);
  if (!op)
    return false;
  out.push_back(op.getResult());
  return true;
}

bool importDropout(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  double rate = call.cfg.number({"rate", "p"}, 0.0);
  call.cfg.unsupportedIfSet("noise_shape", "'noise_shape'");
  if (!(rate >= 0.0 && rate < 1.0)) {
    call.cfg.error({"rate", "p"}, "dropout rate must be in [0, 1), got " + std::to_string(rate));
    return false;
  }
  Importer &imp = call.imp;
  int64_t stream = imp.nextDropoutStream();
  if (rate == 0.0) {
    out.push_back(call.inputs[0]);
    return true;
  }
  out.push_back(imp.create<DropoutOp>(call.layer, {call.inputs[0], imp.seed, imp.step},
                                      {named(imp, "rate", imp.b.getF64FloatAttr(rate)),
                                       named(imp, "stream", imp.b.getI64IntegerAttr(stream))}));
  return true;
}

bool importFlatten(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  Value x = call.inputs[0];
  if (call.cfg.string({"data_format"}, "channels_last") == "channels_first" && shapeOf(x).size() > 2) {
    call.cfg.error({"data_format"}, "Flatten with data_format 'channels_first' is not supported");
    return false;
  }
  out.push_back(reshape(call, x, {shapeOf(x)[0], -1}));
  return true;
}

bool importReshape(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  const rapidjson::Value *target = call.cfg.find({"target_shape", "dims"});
  SmallVector<int64_t> shape = {shapeOf(call.inputs[0])[0]};
  if (!target || !target->IsArray()) {
    call.cfg.error({"target_shape"}, "expected a list of dimensions");
    return false;
  }
  for (auto &d : target->GetArray()) {
    auto i = json::integer(&d);
    if (!i || (*i < 1 && *i != -1)) {
      call.cfg.error({"target_shape"}, "expected positive dimensions or -1, found " + json::render(&d));
      return false;
    }
    shape.push_back(*i);
  }
  out.push_back(reshape(call, call.inputs[0], shape));
  return true;
}

//===----------------------------------------------------------------------===//
// Recurrent and sequence layers
//===----------------------------------------------------------------------===//

/// What LSTM and GRU layers share: sizes, activations, initializers, flags.
struct RecurrentConfig {
  int64_t units = 0, features = 0;
  ActivationSpec act, rec;
  InitializerAttr kernelInit, recurrentInit, biasInit;
  bool returnSequences = false, goBackwards = false;
};

/// Reads |kind|'s (LSTM, GRU) common settings and refuses the rest.
std::optional<RecurrentConfig> readRecurrent(LayerCall &call, const std::string &kind) {
  if (!expectInputs(call, 1))
    return std::nullopt;
  LayerConfig &cfg = call.cfg;
  MLIRContext *ctx = &call.imp.ctx;
  auto units = cfg.positiveInt({"units", "output_dim"});
  auto act = cfg.activation({"activation"}, "tanh");
  // Keras up to 2.2 defaulted to hard_sigmoid; 2.3, tf.keras and Keras 3 to sigmoid.
  std::string recDefault = cfg.generation() == Generation::Keras3 ? "sigmoid" : "hard_sigmoid";
  auto rec = cfg.activation({"recurrent_activation", "inner_activation"}, recDefault);
  auto kinit = cfg.initializer(ctx, {"kernel_initializer", "init"}, "glorot_uniform");
  auto rinit = cfg.initializer(ctx, {"recurrent_initializer", "inner_init"}, "orthogonal");
  auto binit = cfg.initializer(ctx, {"bias_initializer"}, "zeros");
  if (!cfg.flag({"use_bias", "bias"}, true))
    cfg.error({"use_bias"}, kind + " without bias is not supported");
  cfg.unsupportedIfSet("return_state", "'return_state'");
  cfg.unsupportedIfSet("stateful", "a stateful " + kind);
  cfg.unsupportedIfSet("dropout", kind + " input dropout");
  cfg.unsupportedIfSet("recurrent_dropout", kind + " recurrent dropout");
  cfg.unsupportedIfSet("dropout_W", kind + " input dropout");
  cfg.unsupportedIfSet("dropout_U", kind + " recurrent dropout");
  rejectRegularizers(cfg);
  if (!units || !act || !rec || !kinit || !rinit || !binit)
    return std::nullopt;
  if (!act->isPlainKind() || !rec->isPlainKind()) {
    cfg.error({"activation"}, kind + " activations must be plain elementwise ones (not softmax, relu with settings, "
                              "swish, hard_swish, mish or gelu)");
    return std::nullopt;
  }
  ArrayRef<int64_t> x = shapeOf(call.inputs[0]);
  if (x.size() != 3) {
    cfg.error({"name"}, "expects [batch, time, features], got rank " + std::to_string(x.size()));
    return std::nullopt;
  }
  return RecurrentConfig{*units,  x[2],  *act, *rec, kinit, rinit, binit, cfg.flag({"return_sequences"}, false),
                         cfg.flag({"go_backwards"}, false)};
}

/// graph.lstm with |cell| on the [C, 4U], [U, 4U], [4U] operands.
Value createRecurrence(LayerCall &call, const RecurrentConfig &rc, Value w, Value r, Value b, RecurrentCell cell) {
  Importer &imp = call.imp;
  MLIRContext *ctx = &imp.ctx;
  SmallVector<NamedAttribute> attrs = {named(imp, "units", imp.b.getI64IntegerAttr(rc.units)),
                                       named(imp, "activation", ActivationAttr::get(ctx, rc.act.kind)),
                                       named(imp, "recurrent_activation", ActivationAttr::get(ctx, rc.rec.kind))};
  if (rc.returnSequences)
    attrs.push_back(named(imp, "return_sequences", imp.b.getUnitAttr()));
  if (rc.goBackwards)
    attrs.push_back(named(imp, "go_backwards", imp.b.getUnitAttr()));
  if (cell != RecurrentCell::lstm)
    attrs.push_back(named(imp, "cell", RecurrentCellAttr::get(ctx, cell)));
  return imp.create<LSTMOp>(call.layer, {call.inputs[0], w, r, b}, attrs);
}

bool importLSTM(LayerCall &call, SmallVectorImpl<Value> &out) {
  auto rc = readRecurrent(call, "LSTM");
  if (!rc)
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  bool forgetBias = cfg.flag({"unit_forget_bias"},
                             json::string(cfg.find({"forget_bias_init"})).value_or("one") == "one");
  if (forgetBias && rc->biasInit.getKind().getValue() == "zeros") {
    rc->biasInit = InitializerAttr::get(&imp.ctx, imp.b.getStringAttr("lstm_bias"), imp.b.getDictionaryAttr({}));
  } else if (forgetBias) {
    cfg.error({"bias_initializer"}, "unit_forget_bias is only supported with a zeros bias initializer");
    return false;
  }
  int64_t u = rc->units;
  Value w = imp.weight(call, "kernel", {rc->features, 4 * u}, rc->kernelInit);
  Value r = imp.weight(call, "recurrent_kernel", {u, 4 * u}, rc->recurrentInit);
  Value b = imp.weight(call, "bias", {4 * u}, rc->biasInit);
  if (!w || !r || !b)
    return false;
  out.push_back(createRecurrence(call, *rc, w, r, b, RecurrentCell::lstm));
  return true;
}

/// GRU with reset_after (Keras 3's and tf.keras's default): Keras's kernel
/// [C, 3U] (z, r, h), recurrent kernel [U, 3U] and bias [2, 3U] (input,
/// recurrent) become graph.lstm's four slots z, r, x-part, h-part:
///   W' = [Wz Wr Wh 0], U' = [Uz Ur 0 Uh], b' = [bz+bz' br+br' bh bh'];
/// the zero blocks' gradients are dropped on the way back to Keras's weights.
bool importGRU(LayerCall &call, SmallVectorImpl<Value> &out) {
  auto rc = readRecurrent(call, "GRU");
  if (!rc)
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  if (!cfg.flag({"reset_after"}, cfg.generation() == Generation::Keras3)) {
    cfg.error({"reset_after"}, "a GRU with reset_after: false (Keras 2.2 and older) is not supported");
    return false;
  }
  int64_t u = rc->units;
  Value w = imp.weight(call, "kernel", {rc->features, 3 * u}, rc->kernelInit);
  Value r = imp.weight(call, "recurrent_kernel", {u, 3 * u}, rc->recurrentInit);
  Value b = imp.weight(call, "bias", {2, 3 * u}, rc->biasInit);
  if (!w || !r || !b)
    return false;
  auto i64 = [&](int64_t v) { return imp.b.getI64IntegerAttr(v); };
  auto slice = [&](Value x, int64_t start, int64_t size) {
    return imp.create<SliceOp>(call.layer, x,
                               {named(imp, "axis", i64(1)), named(imp, "start", i64(start)), named(imp, "size", i64(size))});
  };
  auto zerosAfter = [&](Value x, int64_t count) {
    return imp.create<PadOp>(call.layer, x,
                             {named(imp, "axis", i64(1)), named(imp, "before", i64(0)), named(imp, "after", i64(count))});
  };
  auto concat = [&](ArrayRef<Value> parts) {
    return imp.create<ConcatOp>(call.layer, SmallVector<Value>(parts), {named(imp, "axis", i64(1))});
  };
  Value w4 = zerosAfter(w, u);
  Value r4 = concat({zerosAfter(slice(r, 0, 2 * u), u), slice(r, 2 * u, u)});
  Value flat = reshape(call, b, {1, 6 * u}); // [input biases | recurrent biases]
  Value zr = imp.create<AddOp>(call.layer, {slice(flat, 0, 2 * u), slice(flat, 3 * u, 2 * u)});
  Value b4 = reshape(call, concat({zr, slice(flat, 2 * u, u), slice(flat, 5 * u, u)}), {4 * u});
  out.push_back(createRecurrence(call, *rc, w4, r4, b4, RecurrentCell::gru));
  return true;
}

bool importEmbedding(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto vocab = cfg.positiveInt({"input_dim"});
  auto dim = cfg.positiveInt({"output_dim"});
  auto init = cfg.initializer(&imp.ctx, {"embeddings_initializer", "init"}, "uniform");
  cfg.unsupportedIfSet("mask_zero", "'mask_zero'");
  cfg.unsupportedIfSet("dropout", "embedding dropout");
  rejectRegularizers(cfg);
  if (!vocab || !dim || !init)
    return false;
  Value ids = call.inputs[0];
  if (!llvm::isa<IntegerType>(llvm::cast<RankedTensorType>(ids.getType()).getElementType())) {
    cfg.error({"name"}, "needs integer ids; its input must come straight from an Input layer");
    return false;
  }
  Value table = imp.weight(call, "embeddings", {*vocab, *dim}, init);
  if (!table)
    return false;
  out.push_back(imp.create<EmbeddingOp>(call.layer, {ids, table}));
  return true;
}

bool importRepeatVector(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  auto n = call.cfg.positiveInt({"n"});
  if (!n)
    return false;
  out.push_back(call.imp.create<RepeatOp>(call.layer, call.inputs[0],
                                          {named(call.imp, "times", call.imp.b.getI64IntegerAttr(*n))}));
  return true;
}

/// The layer a wrapper (TimeDistributed, Bidirectional) holds under |key| of
/// its config: a Layer that reports errors at its own JSON path, and its
/// importer if |accepts| the class.
struct WrappedLayer {
  Layer layer;
  LayerImportFn import = nullptr;
  std::string key; // the wrapper's attribute holding it, as Keras 3 saves it

  /// Imports the wrapped layer on |x|; false after reporting an error.
  bool call(LayerCall &wrapper, Value x, SmallVectorImpl<Value> &out) const {
    std::string group = wrapper.saveGroup.empty() ? "" : wrapper.saveGroup + "/" + key;
    LayerCall inner{wrapper.imp, wrapper.layer,
                    LayerConfig(layer, wrapper.cfg.generation(), wrapper.imp.diag, wrapper.imp.model.kerasVersion),
                    {x}, layer.name, kerasVarsGroup(group, layer.className)};
    return x && import(inner, out) && !out.empty() && out[0];
  }
};

std::optional<WrappedLayer> wrappedLayer(LayerCall &call, const char *key, llvm::function_ref<bool(StringRef)> accepts) {
  const rapidjson::Value *inner = call.cfg.find({key});
  auto cls = json::string(member(inner, "class_name"));
  const rapidjson::Value *innerCfg = member(inner, "config");
  if (!cls || !innerCfg) {
    call.cfg.error({key}, "expected the wrapped layer as {\"class_name\", \"config\"}");
    return std::nullopt;
  }
  // Keras 3 keeps Bidirectional's (default) layers as forward_layer and backward_layer.
  std::string attr = std::string(key) == "layer" && call.layer.className == "Bidirectional" ? "forward_layer" : key;
  WrappedLayer w{call.layer, findLayerImporter(*cls), attr};
  if (!w.import || !accepts(*cls)) {
    call.cfg.error({key}, call.layer.className + " over '" + *cls + "' is not supported");
    return std::nullopt;
  }
  w.layer.className = *cls;
  w.layer.config = innerCfg;
  w.layer.jsonPath = call.layer.jsonPath + "/config/" + key;
  w.layer.name = json::string(member(innerCfg, "name")).value_or(call.layer.name);
  return w;
}

bool importTimeDistributed(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  auto inner = wrappedLayer(call, "layer", [](StringRef cls) { return cls != "TimeDistributed"; });
  if (!inner)
    return false;
  // Fold time into the batch, apply the inner layer, unfold.
  Value x = call.inputs[0];
  ArrayRef<int64_t> s = shapeOf(x);
  if (s.size() < 3) {
    call.cfg.error({"name"}, "expects at least [batch, time, features]");
    return false;
  }
  SmallVector<int64_t> folded = {s[0] * s[1]};
  folded.append(s.begin() + 2, s.end());
  SmallVector<Value> innerOut;
  if (!inner->call(call, reshape(call, x, folded), innerOut))
    return false;
  SmallVector<int64_t> unfolded = {s[0], s[1]};
  ArrayRef<int64_t> r = shapeOf(innerOut[0]);
  unfolded.append(r.begin() + 1, r.end());
  out.push_back(reshape(call, innerOut[0], unfolded));
  return true;
}

//===----------------------------------------------------------------------===//
// Merging
//===----------------------------------------------------------------------===//

bool importAdd(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (call.inputs.size() < 2) {
    call.cfg.error({"name"}, "needs at least two inputs");
    return false;
  }
  Value sum = call.inputs[0];
  for (Value v : ArrayRef<Value>(call.inputs).drop_front())
    sum = sum ? call.imp.create<AddOp>(call.layer, {sum, v}) : sum;
  out.push_back(sum);
  return true;
}

bool importConcatenate(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (call.inputs.size() < 2) {
    call.cfg.error({"name"}, "needs at least two inputs");
    return false;
  }
  auto axis = json::integer(call.cfg.find({"axis", "concat_axis"})).value_or(-1);
  out.push_back(call.imp.create<ConcatOp>(call.layer, call.inputs,
                                          {named(call.imp, "axis", call.imp.b.getI64IntegerAttr(axis))}));
  return true;
}

bool importMultiply(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (call.inputs.size() < 2) {
    call.cfg.error({"name"}, "needs at least two inputs");
    return false;
  }
  Value product = call.inputs[0];
  for (Value v : ArrayRef<Value>(call.inputs).drop_front())
    product = product ? call.imp.create<MulOp>(call.layer, {product, v}) : product;
  out.push_back(product);
  return true;
}

Value scaled(LayerCall &call, Value x, double factor) {
  if (!x)
    return x;
  return call.imp.create<ScaleOp>(call.layer, x, {named(call.imp, "factor", call.imp.b.getF64FloatAttr(factor))});
}

bool importSubtract(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 2))
    return false;
  Value negated = scaled(call, call.inputs[1], -1.0);
  out.push_back(negated ? call.imp.create<AddOp>(call.layer, {call.inputs[0], negated}) : negated);
  return true;
}

/// Maximum and Minimum from ops that have gradients: max(a, b) = a +
/// relu(b - a) and min(a, b) = a - relu(a - b); the gradient goes to the
/// larger (smaller) input, to the first one on a tie.
bool importExtremum(LayerCall &call, SmallVectorImpl<Value> &out, bool maximum) {
  if (call.inputs.size() < 2) {
    call.cfg.error({"name"}, "needs at least two inputs");
    return false;
  }
  Importer &imp = call.imp;
  auto sub = [&](Value a, Value b) { return a && b ? imp.create<AddOp>(call.layer, {a, scaled(call, b, -1.0)}) : Value(); };
  auto relu = [&](Value x) {
    return x ? imp.create<ReluOp>(call.layer, x, {named(imp, "negative_slope", imp.b.getF64FloatAttr(0.0)),
                                                  named(imp, "threshold", imp.b.getF64FloatAttr(0.0))})
             : x;
  };
  Value acc = call.inputs[0];
  for (Value v : ArrayRef<Value>(call.inputs).drop_front()) {
    Value excess = relu(maximum ? sub(v, acc) : sub(acc, v));
    acc = maximum ? (excess ? imp.create<AddOp>(call.layer, {acc, excess}) : excess) : sub(acc, excess);
  }
  out.push_back(acc);
  return static_cast<bool>(acc);
}

/// Dot of two [batch, d] inputs (a recommender's user . item): the sum of
/// their product over d, as [batch, 1]. Other ranks and `normalize` (cosine
/// proximity) are refused.
bool importDot(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 2))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  Value a = call.inputs[0], b = call.inputs[1];
  ArrayRef<int64_t> s = shapeOf(a);
  if (s.size() != 2 || shapeOf(b) != s) {
    cfg.error({"name"}, "Dot is supported for two inputs of the same [batch, features] shape only");
    return false;
  }
  const rapidjson::Value *axes = cfg.find({"axes"});
  auto features = [&](const rapidjson::Value *v) { // 1 or -1 on a 2-D input
    int64_t i = json::integer(v).value_or(0);
    return i == 1 || i == -1;
  };
  bool lastAxis = axes && (axes->IsArray() ? axes->Size() == 2 && features(&(*axes)[0]) && features(&(*axes)[1])
                                           : features(axes));
  if (!lastAxis)
    cfg.error({"axes"}, "Dot is supported over the features axis (1 or -1) only, found " + json::render(axes));
  if (cfg.flag({"normalize"}, false))
    cfg.error({"normalize"}, "Dot with normalize (cosine proximity) is not supported");
  if (!lastAxis || cfg.flag({"normalize"}, false))
    return false;
  Value sum = imp.create<ReduceSumOp>(call.layer, imp.create<MulOp>(call.layer, {a, b}),
                                      {named(imp, "axes", imp.b.getDenseI64ArrayAttr({1}))});
  out.push_back(reshape(call, sum, {s[0], 1}));
  return static_cast<bool>(out.back());
}

bool importMaximum(LayerCall &call, SmallVectorImpl<Value> &out) { return importExtremum(call, out, true); }
bool importMinimum(LayerCall &call, SmallVectorImpl<Value> &out) { return importExtremum(call, out, false); }

bool importAverage(LayerCall &call, SmallVectorImpl<Value> &out) {
  SmallVector<Value> sum;
  if (!importAdd(call, sum))
    return false;
  out.push_back(scaled(call, sum[0], 1.0 / static_cast<double>(call.inputs.size())));
  return true;
}

/// Keras 1's generic Merge layer: only the modes kcc has ops for.
bool importMerge(LayerCall &call, SmallVectorImpl<Value> &out) {
  auto mode = call.cfg.oneOf({"mode"}, "sum", {"sum", "concat", "mul", "ave"});
  if (!mode)
    return false;
  if (*mode == "mul")
    return importMultiply(call, out);
  if (*mode == "ave")
    return importAverage(call, out);
  return *mode == "sum" ? importAdd(call, out) : importConcatenate(call, out);
}

/// Bidirectional(LSTM or GRU): the forward layer and a backward one that reads time
/// reversed (the file's backward_layer, or the forward layer's config going
/// the other way, as Keras builds it), their sequences aligned in time and
/// merged. Keras orders the weights forward first.
bool importBidirectional(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  auto isLSTM = [](StringRef cls) { return cls == "LSTM" || cls == "GRU"; };
  auto forward = wrappedLayer(call, "layer", isLSTM);
  if (!forward)
    return false;
  const rapidjson::Value *mergeMode = cfg.find({"merge_mode"});
  if (mergeMode && mergeMode->IsNull()) {
    cfg.error({"merge_mode"}, "merge_mode null (the two directions as separate outputs) is not supported");
    return false;
  }
  auto mode = cfg.oneOf({"merge_mode"}, "concat", {"concat", "sum", "mul", "ave"});
  std::optional<WrappedLayer> backward;
  bool ownBackward = !json::isNull(cfg.find({"backward_layer"}));
  if (ownBackward) {
    backward = wrappedLayer(call, "backward_layer", isLSTM);
  } else {
    backward = forward;
    backward->layer.name = "backward_" + forward->layer.name;
    backward->key = "backward_layer";
  }
  if (!mode || !backward)
    return false;
  auto flag = [](const WrappedLayer &w, const char *key) {
    return json::boolean(member(w.layer.config, key)).value_or(false);
  };
  bool sequences = flag(*forward, "return_sequences");
  if (ownBackward && (flag(*backward, "go_backwards") == flag(*forward, "go_backwards") ||
                      flag(*backward, "return_sequences") != sequences)) {
    cfg.error({"backward_layer"}, "expected the opposite go_backwards and the same return_sequences as 'layer'");
    return false;
  }
  if (forward->layer.name == backward->layer.name) {
    cfg.error({"backward_layer"}, "expected a name other than the forward layer's '" + forward->layer.name + "'");
    return false;
  }
  SmallVector<Value> f, b;
  size_t errorsBefore = call.imp.diag.all().size();
  if (!forward->call(call, call.inputs[0], f))
    return false;
  // A twin of a refused forward layer would only repeat its errors.
  if ((!ownBackward && call.imp.diag.all().size() != errorsBefore) || !backward->call(call, call.inputs[0], b))
    return false;
  if (!ownBackward) { // the forward layer's config, read the other way
    if (auto lstm = b[0].getDefiningOp<LSTMOp>()) // LSTM and GRU alike
      lstm.setGoBackwards(!lstm.getGoBackwards());
  }
  Importer &imp = call.imp;
  Value back = b[0];
  if (sequences) // the backward sequence comes out last step first
    back = imp.create<ReverseOp>(call.layer, back, {named(imp, "axis", imp.b.getI64IntegerAttr(1))});
  if (*mode == "concat")
    out.push_back(imp.create<ConcatOp>(call.layer, {f[0], back}, {named(imp, "axis", imp.b.getI64IntegerAttr(-1))}));
  else if (*mode == "mul")
    out.push_back(imp.create<MulOp>(call.layer, {f[0], back}));
  else if (Value sum = imp.create<AddOp>(call.layer, {f[0], back}); *mode == "ave")
    out.push_back(scaled(call, sum, 0.5));
  else
    out.push_back(sum);
  return true;
}

//===----------------------------------------------------------------------===//
// Activation layers (ReLU, ELU, Softmax): only their plain-function settings
//===----------------------------------------------------------------------===//

/// A ReLU or LeakyReLU layer with |relu|'s settings; |slopeKeys| name the
/// leak in the layer's config, for errors.
bool importRelu(LayerCall &call, SmallVectorImpl<Value> &out, const ReluSpec &relu, LayerConfig::Keys slopeKeys) {
  LayerConfig &cfg = call.cfg;
  bool ok = true;
  if (!(relu.negativeSlope >= 0 && std::isfinite(relu.negativeSlope))) {
    cfg.error(slopeKeys, "expected a finite number >= 0, found " + json::render(cfg.find(slopeKeys)));
    ok = false;
  }
  if (!std::isfinite(relu.threshold)) {
    cfg.error({"threshold"}, "expected a finite number, found " + json::render(cfg.find({"threshold"})));
    ok = false;
  }
  if (relu.maxValue && !(*relu.maxValue >= 0 && std::isfinite(*relu.maxValue))) {
    cfg.error({"max_value"}, "expected a finite number >= 0, found " + json::render(cfg.find({"max_value"})));
    ok = false;
  }
  if (!ok)
    return false;
  ActivationSpec act{false, Activation::relu, std::nullopt};
  if (relu.negativeSlope != 0 || relu.threshold != 0 || relu.maxValue)
    act.relu = relu;
  out.push_back(applyActivation(call, call.inputs[0], act));
  return true;
}

bool importReLU(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  // At Keras's defaults it is the plain relu activation.
  LayerConfig &cfg = call.cfg;
  ReluSpec relu{cfg.number({"negative_slope"}, 0.0), cfg.number({"threshold"}, 0.0), std::nullopt};
  if (!json::isNull(cfg.find({"max_value"})))
    relu.maxValue = cfg.number({"max_value"}, 0.0);
  return importRelu(call, out, relu, {"negative_slope"});
}

/// LeakyReLU: Keras 3's negative_slope, Keras 1/2's alpha (default 0.3).
bool importLeakyReLU(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  return importRelu(call, out, ReluSpec{call.cfg.number({"negative_slope", "alpha"}, 0.3), 0.0, std::nullopt},
                    {"negative_slope", "alpha"});
}

bool importELU(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  if (double alpha = call.cfg.number({"alpha"}, 1.0); alpha != 1.0)
    call.cfg.error({"alpha"}, "ELU with alpha " + std::to_string(alpha) + " is not supported (only 1.0)");
  out.push_back(applyActivation(call, call.inputs[0], ActivationSpec{false, Activation::elu}));
  return true;
}

bool importSoftmaxLayer(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  const rapidjson::Value *axis = call.cfg.find({"axis"});
  int64_t rank = shapeOf(call.inputs[0]).size();
  auto a = axis ? json::integer(axis) : std::optional<int64_t>(-1);
  if (!a || (*a != -1 && *a != rank - 1)) {
    call.cfg.error({"axis"}, "Softmax over an axis other than the last is not supported, found " + json::render(axis));
    return false;
  }
  out.push_back(applyActivation(call, call.inputs[0], ActivationSpec{true, Activation::linear}));
  return true;
}

/// Rescaling: x * scale + offset, both numbers (a per-channel list is refused).
bool importRescaling(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  bool ok = true;
  for (const char *key : {"scale", "offset"})
    if (const rapidjson::Value *v = cfg.find({key}); v && !json::number(v)) {
      cfg.error({key}, std::string("expected a number (a per-channel ") + key + " is not supported), found " +
                           json::render(v));
      ok = false;
    }
  if (!cfg.find({"scale"})) {
    cfg.error({"scale"}, "is required");
    ok = false;
  }
  if (!ok)
    return false;
  double scale = cfg.number({"scale"}, 1.0), offset = cfg.number({"offset"}, 0.0);
  if (!std::isfinite(scale) || !std::isfinite(offset)) {
    cfg.error({"scale"}, "expected finite scale and offset");
    return false;
  }
  Importer &imp = call.imp;
  out.push_back(imp.create<ScaleOp>(call.layer, call.inputs[0],
                                    {named(imp, "factor", imp.b.getF64FloatAttr(scale)),
                                     named(imp, "offset", imp.b.getF64FloatAttr(offset))}));
  return true;
}

struct Entry {
  const char *className;
  LayerImportFn fn;
};
const Entry kImporters[] = {
    {"Dense", importDense},
    {"Activation", importActivation},
    {"Dropout", importDropout},
    {"Flatten", importFlatten},
    {"Reshape", importReshape},
    {"Conv2D", importConv2D},
    {"Convolution2D", importConv2D},
    {"MaxPooling2D", importMaxPool2D},
    {"MaxPool2D", importMaxPool2D},
    {"LSTM", importLSTM},
    {"GRU", importGRU},
    {"DepthwiseConv2D", importDepthwiseConv2D},
    {"Embedding", importEmbedding},
    {"RepeatVector", importRepeatVector},
    {"TimeDistributed", importTimeDistributed},
    {"Bidirectional", importBidirectional},
    {"Add", importAdd},
    {"Multiply", importMultiply},
    {"Subtract", importSubtract},
    {"Average", importAverage},
    {"Maximum", importMaximum},
    {"Dot", importDot},
    {"Minimum", importMinimum},
    {"ReLU", importReLU},
    {"LeakyReLU", importLeakyReLU},
    {"ELU", importELU},
    {"Softmax", importSoftmaxLayer},
    {"Rescaling", importRescaling},
    {"Conv1D", importConv1D},
    {"SeparableConv2D", importSeparableConv2D},
    {"Convolution1D", importConv1D},
    {"MaxPooling1D", importMaxPool1D},
    {"MaxPool1D", importMaxPool1D},
    {"AveragePooling2D", importAvgPool2D},
    {"ZeroPadding1D", importZeroPadding1D},
    {"ZeroPadding2D", importZeroPadding2D},
    {"Conv2DTranspose", importConv2DTranspose},
    {"Convolution2DTranspose", importConv2DTranspose},
    {"UpSampling1D", importUpSampling1D},
    {"UpSampling2D", importUpSampling2D},
    {"AvgPool2D", importAvgPool2D},
    {"AveragePooling1D", importAvgPool1D},
    {"AvgPool1D", importAvgPool1D},
    {"Cropping1D", importCropping1D},
    {"Cropping2D", importCropping2D},
    {"GlobalMaxPooling1D", importGlobalMaxPool1D},
    {"GlobalMaxPool1D", importGlobalMaxPool1D},
    {"GlobalMaxPooling2D", importGlobalMaxPool2D},
    {"GlobalMaxPool2D", importGlobalMaxPool2D},
    {"GlobalAveragePooling1D", importGlobalAvgPool1D},
    {"GlobalAvgPool1D", importGlobalAvgPool1D},
    {"GlobalAveragePooling2D", importGlobalAvgPool2D},
    {"GlobalAvgPool2D", importGlobalAvgPool2D},
    {"BatchNormalization", importBatchNormalization},
    {"Concatenate", importConcatenate},
    {"Merge", importMerge},
};

} // namespace

LayerImportFn findLayerImporter(const std::string &className) {
  for (const Entry &e : kImporters)
    if (className == e.className)
      return e.fn;
  return nullptr;
}

} // namespace kcc::frontend

