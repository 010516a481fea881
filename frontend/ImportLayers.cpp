//===- ImportLayers.cpp - one import function per Keras layer class -------===//
//
// Each function reads its layer's config (LayerConfig reports bad values),
// declares the layer's weights with Keras's shapes and initializers, and
// emits graph ops. Weight shapes follow Keras's build(): they come from the
// input shapes, which the ops' shape rules have already computed.
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"

#include "frontend/Json.h"

#include "ir/Graph/IR/ops/Common.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

namespace kcc::frontend {

using namespace mlir;
using namespace kcc::graph;
using json::member;

namespace {

/// Reports activity regularizers and constraints, which kcc does not
/// implement (weight regularizers are read with each weight).
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

//===----------------------------------------------------------------------===//
// 1D convolution and pooling, global pooling
//===----------------------------------------------------------------------===//
// A sequence [N, T, C] is the one-row image [N, 1, T, C] (a free reshape), so
// Conv1D and MaxPooling1D are Conv2D and MaxPooling2D with a 1 x k window;
// a global max pooling is a max pooling over the whole map, a global
// average pooling a sum over it, scaled.

/// An int or a one-element list (Keras's 1D sizes); |fallback| if absent.
std::optional<int64_t> single(LayerConfig &cfg, LayerConfig::Keys keys, std::optional<int64_t> fallback) {
  const rapidjson::Value *v = cfg.find(keys);
  if (json::isNull(v)) {
    if (!fallback)
      cfg.error(keys, "is required");
    return fallback;
  }
  const rapidjson::Value *one = v->IsArray() && v->Size() == 1 ? &(*v)[0] : v;
  auto i = json::integer(one);
  if (!i || *i < 1 || *i > LayerConfig::kMaxSize) {
    cfg.error(keys, "expected a positive integer or [integer], found " + json::render(v));
    return std::nullopt;
  }
  return i;
}

Value reshape(LayerCall &call, Value x, ArrayRef<int64_t> shape) {
  if (!x)
    return x;
  return call.imp.create<ReshapeOp>(call.layer, x, {named(call.imp, "shape", call.imp.b.getDenseI64ArrayAttr(shape))});
}

/// The sequence input of a 1D layer, or null after reporting a wrong rank
/// or a channels_first data format.
Value sequenceInput(LayerCall &call) {
  if (!expectInputs(call, 1))
    return nullptr;
  Value x = call.inputs[0];
  if (shapeOf(x).size() != 3) {
    call.cfg.error({"name"}, "expects [batch, steps, channels], got rank " + std::to_string(shapeOf(x).size()));
    return nullptr;
  }
  return x;
}

bool importConv1D(LayerCall &call, SmallVectorImpl<Value> &out) {
  Value x = sequenceInput(call);
  if (!x)
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto filters = cfg.positiveInt({"filters", "nb_filter"});
  auto kernel = single(cfg, {"kernel_size", "filter_length"}, std::nullopt);
  auto stride = single(cfg, {"strides", "subsample_length"}, 1);
  auto dilation = single(cfg, {"dilation_rate"}, 1);
  // 'causal': (k - 1) * dilation zeros before the first step, then 'valid',
  // so that output t sees inputs up to t only (Keras's definition).
  auto paddingName = cfg.oneOf({"padding", "border_mode"}, "valid", {"valid", "same", "causal"});
  bool causal = paddingName && *paddingName == "causal";
  std::optional<Padding> padding;
  if (paddingName)
    padding = *paddingName == "same" ? Padding::same : Padding::valid;
  auto act = cfg.activation({"activation"}, "linear");
  bool useBias = cfg.flag({"use_bias", "bias"}, true);
  auto kinit = cfg.initializer(&imp.ctx, {"kernel_initializer", "init"}, "glorot_uniform");
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  if (cfg.string({"data_format"}, "channels_last") != "channels_last")
    cfg.error({"data_format"}, "Conv1D with data_format 'channels_first' is not supported");
  if (json::integer(cfg.find({"groups"})).value_or(1) != 1)
    cfg.error({"groups"}, "grouped convolutions are not supported");
  if (!filters || !kernel || !stride || !dilation || !padding || !act || !kinit || !binit)
    return false;
  if (causal && *kernel > 1)
    x = imp.create<PadOp>(call.layer, x,
                          {named(imp, "axis", imp.b.getI64IntegerAttr(1)),
                           named(imp, "before", imp.b.getI64IntegerAttr((*kernel - 1) * *dilation)),
                           named(imp, "after", imp.b.getI64IntegerAttr(0))});
  if (!x)
    return false;
  ArrayRef<int64_t> s = shapeOf(x);
  Value w = imp.weight(call, "kernel", {*kernel, s[2], *filters}, kinit); // Keras's (k, in, out)
  if (!w)
    return false;
  Value y = imp.create<Conv2DOp>(call.layer, {reshape(call, x, {s[0], 1, s[1], s[2]}),
                                              reshape(call, w, {1, *kernel, s[2], *filters})},
                                 {named(imp, "strides", imp.b.getDenseI64ArrayAttr({1, *stride})),
                                  named(imp, "dilations", imp.b.getDenseI64ArrayAttr({1, *dilation})),
                                  named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding)),
                                  named(imp, "data_format", DataFormatAttr::get(&imp.ctx, DataFormat::channels_last))});
  if (useBias && y)
    y = addBias(call, y, imp.weight(call, "bias", {*filters}, binit), 3);
  y = applyActivation(call, y, *act);
  if (!y)
    return false;
  ArrayRef<int64_t> ys = shapeOf(y);
  out.push_back(reshape(call, y, {ys[0], ys[2], ys[3]}));
  return true;
}

