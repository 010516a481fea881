//===- Convolution.cpp - conv2d, its backward ops (and transpose), pooling ===//
//
// Filters are Keras HWIO; images NHWC (channels_last) or NCHW
// (channels_first). A target is free to keep tensors in other layouts between
// its library calls; these ops state only the logical layout.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

#include <limits>

using namespace mlir;

namespace kcc::graph {

namespace {
/// Geometry of one 2-D window op, derived from shapes and attributes.
struct Window2D {
  int64_t n, c, h, w, oh, ow;
  int64_t kh, kw, sh, sw, dh, dw;
  int64_t padTop, padLeft;
  DataFormat format;

  Window2D(ArrayRef<int64_t> in, int64_t kh, int64_t kw,
           ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
           Padding padding, DataFormat format)
      : kh(kh), kw(kw), sh(strides[0]), sw(strides[1]), dh(dilations[0]),
        dw(dilations[1]), format(format) {
    ImageAxes ax(format);
    n = in[ax.n], c = in[ax.c], h = in[ax.h], w = in[ax.w];
    WindowDim y = windowDim(h, kh, sh, dh, padding);
    WindowDim x = windowDim(w, kw, sw, dw, padding);
    oh = y.out, ow = x.out, padTop = y.padBefore, padLeft = x.padBefore;
  }

  SmallVector<int64_t> imageShape(int64_t channels, int64_t hh, int64_t ww) const {
    if (format == DataFormat::channels_last)
      return {n, hh, ww, channels};
    return {n, channels, hh, ww};
  }
  int64_t index(int64_t channels, int64_t hh, int64_t ww, int64_t b, int64_t ch,
                int64_t y, int64_t x) const {
    if (format == DataFormat::channels_last)
      return ((b * hh + y) * ww + x) * channels + ch;
    return ((b * channels + ch) * hh + y) * ww + x;
  }
  /// Calls f(inIndex, outIndex, filterIndex) for every in-bounds tap of a
  /// convolution with |cout| output channels.
  template <typename F> void forEachConvTap(int64_t cout, F f) const {
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              int64_t y = oy * sh - padTop + i * dh, x = ox * sw - padLeft + j * dw;
              if (y < 0 || y >= h || x < 0 || x >= w)
                continue;
              for (int64_t ci = 0; ci < c; ++ci)
                for (int64_t co = 0; co < cout; ++co)
                  f(index(c, h, w, b, ci, y, x), index(cout, oh, ow, b, co, oy, ox),
                    ((i * kw + j) * c + ci) * cout + co);
            }
  }
};
} // namespace

static LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations) {
  if (strides.size() != 2 || llvm::any_of(strides, [](int64_t s) { return s < 1; }))
    return op->emitOpError() << "strides must be two positive integers";
  if (dilations.size() != 2 || llvm::any_of(dilations, [](int64_t s) { return s < 1; }))
    return op->emitOpError() << "dilations must be two positive integers";
  return success();
}

/// The window attributes of a conv2d or conv2d_backward_data, to build the
/// ops of its gradient.
template <typename ConvLikeOp> static SmallVector<NamedAttribute> convAttrs(OpBuilder &b, ConvLikeOp op) {
  return {b.getNamedAttr("strides", op.getStridesAttr()),
          b.getNamedAttr("dilations", op.getDilationsAttr()),
          b.getNamedAttr("padding", op.getPaddingAttr()),
          b.getNamedAttr("data_format", op.getDataFormatAttr())};
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  if (failed(verifyWindowAttrs(*this, getStrides(), getDilations())))
    return failure();
  if (auto x = rankedType(getInput()); x && x.getRank() != 4)
    return emitOpError() << "input must be a 4-D image batch, got " << x;
  if (auto f = rankedType(getFilter()); f && f.getRank() != 4)
    return emitOpError() << "filter must be 4-D (kh, kw, in, out), got " << f;
  return success();
}

