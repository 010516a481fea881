//===- ImportConvolution.cpp - convolution, pooling, padding layers -------===//
//
// Conv1D/2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, the max,
// average and global poolings, ZeroPadding, Cropping and UpSampling: each
// reads its layer's config and emits graph ops, as ImportLayers.cpp does.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportLayers.h"

#include "frontend/Json.h"

#include "ir/Graph/IR/ops/Common.h"

namespace kcc::frontend::layers {

using namespace mlir;
using namespace kcc::graph;

//===----------------------------------------------------------------------===//
// 1D convolution and pooling, global pooling
//===----------------------------------------------------------------------===//
// A sequence [N, T, C] is the one-row image [N, 1, T, C] (a free reshape), so
// Conv1D and MaxPooling1D are Conv2D and MaxPooling2D with a 1 x k window;
// a global max pooling is a max pooling over the whole map, a global
// average pooling a sum over it, scaled.

/// An int or a one-element list (Keras's 1D sizes); |fallback| if absent.
static std::optional<int64_t> single(LayerConfig &cfg, LayerConfig::Keys keys, std::optional<int64_t> fallback) {
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


/// The sequence input of a 1D layer, or null after reporting a wrong rank
/// or a channels_first data format.
static Value sequenceInput(LayerCall &call) {
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
static bool importGlobalPooling(LayerCall &call, SmallVectorImpl<Value> &out, int64_t rank, bool average,
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
static std::optional<SmallVector<std::pair<int64_t, int64_t>>> sideAmounts(LayerConfig &cfg, size_t dims, const char *key,
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
static std::pair<Value, int64_t> spatialInput(LayerCall &call, size_t dims) {
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
static bool importCropping(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
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
static bool importZeroPadding(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
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
static bool importAvgPool(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
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
/// depth_multiplier filters, Keras's [kh, kw, C, M] depthwise_kernel. With
/// |separable|, SeparableConv2D: that depthwise step (strides, dilation and
/// padding apply to it), then a 1 x 1 convolution to `filters` channels;
/// Keras's weights in its order: depthwise_kernel, pointwise_kernel, bias.
static bool importDepthwise(LayerCall &call, SmallVectorImpl<Value> &out, bool separable) {
  if (!expectInputs(call, 1))
    return false;
  LayerConfig &cfg = call.cfg;
  Importer &imp = call.imp;
  auto filters = separable ? cfg.positiveInt({"filters"}) : std::optional<int64_t>(0);
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
  auto pinit = separable ? cfg.initializer(&imp.ctx, {"pointwise_initializer"}, "glorot_uniform") : dinit;
  auto binit = cfg.initializer(&imp.ctx, {"bias_initializer"}, "zeros");
  rejectRegularizers(cfg);
  cfg.unsupportedIfSet("depthwise_constraint", "'depthwise_constraint'");
  if (separable)
    cfg.unsupportedIfSet("pointwise_constraint", "'pointwise_constraint'");
  if (!filters || !kernel || !multiplier || !strides || !dilation || !padding || !format || !act || !dinit ||
      !pinit || !binit)
    return false;
  const char *className = separable ? "SeparableConv2D" : "DepthwiseConv2D";
  if (*format != DataFormat::channels_last) {
    cfg.error({"data_format"}, std::string(className) + " is only supported with channels_last");
    return false;
  }
  Value x = call.inputs[0];
  if (shapeOf(x).size() != 4) {
    cfg.error({"name"}, "expects a 4-D image batch, got rank " + std::to_string(shapeOf(x).size()));
    return false;
  }
  int64_t c = shapeOf(x)[3];
  Value dw = imp.weight(call, "depthwise_kernel", {(*kernel)[0], (*kernel)[1], c, *multiplier}, dinit);
  Value pw = separable ? imp.weight(call, "pointwise_kernel", {1, 1, c * *multiplier, *filters}, pinit) : dw;
  if (!dw || !pw)
    return false;
  Value y = imp.create<DepthwiseConv2DOp>(call.layer, {x, dw},
                                          {named(imp, "strides", imp.b.getDenseI64ArrayAttr(*strides)),
                                           named(imp, "dilations", imp.b.getDenseI64ArrayAttr(*dilation)),
                                           named(imp, "padding", PaddingAttr::get(&imp.ctx, *padding))});
  if (separable && y)
    y = imp.create<Conv2DOp>(call.layer, {y, pw},
                             {named(imp, "strides", imp.b.getDenseI64ArrayAttr({1, 1})),
                              named(imp, "dilations", imp.b.getDenseI64ArrayAttr({1, 1})),
                              named(imp, "padding", PaddingAttr::get(&imp.ctx, Padding::valid)),
                              named(imp, "data_format", DataFormatAttr::get(&imp.ctx, DataFormat::channels_last))});
  if (useBias && y)
    y = addBias(call, y, imp.weight(call, "bias", {separable ? *filters : c * *multiplier}, binit), 3);
  out.push_back(applyActivation(call, y, *act));
  return static_cast<bool>(out.back());
}

bool importDepthwiseConv2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importDepthwise(call, out, false); }
bool importSeparableConv2D(LayerCall &call, SmallVectorImpl<Value> &out) { return importDepthwise(call, out, true); }

/// Keras's deconv_output_length without output_padding.
static int64_t transposedLength(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, Padding padding) {
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
static bool importUpSampling(LayerCall &call, SmallVectorImpl<Value> &out, size_t dims) {
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

} // namespace kcc::frontend::layers