bool importMaxPool1D(LayerCall &call, SmallVectorImpl<Value> &out) {
  Value x = sequenceInput(call);
  if (!x)
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto pool = single(cfg, {"pool_size", "pool_length"}, 2);
  auto stride = pool ? single(cfg, {"strides", "stride"}, *pool) : std::nullopt;
  auto padding = cfg.padding();
  if (cfg.string({"data_format"}, "channels_last") != "channels_last")
    cfg.error({"data_format"}, "MaxPooling1D with data_format 'channels_first' is not supported");
  if (!pool || !stride || !padding)
    return false;
  ArrayRef<int64_t> s = shapeOf(x);
  Value y = imp.create<MaxPool2DOp>(call.layer, reshape(call, x, {s[0], 1, s[1], s[2]}),
                                    {named(imp, "pool_size", imp.b.getDenseI64ArrayAttr({1, *pool})),
                                     named(imp, "strides", imp.b.getDenseI64ArrayAttr({1, *stride})),
                                     named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding)),
                                     named(imp, "data_format", DataFormatAttr::get(&imp.ctx, DataFormat::channels_last))});
  if (!y)
    return false;
  ArrayRef<int64_t> ys = shapeOf(y);
  out.push_back(reshape(call, y, {ys[0], ys[2], ys[3]}));
  return true;
}