LogicalResult Conv2DOp::inferShapes() {
  ArrayRef<int64_t> f = shapeOf(getFilter());
  Window2D g(shapeOf(getInput()), f[0], f[1], getStrides(), getDilations(),
             getPadding(), getDataFormat());
  if (f[2] != g.c)
    return emitOpError() << "filter expects " << f[2]
                         << " input channels, input has " << g.c;
  if (getBias() && shapeOf(getBias())[0] != f[3])
    return emitOpError() << "bias has " << shapeOf(getBias())[0]
                         << " elements, expected " << f[3];
  if (g.oh <= 0 || g.ow <= 0)
    return emitOpError() << "kernel " << f[0] << "x" << f[1]
                         << " does not fit the " << g.h << "x" << g.w << " input";
  setResultShape(*this, 0, g.imageShape(f[3], g.oh, g.ow));
  return success();
}

LogicalResult Conv2DOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                       ArrayRef<bool> needGrad,
                                       SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  Value dz = throughFusedActivation(b, loc, getActivation(), resultGrads[0], getResult());
  SmallVector<NamedAttribute> attrs = convAttrs(b, *this);
  Value dx, dw, dbias;
  if (needGrad[0]) {
    attrs.push_back(b.getNamedAttr("input_shape", b.getDenseI64ArrayAttr(shapeOf(getInput()))));
    dx = makeOp<Conv2DBackwardDataOp>(b, loc, getInput().getType(), {dz, getFilter()}, attrs);
    attrs.pop_back();
  }
  if (needGrad[1]) {
    attrs.push_back(b.getNamedAttr("filter_shape", b.getDenseI64ArrayAttr(shapeOf(getFilter()))));
    dw = makeOp<Conv2DBackwardFilterOp>(b, loc, getFilter().getType(), {getInput(), dz}, attrs);
  }
  operandGrads.append({dx, dw});
  if (getBias()) {
    if (needGrad[2]) {
      ImageAxes ax(getDataFormat());
      SmallVector<int64_t> axes;
      for (int64_t i = 0; i < 4; ++i)
        if (i != ax.c)
          axes.push_back(i);
      dbias = makeOp<ReduceSumOp>(b, loc, getBias().getType(), dz,
                                  {b.getNamedAttr("axes", b.getDenseI64ArrayAttr(axes))});
    }
    operandGrads.push_back(dbias);
  }
  return success();
}

LogicalResult Conv2DOp::evaluate(ArrayRef<const RefTensor *> in,
                                 SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &f = *in[1];
  Window2D g(x.shape, f.shape[0], f.shape[1], getStrides(), getDilations(),
             getPadding(), getDataFormat());
  int64_t cout = f.shape[3];
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(), shapeOf(getResult()).end()));
  g.forEachConvTap(cout, [&](int64_t xi, int64_t yi, int64_t fi) { y[yi] += x[xi] * f[fi]; });
  int64_t cAxis = ImageAxes(getDataFormat()).c;
  int64_t cStride = stridesOf(y.shape)[cAxis];
  for (int64_t i = 0; i < y.size(); ++i) {
    double v = y[i] + (getBias() ? (*in[2])[(i / cStride) % cout] : 0.0);
    y[i] = activationRef(getActivation(), v);
  }
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2DBackwardDataOp / Conv2DBackwardFilterOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DBackwardDataOp::verify() {
  if (failed(verifyWindowAttrs(*this, getStrides(), getDilations())))
    return failure();
  if (getInputShape().size() != 4 || llvm::any_of(getInputShape(), [](int64_t d) { return d < 1; }))
    return emitOpError() << "input_shape must be four positive sizes";
  auto filter = rankedType(getFilter()), outputGrad = rankedType(getOutputGrad());
  if (filter && filter.getRank() != 4)
    return emitOpError() << "filter must be 4-D (kh, kw, in, out), got " << filter;
  if (!filter || !outputGrad)
    return success();
  // The forward conv of input_shape must produce output_grad's shape: a
  // Conv2DTranspose whose output size does not invert its input is refused.
  ArrayRef<int64_t> f = filter.getShape(), dy = outputGrad.getShape();
  Window2D g(getInputShape(), f[0], f[1], getStrides(), getDilations(), getPadding(), getDataFormat());
  SmallVector<int64_t> expected = g.imageShape(f[3], g.oh, g.ow);
  if (g.c != f[2] || ArrayRef<int64_t>(expected) != dy)
    return emitOpError() << "a conv2d of input_shape [" << getInputShape() << "] with a " << f[0] << "x" << f[1]
                         << "x" << f[2] << "x" << f[3] << " filter gives [" << ArrayRef<int64_t>(expected)
                         << "], not the output_grad shape [" << dy << "]";
  return success();
}