/// GlobalMax/AveragePooling1D/2D: |rank| is 3 or 4. |keepAll| keeps the
/// spatial axes as ones whatever the config says.
bool importGlobalPooling(LayerCall &call, SmallVectorImpl<Value> &out, int64_t rank, bool average,
                         bool keepAll = false) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  Value x = call.inputs[0];
  if (static_cast<int64_t>(shapeOf(x).size()) != rank) {
    cfg.error({"name"}, "expects a rank-" + std::to_string(rank) + " input, got rank " +
                            std::to_string(shapeOf(x).size()));
    return false;
  }
  auto format = cfg.dataFormat();
  bool keepdims = keepAll || cfg.flag({"keepdims"}, false);
  if (!format)
    return false;
  bool first = *format == DataFormat::channels_first;
  SmallVector<int64_t> s(shapeOf(x));
  int64_t c = first ? s[1] : s.back();
  // The spatial axes, and the map as an image [N, H, W, C] or [N, C, H, W].
  SmallVector<int64_t> axes = first ? SmallVector<int64_t>{2, 3} : SmallVector<int64_t>{1, 2};
  SmallVector<int64_t> image = rank == 4 ? s
                               : first   ? SmallVector<int64_t>{s[0], s[1], 1, s[2]}
                                         : SmallVector<int64_t>{s[0], 1, s[1], s[2]};
  int64_t h = first ? image[2] : image[1], w = first ? image[3] : image[2];
  Value y;
  if (average) {
    y = imp.create<ReduceSumOp>(call.layer, reshape(call, x, image),
                                {named(imp, "axes", imp.b.getDenseI64ArrayAttr(axes))});
    if (y)
      y = imp.create<ScaleOp>(call.layer, y, {named(imp, "factor", imp.b.getF64FloatAttr(1.0 / double(h * w)))});
  } else {
    y = imp.create<MaxPool2DOp>(call.layer, reshape(call, x, image),
                                {named(imp, "pool_size", imp.b.getDenseI64ArrayAttr({h, w})),
                                 named(imp, "strides", imp.b.getDenseI64ArrayAttr({h, w})),
                                 named(imp, "padding", PaddingAttr::get(&imp.ctx, Padding::valid)),
                                 named(imp, "data_format", DataFormatAttr::get(&imp.ctx, *format))});
  }
  if (!y)
    return false;
  SmallVector<int64_t> kept = {s[0], c};
  if (keepdims) { // Keras keeps the spatial axes as ones, in the input's order
    kept.assign(rank, 1);
    kept[0] = s[0];
    kept[first ? 1 : rank - 1] = c;
  }
  out.push_back(reshape(call, y, kept));
  return true;
}

/// Keras's padding (or cropping) amounts under |key|: |dims| (before, after)
/// pairs from an int n (n on every side), a list of one int per dimension
/// (that on both sides) or, for 1D, a (before, after) pair, or a list of
/// (before, after) pairs; |fallback| on every side when absent.
std::optional<SmallVector<std::pair<int64_t, int64_t>>> sideAmounts(LayerConfig &cfg, size_t dims, const char *key,
                                                                    int64_t fallback) {
  const rapidjson::Value *v = cfg.find({key});
  auto amount = [](const rapidjson::Value *a) {
    auto i = json::integer(a);
    return i && *i >= 0 && *i <= LayerConfig::kMaxSize ? i : std::nullopt;
  };
  SmallVector<std::pair<int64_t, int64_t>> out;
  if (!v) {
    out.assign(dims, {fallback, fallback});
    return out;
  }
  if (auto n = amount(v)) {
    out.assign(dims, {*n, *n});
    return out;
  }
  if (v->IsArray() && dims == 1 && v->Size() == 2 && amount(&(*v)[0]) && amount(&(*v)[1]))
    return SmallVector<std::pair<int64_t, int64_t>>{{*amount(&(*v)[0]), *amount(&(*v)[1])}};
  if (v->IsArray() && v->Size() == dims) {
    for (const rapidjson::Value &d : v->GetArray()) {
      if (auto n = amount(&d))
        out.push_back({*n, *n});
      else if (d.IsArray() && d.Size() == 2 && amount(&d[0]) && amount(&d[1]))
        out.push_back({*amount(&d[0]), *amount(&d[1])});
      else
        break;
    }
    if (out.size() == dims)
      return out;
  }
  cfg.error({key}, std::string("expected non-negative ") + key + " amounts for " + std::to_string(dims) +
                      " dimension(s), found " + json::render(v));
  return std::nullopt;
}

/// The input of a 1D (|dims| 1, [N, T, C]) or 2D layer and its first spatial
/// axis, or null after reporting a wrong rank.
std::pair<Value, int64_t> spatialInput(LayerCall &call, size_t dims) {
  LayerConfig &cfg = call.cfg;
  Value x = call.inputs[0];
  if (shapeOf(x).size() != dims + 2) {
    cfg.error({"name"}, "expects a rank-" + std::to_string(dims + 2) + " input, got rank " +
                            std::to_string(shapeOf(x).size()));
    return {nullptr, 0};
  }
  auto format = dims == 2 ? cfg.dataFormat() : std::optional<DataFormat>(DataFormat::channels_last);
  if (!format)
    return {nullptr, 0};
  return {x, *format == DataFormat::channels_first ? 2 : 1};
}

/// Cropping1D (|dims| 1) and Cropping2D: a slice along each cropped axis.
bool importCropping(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
  if (!expectInputs(call, 1))
    return false;
  auto [x, firstAxis] = spatialInput(call, dims);
  auto amounts = sideAmounts(call.cfg, dims, "cropping", dims == 1 ? 1 : 0);
  if (!x || !amounts)
    return false;
  for (auto [d, crop] : llvm::enumerate(*amounts)) {
    int64_t axis = firstAxis + d, size = shapeOf(x)[axis];
    if (crop.first + crop.second >= size) {
      call.cfg.error({"cropping"}, "crops " + std::to_string(crop.first + crop.second) + " of the " +
                                       std::to_string(size) + " positions of axis " + std::to_string(axis) +
                                       ": nothing would be left");
      return false;
    }
    if (crop.first == 0 && crop.second == 0)
      continue;
    x = call.imp.create<SliceOp>(call.layer, x,
                                 {named(call.imp, "axis", call.imp.b.getI64IntegerAttr(axis)),
                                  named(call.imp, "start", call.imp.b.getI64IntegerAttr(crop.first)),
                                  named(call.imp, "size", call.imp.b.getI64IntegerAttr(size - crop.first - crop.second))});
    if (!x)
      return false;
  }
  out.push_back(x);
  return true;
}

bool importCropping1D(LayerCall &call, SmallVectorImpl<Value> &out) { return importCropping(call, out, 1); }
bool importCropping2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importCropping(call, out, 2); }

/// ZeroPadding1D (|dims| 1, [N, T, C]) and ZeroPadding2D (|dims| 2).
bool importZeroPadding(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
  if (!expectInputs(call, 1))
    return false;
  auto [x, firstAxis] = spatialInput(call, dims);
  auto amounts = sideAmounts(call.cfg, dims, "padding", 1);
  if (!x || !amounts)
    return false;
  for (auto [d, pad] : llvm::enumerate(*amounts)) {
    if (!x || (pad.first == 0 && pad.second == 0))
      continue;
    x = call.imp.create<PadOp>(call.layer, x,
                               {named(call.imp, "axis", call.imp.b.getI64IntegerAttr(firstAxis + d)),
                                named(call.imp, "before", call.imp.b.getI64IntegerAttr(pad.first)),
                                named(call.imp, "after", call.imp.b.getI64IntegerAttr(pad.second))});
  }
  out.push_back(x);
  return static_cast<bool>(x);
}

bool importZeroPadding1D(LayerCall &call, SmallVectorImpl<Value> &out) { return importZeroPadding(call, out, 1); }
bool importZeroPadding2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importZeroPadding(call, out, 2); }