LogicalResult Conv2DBackwardDataOp::inferShapes() {
  setResultShape(*this, 0, getInputShape());
  return success();
}

LogicalResult Conv2DBackwardDataOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                                   ArrayRef<bool> needGrad,
                                                   SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  SmallVector<NamedAttribute> attrs = convAttrs(b, *this);
  Value d = resultGrads[0], dy, dw;
  if (needGrad[0])
    dy = makeOp<Conv2DOp>(b, loc, getOutputGrad().getType(), {d, getFilter()}, attrs);
  if (needGrad[1]) {
    attrs.push_back(b.getNamedAttr("filter_shape", b.getDenseI64ArrayAttr(shapeOf(getFilter()))));
    dw = makeOp<Conv2DBackwardFilterOp>(b, loc, getFilter().getType(), {d, getOutputGrad()}, attrs);
  }
  operandGrads.append({dy, dw});
  return success();
}

LogicalResult Conv2DBackwardDataOp::evaluate(ArrayRef<const RefTensor *> in,
                                             SmallVectorImpl<RefTensor> &out) {
  const RefTensor &dy = *in[0], &f = *in[1];
  Window2D g(getInputShape(), f.shape[0], f.shape[1], getStrides(),
             getDilations(), getPadding(), getDataFormat());
  RefTensor dx(std::vector<int64_t>(getInputShape().begin(), getInputShape().end()));
  g.forEachConvTap(f.shape[3], [&](int64_t xi, int64_t yi, int64_t fi) { dx[xi] += dy[yi] * f[fi]; });
  out.push_back(std::move(dx));
  return success();
}

LogicalResult Conv2DBackwardFilterOp::inferShapes() {
  setResultShape(*this, 0, getFilterShape());
  if (getBiasGrad())
    setResultShape(*this, 1, {getFilterShape()[3]});
  return success();
}