/// AveragePooling1D/2D. A window that is the whole map (ResNet's last
/// pooling) is a global average pooling keeping the spatial axes; windows
/// that tile the map (strides = pool_size, DenseNet's transitions) sum each
/// block of rows with reshapes and reduce_sum. Overlapping windows need a
/// pooling kernel kcc does not have yet.
bool importAvgPool(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  std::optional<std::vector<int64_t>> pool, strides;
  if (dims == 1) {
    if (auto p = single(cfg, {"pool_size", "pool_length"}, 2)) {
      pool = std::vector<int64_t>{*p};
      if (auto st = single(cfg, {"strides", "stride"}, *p))
        strides = std::vector<int64_t>{*st};
    }
  } else {
    pool = cfg.pair({"pool_size"}, std::vector<int64_t>{2, 2});
    strides = pool ? cfg.pair({"strides"}, *pool) : std::nullopt;
  }
  auto padding = cfg.padding();
  auto [x, firstAxis] = spatialInput(call, dims);
  if (!pool || !strides || !padding || !x)
    return false;
  SmallVector<int64_t> s(shapeOf(x));
  std::vector<int64_t> map(s.begin() + firstAxis, s.begin() + firstAxis + dims);
  bool oneWindow = *padding == Padding::valid || ((*strides)[0] >= map[0] && (dims == 1 || (*strides)[1] >= map[1]));
  if (*pool == map && dims == 2 && oneWindow)
    return importGlobalPooling(call, out, 4, /*average=*/true, /*keepAll=*/true);
  for (size_t d = 0; d < dims; ++d) {
    int64_t p = (*pool)[d], size = map[d];
    bool tiles = (*strides)[d] == p && p <= size && (*padding == Padding::valid || size % p == 0);
    if (!tiles) {
      cfg.error({"pool_size"}, "AveragePooling" + std::to_string(dims) +
                                   "D is supported when its windows tile the map (strides equal to pool_size, "
                                   "'valid' padding or a size they divide) or cover all of it; found pool_size " +
                                   json::render(cfg.find({"pool_size"})) + ", strides " +
                                   json::render(cfg.find({"strides"})) + " on a map of " + std::to_string(size));
      return false;
    }
  }
  // Per axis: drop the rows no window covers, fold [rows, p, rest], sum the p.
  for (size_t d = 0; d < dims && x; ++d) {
    int64_t axis = firstAxis + d, p = (*pool)[d], kept = s[axis] / p * p;
    if (kept != s[axis])
      x = imp.create<SliceOp>(call.layer, x,
                              {named(imp, "axis", imp.b.getI64IntegerAttr(axis)),
                               named(imp, "start", imp.b.getI64IntegerAttr(0)),
                               named(imp, "size", imp.b.getI64IntegerAttr(kept))});
    int64_t rows = 1, rest = 1;
    for (int64_t i = 0; i < axis; ++i)
      rows *= s[i];
    for (size_t i = axis + 1; i < s.size(); ++i)
      rest *= s[i];
    x = reshape(call, x, {rows * (kept / p), p, rest});
    if (x)
      x = imp.create<ReduceSumOp>(call.layer, x, {named(imp, "axes", imp.b.getDenseI64ArrayAttr({1}))});
    s[axis] = kept / p;
    x = reshape(call, x, s);
  }
  int64_t window = 1;
  for (int64_t p : *pool)
    window *= p;
  if (x)
    x = imp.create<ScaleOp>(call.layer, x, {named(imp, "factor", imp.b.getF64FloatAttr(1.0 / double(window)))});
  out.push_back(x);
  return static_cast<bool>(x);
}

bool importAvgPool1D(LayerCall &call, SmallVectorImpl<Value> &out) { return importAvgPool(call, out, 1); }
bool importAvgPool2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importAvgPool(call, out, 2); }

bool importGlobalMaxPool1D(LayerCall &call, SmallVectorImpl<Value> &out) { return importGlobalPooling(call, out, 3, false); }
bool importGlobalMaxPool2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importGlobalPooling(call, out, 4, false); }
bool importGlobalAvgPool1D(LayerCall &call, SmallVectorImpl<Value> &out) { return importGlobalPooling(call, out, 3, true); }
bool importGlobalAvgPool2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importGlobalPooling(call, out, 4, true); }

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
// Convolution and pooling
//===----------------------------------------------------------------------===//

bool importConv2D(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto filters = cfg.positiveInt({"filters", "nb_filter"});
  std::optional<std::vector<int64_t>> kernel;
  if (cfg.find({"kernel_size"}))
    kernel = cfg.pair({"kernel_size"}, std::nullopt);
  else if (auto r = json::integer(cfg.find({"nb_row"})), c = json::integer(cfg.find({"nb_col"})); r && c)
    kernel = std::vector<int64_t>{*r, *c};
  else
    cfg.error({"kernel_size"}, "is required");
  auto strides = cfg.pair({"strides", "subsample"}, std::vector<int64_t>{1, 1});
  auto dilation = cfg.pair({"dilation_rate"}, std::vector<int64_t>{1, 1});
  auto padding = cfg.padding();
  auto format = cfg.dataFormat();
  auto act = cfg.activation({"activation"}, "linear");
  bool useBias = cfg.flag({"use_bias", "bias"}, true);
  auto kinit = cfg.initializer(&imp.ctx, {"kernel_initializer", "init"}, "glorot_uniform");
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  if (json::integer(cfg.find({"groups"})).value_or(1) != 1)
    cfg.error({"groups"}, "grouped convolutions are not supported");
  if (!filters || !kernel || !strides || !dilation || !padding || !format || !act || !kinit || !binit)
    return false;
  Value x = call.inputs[0];
  if (shapeOf(x).size() != 4) {
    cfg.error({"name"}, "expects a 4-D image batch, got rank " + std::to_string(shapeOf(x).size()));
    return false;
  }
  int64_t cin = shapeOf(x)[ImageAxes(*format).c];
  Value w = imp.weight(call, "kernel", {(*kernel)[0], (*kernel)[1], cin, *filters}, kinit);
  if (!w)
    return false;
  SmallVector<Value> operands = {x, w};
  Value y = imp.create<Conv2DOp>(
      call.layer, operands,
      {named(imp, "strides", imp.b.getDenseI64ArrayAttr(*strides)),
       named(imp, "dilations", imp.b.getDenseI64ArrayAttr(*dilation)),
       named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding)),
       named(imp, "data_format", DataFormatAttr::get(&imp.ctx, *format))});
  if (useBias && y)
    y = addBias(call, y, imp.weight(call, "bias", {*filters}, binit), ImageAxes(*format).c);
  out.push_back(applyActivation(call, y, *act));
  return true;
}