LogicalResult Conv2DBackwardFilterOp::evaluate(ArrayRef<const RefTensor *> in,
                                               SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &dy = *in[1];
  ArrayRef<int64_t> fs = getFilterShape();
  Window2D g(x.shape, fs[0], fs[1], getStrides(), getDilations(), getPadding(),
             getDataFormat());
  RefTensor df(std::vector<int64_t>(fs.begin(), fs.end()));
  g.forEachConvTap(fs[3], [&](int64_t xi, int64_t yi, int64_t fi) { df[fi] += x[xi] * dy[yi]; });
  out.push_back(std::move(df));
  if (getBiasGrad()) {
    RefTensor db({fs[3]});
    int64_t cStride = stridesOf(dy.shape)[ImageAxes(getDataFormat()).c];
    for (int64_t i = 0; i < dy.size(); ++i)
      db[(i / cStride) % fs[3]] += dy[i];
    out.push_back(std::move(db));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DepthwiseConv2DOp and its backward ops (channels_last)
//===----------------------------------------------------------------------===//

/// Calls f(inIndex, outIndex, filterIndex) for every in-bounds tap of a
/// depthwise convolution of an NHWC |in| with a [kh, kw, C, M] filter.
template <typename F>
static void forEachDepthwiseTap(ArrayRef<int64_t> in, ArrayRef<int64_t> filter, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations, Padding padding, F f) {
  Window2D g(in, filter[0], filter[1], strides, dilations, padding, DataFormat::channels_last);
  int64_t m = filter[3], cm = g.c * m;
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t i = 0; i < g.kh; ++i)
          for (int64_t j = 0; j < g.kw; ++j) {
            int64_t y = oy * g.sh - g.padTop + i * g.dh, x = ox * g.sw - g.padLeft + j * g.dw;
            if (y < 0 || y >= g.h || x < 0 || x >= g.w)
              continue;
            for (int64_t oc = 0; oc < cm; ++oc)
              f(((b * g.h + y) * g.w + x) * g.c + oc / m, ((b * g.oh + oy) * g.ow + ox) * cm + oc,
                (i * g.kw + j) * cm + oc);
          }
}

LogicalResult DepthwiseConv2DOp::verify() {
  if (failed(verifyWindowAttrs(*this, getStrides(), getDilations())))
    return failure();
  if (auto x = rankedType(getInput()); x && x.getRank() != 4)
    return emitOpError() << "input must be a 4-D NHWC image batch, got " << x;
  if (auto f = rankedType(getFilter()); f && f.getRank() != 4)
    return emitOpError() << "filter must be 4-D (kh, kw, channels, depth_multiplier), got " << f;
  return success();
}

LogicalResult DepthwiseConv2DOp::inferShapes() {
  ArrayRef<int64_t> f = shapeOf(getFilter());
  Window2D g(shapeOf(getInput()), f[0], f[1], getStrides(), getDilations(), getPadding(), DataFormat::channels_last);
  if (f[2] != g.c)
    return emitOpError() << "filter expects " << f[2] << " channels, input has " << g.c;
  if (g.oh <= 0 || g.ow <= 0)
    return emitOpError() << "kernel " << f[0] << "x" << f[1] << " does not fit the " << g.h << "x" << g.w
                         << " input";
  setResultShape(*this, 0, {g.n, g.oh, g.ow, g.c * f[3]});
  return success();
}

LogicalResult DepthwiseConv2DOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads, ArrayRef<bool> needGrad,
                                                SmallVectorImpl<Value> &operandGrads) {
  Location loc = getLoc();
  SmallVector<NamedAttribute> attrs = {b.getNamedAttr("strides", getStridesAttr()),
                                       b.getNamedAttr("dilations", getDilationsAttr()),
                                       b.getNamedAttr("padding", getPaddingAttr())};
  Value dx, dw;
  if (needGrad[0]) {
    attrs.push_back(b.getNamedAttr("input_shape", b.getDenseI64ArrayAttr(shapeOf(getInput()))));
    dx = makeOp<DepthwiseConv2DBackwardDataOp>(b, loc, getInput().getType(), {resultGrads[0], getFilter()}, attrs);
    attrs.pop_back();
  }
  if (needGrad[1]) {
    attrs.push_back(b.getNamedAttr("filter_shape", b.getDenseI64ArrayAttr(shapeOf(getFilter()))));
    dw = makeOp<DepthwiseConv2DBackwardFilterOp>(b, loc, getFilter().getType(), {getInput(), resultGrads[0]}, attrs);
  }
  operandGrads.append({dx, dw});
  return success();
}

LogicalResult DepthwiseConv2DOp::evaluate(ArrayRef<const RefTensor *> in, SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &f = *in[1];
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(), shapeOf(getResult()).end()));
  forEachDepthwiseTap(x.shape, f.shape, getStrides(), getDilations(), getPadding(),
                      [&](int64_t xi, int64_t yi, int64_t fi) { y[yi] += x[xi] * f[fi]; });
  out.push_back(std::move(y));
  return success();
}

LogicalResult DepthwiseConv2DBackwardDataOp::inferShapes() {
  setResultShape(*this, 0, getInputShape());
  return success();
}

LogicalResult DepthwiseConv2DBackwardDataOp::evaluate(ArrayRef<const RefTensor *> in,
                                                      SmallVectorImpl<RefTensor> &out) {
  const RefTensor &dy = *in[0], &f = *in[1];
  RefTensor dx(std::vector<int64_t>(getInputShape().begin(), getInputShape().end()));
  forEachDepthwiseTap(getInputShape(), f.shape, getStrides(), getDilations(), getPadding(),
                      [&](int64_t xi, int64_t yi, int64_t fi) { dx[xi] += dy[yi] * f[fi]; });
  out.push_back(std::move(dx));
  return success();
}

LogicalResult DepthwiseConv2DBackwardFilterOp::inferShapes() {
  setResultShape(*this, 0, getFilterShape());
  return success();
}

LogicalResult DepthwiseConv2DBackwardFilterOp::evaluate(ArrayRef<const RefTensor *> in,
                                                        SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &dy = *in[1];
  RefTensor df(std::vector<int64_t>(getFilterShape().begin(), getFilterShape().end()));
  forEachDepthwiseTap(x.shape, getFilterShape(), getStrides(), getDilations(), getPadding(),
                      [&](int64_t xi, int64_t yi, int64_t fi) { df[fi] += x[xi] * dy[yi]; });
  out.push_back(std::move(df));
  return success();
}