/// DepthwiseConv2D (channels_last): each channel convolved with its own
/// depth_multiplier filters, Keras's [kh, kw, C, M] depthwise_kernel.
bool importDepthwiseConv2D(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto kernel = cfg.pair({"kernel_size"}, std::nullopt);
  auto multiplier = json::isNull(cfg.find({"depth_multiplier"})) ? std::optional<int64_t>(1)
                                                                  : cfg.positiveInt({"depth_multiplier"});
  auto strides = cfg.pair({"strides"}, std::vector<int64_t>{1, 1});
  auto dilation = cfg.pair({"dilation_rate"}, std::vector<int64_t>{1, 1});
  auto padding = cfg.padding();
  auto format = cfg.dataFormat();
  auto act = cfg.activation({"activation"}, "linear");
  bool useBias = cfg.flag({"use_bias"}, true);
  auto kinit = cfg.initializer(&imp.ctx, {"depthwise_initializer"}, "glorot_uniform");
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  cfg.unsupportedIfSet("depthwise_constraint", "'depthwise_constraint'");
  if (!kernel || !multiplier || !strides || !dilation || !padding || !format || !act || !kinit || !binit)
    return false;
  if (*format != DataFormat::channels_last) {
    cfg.error({"data_format"}, "DepthwiseConv2D is only supported with channels_last");
    return false;
  }
  Value x = call.inputs[0];
  if (shapeOf(x).size() != 4) {
    cfg.error({"name"}, "expects a 4-D image batch, got rank " + std::to_string(shapeOf(x).size()));
    return false;
  }
  int64_t c = shapeOf(x)[3];
  Value w = imp.weight(call, "depthwise_kernel", {(*kernel)[0], (*kernel)[1], c, *multiplier}, kinit);
  if (!w)
    return false;
  Value y = imp.create<DepthwiseConv2DOp>(call.layer, {x, w},
                                          {named(imp, "strides", imp.b.getDenseI64ArrayAttr(*strides)),
                                           named(imp, "dilations", imp.b.getDenseI64ArrayAttr(*dilation)),
                                           named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding))});
  if (useBias && y)
    y = addBias(call, y, imp.weight(call, "bias", {c * *multiplier}, binit), 3);
  out.push_back(applyActivation(call, y, *act));
  return true;
}