//===----------------------------------------------------------------------===//
// MaxPool2DOp / MaxPool2DBackwardOp
//===----------------------------------------------------------------------===//

static const std::vector<int64_t> kNoDilation = {1, 1};

LogicalResult MaxPool2DOp::verify() {
  if (getPoolSize().size() != 2 ||
      llvm::any_of(getPoolSize(), [](int64_t s) { return s < 1; }))
    return emitOpError() << "pool_size must be two positive integers";
  if (failed(verifyWindowAttrs(*this, getStrides(), kNoDilation)))
    return failure();
  if (auto x = rankedType(getInput()); x && x.getRank() != 4)
    return emitOpError() << "input must be a 4-D image batch, got " << x;
  return success();
}

LogicalResult MaxPool2DOp::inferShapes() {
  Window2D g(shapeOf(getInput()), getPoolSize()[0], getPoolSize()[1],
             getStrides(), kNoDilation, getPadding(), getDataFormat());
  if (g.oh <= 0 || g.ow <= 0)
    return emitOpError() << "pool window does not fit the " << g.h << "x"
                         << g.w << " input";
  setResultShape(*this, 0, g.imageShape(g.c, g.oh, g.ow));
  return success();
}

LogicalResult MaxPool2DOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                          ArrayRef<bool> needGrad,
                                          SmallVectorImpl<Value> &operandGrads) {
  if (!needGrad[0]) {
    operandGrads.push_back(Value());
    return success();
  }
  operandGrads.push_back(makeOp<MaxPool2DBackwardOp>(
      b, getLoc(), getInput().getType(), {resultGrads[0], getInput(), getResult()},
      {b.getNamedAttr("pool_size", getPoolSizeAttr()),
       b.getNamedAttr("strides", getStridesAttr()),
       b.getNamedAttr("padding", getPaddingAttr()),
       b.getNamedAttr("data_format", getDataFormatAttr())}));
  return success();
}

/// Calls f(outIndex, argmaxInIndex) for every pooling window; ties go to the
/// first maximum in row-major window order, padding never wins.
template <typename F>
static void forEachPoolWindow(const Window2D &g, const RefTensor &x, F f) {
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          int64_t best = -1;
          for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
              int64_t y = oy * g.sh - g.padTop + i, xx = ox * g.sw - g.padLeft + j;
              if (y < 0 || y >= g.h || xx < 0 || xx >= g.w)
                continue;
              int64_t idx = g.index(g.c, g.h, g.w, b, ch, y, xx);
              if (best < 0 || x[idx] > x[best])
                best = idx;
            }
          f(g.index(g.c, g.oh, g.ow, b, ch, oy, ox), best);
        }
}

LogicalResult MaxPool2DOp::evaluate(ArrayRef<const RefTensor *> in,
                                    SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0];
  Window2D g(x.shape, getPoolSize()[0], getPoolSize()[1], getStrides(),
             kNoDilation, getPadding(), getDataFormat());
  RefTensor y(std::vector<int64_t>(shapeOf(getResult()).begin(), shapeOf(getResult()).end()));
  forEachPoolWindow(g, x, [&](int64_t yi, int64_t xi) { y[yi] = x[xi]; });
  out.push_back(std::move(y));
  return success();
}

LogicalResult MaxPool2DBackwardOp::inferShapes() {
  setResultShape(*this, 0, shapeOf(getInput()));
  return success();
}

LogicalResult MaxPool2DBackwardOp::evaluate(ArrayRef<const RefTensor *> in,
                                            SmallVectorImpl<RefTensor> &out) {
  const RefTensor &dy = *in[0], &x = *in[1];
  Window2D g(x.shape, getPoolSize()[0], getPoolSize()[1], getStrides(),
             kNoDilation, getPadding(), getDataFormat());
  RefTensor dx(x.shape);
  forEachPoolWindow(g, x, [&](int64_t yi, int64_t xi) { dx[xi] += dy[yi]; });
  out.push_back(std::move(dx));
  return success();
}

} // namespace kcc::graph