/// SeparableConv2D: a depthwise convolution (strides, dilation and padding
/// apply to it) then a 1 x 1 convolution, bias and activation, with Keras's
/// weights in its order: depthwise_kernel, pointwise_kernel, bias.
bool importSeparableConv2D(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto filters = cfg.positiveInt({"filters"});
  auto kernel = cfg.pair({"kernel_size"}, std::nullopt);
  auto multiplier = json::isNull(cfg.find({"depth_multiplier"})) ? std::optional<int64_t>(1)
                                                                  : cfg.positiveInt({"depth_multiplier"});
  auto strides = cfg.pair({"strides"}, std::vector<int64_t>{1, 1});
  auto dilation = cfg.pair({"dilation_rate"}, std::vector<int64_t>{1, 1});
  auto padding = cfg.padding();
  auto format = cfg.dataFormat();
  auto act = cfg.activation({"activation"}, "linear");
  bool useBias = cfg.flag({"use_bias"}, true);
  auto dinit = cfg.initializer(&imp.ctx, {"depthwise_initializer"}, "glorot_uniform");
  auto pinit = cfg.initializer(&imp.ctx, {"pointwise_initializer"}, "glorot_uniform");
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  cfg.unsupportedIfSet("depthwise_constraint", "'depthwise_constraint'");
  cfg.unsupportedIfSet("pointwise_constraint", "'pointwise_constraint'");
  if (!filters || !kernel || !multiplier || !strides || !dilation || !padding || !format || !act || !dinit ||
      !pinit || !binit)
    return false;
  if (*format != DataFormat::channels_last) {
    cfg.error({"data_format"}, "SeparableConv2D is only supported with channels_last");
    return false;
  }
  Value x = call.inputs[0];
  if (shapeOf(x).size() != 4) {
    cfg.error({"name"}, "expects a 4-D image batch, got rank " + std::to_string(shapeOf(x).size()));
    return false;
  }
  int64_t c = shapeOf(x)[3];
  Value dw = imp.weight(call, "depthwise_kernel", {(*kernel)[0], (*kernel)[1], c, *multiplier}, dinit);
  Value pw = imp.weight(call, "pointwise_kernel", {1, 1, c * *multiplier, *filters}, pinit);
  if (!dw || !pw)
    return false;
  Value y = imp.create<DepthwiseConv2DOp>(call.layer, {x, dw},
                                          {named(imp, "strides", imp.b.getDenseI64ArrayAttr(*strides)),
                                           named(imp, "dilations", imp.b.getDenseI64ArrayAttr(*dilation)),
                                           named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding))});
  if (y)
    y = imp.create<Conv2DOp>(call.layer, {y, pw},
                             {named(imp, "strides", imp.b.getDenseI64ArrayAttr({1, 1})),
                              named(imp, "dilations", imp.b.getDenseI64ArrayAttr({1, 1})),
                              named(imp, "padding", PaddingAttr::get(&imp.ctx, Padding::valid)),
                              named(imp, "data_format", DataFormatAttr::get(&imp.ctx, DataFormat::channels_last))});
  if (useBias && y)
    y = addBias(call, y, imp.weight(call, "bias", {*filters}, binit), 3);
  out.push_back(applyActivation(call, y, *act));
  return static_cast<bool>(out.back());
}

/// Keras's deconv_output_length without output_padding.
int64_t transposedLength(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, Padding padding) {
  int64_t k = kernel + (kernel - 1) * (dilation - 1);
  return padding == Padding::same ? in * stride : in * stride + std::max<int64_t>(k - stride, 0);
}

/// Conv2DTranspose is conv2d_backward_data: Keras keeps its kernel as
/// (kh, kw, filters, in_channels), the HWIO of the conv it transposes.
bool importConv2DTranspose(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto filters = cfg.positiveInt({"filters"});
  auto kernel = cfg.pair({"kernel_size"}, std::nullopt);
  auto strides = cfg.pair({"strides"}, std::vector<int64_t>{1, 1});
  auto dilation = cfg.pair({"dilation_rate"}, std::vector<int64_t>{1, 1});
  auto padding = cfg.padding();
  auto format = cfg.dataFormat();
  auto act = cfg.activation({"activation"}, "linear");
  bool useBias = cfg.flag({"use_bias"}, true);
  auto kinit = cfg.initializer(&imp.ctx, {"kernel_initializer"}, "glorot_uniform");
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  if (!json::isNull(cfg.find({"output_padding"})))
    cfg.error({"output_padding"}, "Conv2DTranspose 'output_padding' is not supported (found " +
                                      json::render(cfg.find({"output_padding"})) + ")");
  if (!filters || !kernel || !strides || !dilation || !padding || !format || !act || !kinit || !binit)
    return false;
  Value x = call.inputs[0];
  if (shapeOf(x).size() != 4) {
    cfg.error({"name"}, "expects a 4-D image batch, got rank " + std::to_string(shapeOf(x).size()));
    return false;
  }
  ImageAxes ax(*format);
  ArrayRef<int64_t> in = shapeOf(x);
  SmallVector<int64_t> outShape(in.begin(), in.end());
  outShape[ax.c] = *filters;
  outShape[ax.h] = transposedLength(in[ax.h], (*kernel)[0], (*strides)[0], (*dilation)[0], *padding);
  outShape[ax.w] = transposedLength(in[ax.w], (*kernel)[1], (*strides)[1], (*dilation)[1], *padding);
  Value w = imp.weight(call, "kernel", {(*kernel)[0], (*kernel)[1], *filters, in[ax.c]}, kinit);
  if (!w)
    return false;
  SmallVector<Value> operands = {x, w};
  Value y = imp.create<Conv2DBackwardDataOp>(
      call.layer, operands,
      {named(imp, "input_shape", imp.b.getDenseI64ArrayAttr(outShape)),
       named(imp, "strides", imp.b.getDenseI64ArrayAttr(*strides)),
       named(imp, "dilations", imp.b.getDenseI64ArrayAttr(*dilation)),
       named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding)),
       named(imp, "data_format", DataFormatAttr::get(&imp.ctx, *format))});
  if (useBias && y)
    y = addBias(call, y, imp.weight(call, "bias", {*filters}, binit), ax.c);
  out.push_back(applyActivation(call, y, *act));
  return true;
}

/// Nearest-neighbour UpSampling1D (|dims| 1) and UpSampling2D: each axis in
/// turn is a RepeatVector of the rows before it, folded back by reshapes.
bool importUpSampling(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  auto [x, firstAxis] = spatialInput(call, dims);
  std::optional<std::vector<int64_t>> size;
  if (dims == 1) {
    if (auto n = single(cfg, {"size", "length"}, 2))
      size = std::vector<int64_t>{*n};
  } else {
    size = cfg.pair({"size"}, std::vector<int64_t>{2, 2});
  }
  std::string interpolation = cfg.string({"interpolation"}, "nearest");
  if (interpolation != "nearest")
    cfg.error({"interpolation"}, "only 'nearest' up-sampling is supported, found '" + interpolation + "'");
  if (!size || !x || interpolation != "nearest")
    return false;
  for (size_t d = 0; d < dims && x; ++d) {
    int64_t axis = firstAxis + d, times = (*size)[d];
    if (times == 1)
      continue;
    SmallVector<int64_t> shape(shapeOf(x));
    int64_t rows = 1, row = 1;
    for (int64_t i = 0; i <= axis; ++i)
      rows *= shape[i];
    for (size_t i = axis + 1; i < shape.size(); ++i)
      row *= shape[i];
    x = reshape(call, x, {rows, row});
    if (x)
      x = call.imp.create<RepeatOp>(call.layer, x, {named(call.imp, "times", call.imp.b.getI64IntegerAttr(times))});
    shape[axis] *= times;
    x = reshape(call, x, shape);
  }
  out.push_back(x);
  return static_cast<bool>(x);
}

bool importUpSampling1D(LayerCall &call, SmallVectorImpl<Value> &out) { return importUpSampling(call, out, 1); }
bool importUpSampling2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importUpSampling(call, out, 2); }

bool importMaxPool2D(LayerCall &call, SmallVectorImpl<Value> &out) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto pool = cfg.pair({"pool_size"}, std::vector<int64_t>{2, 2});
  auto strides = pool ? cfg.pair({"strides"}, *pool) : std::nullopt;
  auto padding = cfg.padding();
  auto format = cfg.dataFormat();
  if (!pool || !strides || !padding || !format)
    return false;
  out.push_back(imp.create<MaxPool2DOp>(
      call.layer, call.inputs[0],
      {named(imp, "pool_size", imp.b.getDenseI64ArrayAttr(*pool)),
       named(imp, "strides", imp.b.getDenseI64ArrayAttr(*strides)),
       named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding)),
       named(imp, "data_format", DataFormatAttr::get(&imp.ctx, *format))}));
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
