//===- Recurrent.cpp - lstm and lstm_backward -----------------------------===//
//
// Keras LSTM maths (gates i, f, c, o in the 4U axis of kernel, recurrent
// kernel and bias):
//   z = x_t W + h_{t-1} U + b
//   i = ra(z_i)  f = ra(z_f)  g = a(z_c)  o = ra(z_o)
//   c_t = f c_{t-1} + i g      h_t = o a(c_t)
// with a = activation (tanh) and ra = recurrent_activation (hard_sigmoid in
// Keras 2.0.8, sigmoid later). Initial h and c are zero.
//
// A GRU (reset_after) uses the same four slots z, r, xh, rh:
//   z = ra(a_0)  r = ra(a_1)  hh = a(a_2 + r a_3)  h_t = z h_{t-1} + (1-z) hh
// and keeps h in c as well, so both cells share one recurrence.
//
//===----------------------------------------------------------------------===//

#include "ir/Graph/IR/ops/Common.h"

using namespace mlir;

namespace kcc::graph {

//===----------------------------------------------------------------------===//
// Reference forward, keeping what backpropagation through time needs
//===----------------------------------------------------------------------===//

namespace {
struct LSTMTrace {
  int64_t n, t, c, u;
  // Per step s (in processing order), per sample: gates [4U] after their
  // activations (GRU: z, r, hh and the raw a_3), the cell and hidden state
  // after the step.
  std::vector<std::vector<double>> gates, cell, hidden;
};
} // namespace

/// Time index of processing step |s| (go_backwards reads the input reversed).
static int64_t timeOf(int64_t s, int64_t steps, bool backwards) {
  return backwards ? steps - 1 - s : s;
}

static LSTMTrace lstmForwardRef(const RefTensor &x, const RefTensor &w, const RefTensor &r, const RefTensor &bias,
                                Activation act, Activation recAct, bool backwards, RecurrentCell cell) {
  LSTMTrace tr{x.shape[0], x.shape[1], x.shape[2], r.shape[0], {}, {}, {}};
  int64_t n = tr.n, T = tr.t, C = tr.c, U = tr.u;
  std::vector<double> h(n * U, 0.0), c(n * U, 0.0);
  for (int64_t s = 0; s < T; ++s) {
    int64_t t = timeOf(s, T, backwards);
    std::vector<double> gates(n * 4 * U);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < 4 * U; ++k) {
        double z = bias[k];
        for (int64_t i = 0; i < C; ++i)
          z += x[(b * T + t) * C + i] * w[i * 4 * U + k];
        for (int64_t j = 0; j < U; ++j)
          z += h[b * U + j] * r[j * 4 * U + k];
        gates[b * 4 * U + k] = cell == RecurrentCell::gru && k / U >= 2 ? z
                                                                        : activationRef(k / U == 2 ? act : recAct, z);
      }
    for (int64_t b = 0; b < n; ++b)
      for (int64_t j = 0; j < U; ++j) {
        double *g = &gates[b * 4 * U];
        if (cell == RecurrentCell::gru) {
          g[2 * U + j] = activationRef(act, g[2 * U + j] + g[U + j] * g[3 * U + j]);
          double hn = g[j] * h[b * U + j] + (1 - g[j]) * g[2 * U + j];
          c[b * U + j] = h[b * U + j] = hn;
          continue;
        }
        double cn = g[U + j] * c[b * U + j] + g[j] * g[2 * U + j];
        c[b * U + j] = cn;
        h[b * U + j] = g[3 * U + j] * activationRef(act, cn);
      }
    tr.gates.push_back(std::move(gates));
    tr.cell.push_back(c);
    tr.hidden.push_back(h);
  }
  return tr;
}

//===----------------------------------------------------------------------===//
// LSTMOp
//===----------------------------------------------------------------------===//

LogicalResult LSTMOp::verify() {
  int64_t u = getUnitsAttr().getInt();
  if (u < 1)
    return emitOpError() << "units must be positive, got " << u;
  if (auto x = rankedType(getInput()); x && x.getRank() != 3)
    return emitOpError() << "input must be [batch, time, features], got " << x;
  auto k = rankedType(getKernel()), r = rankedType(getRecurrentKernel()),
       b = rankedType(getBias());
  if (k && (k.getRank() != 2 || k.getDimSize(1) != 4 * u))
    return emitOpError() << "kernel must be [features, " << 4 * u << "], got " << k;
  if (r && (r.getRank() != 2 || r.getDimSize(0) != u || r.getDimSize(1) != 4 * u))
    return emitOpError() << "recurrent kernel must be [" << u << ", " << 4 * u
                         << "], got " << r;
  if (b && (b.getRank() != 1 || b.getDimSize(0) != 4 * u))
    return emitOpError() << "bias must be [" << 4 * u << "], got " << b;
  return success();
}

LogicalResult LSTMOp::inferShapes() {
  ArrayRef<int64_t> x = shapeOf(getInput());
  if (shapeOf(getKernel())[0] != x[2])
    return emitOpError() << "kernel expects " << shapeOf(getKernel())[0]
                         << " input features, input has " << x[2];
  if (getReturnSequences())
    setResultShape(*this, 0, {x[0], x[1], static_cast<int64_t>(getUnits())});
  else
    setResultShape(*this, 0, {x[0], static_cast<int64_t>(getUnits())});
  return success();
}

LogicalResult LSTMOp::buildGradients(OpBuilder &b, ArrayRef<Value> resultGrads,
                                     ArrayRef<bool> needGrad,
                                     SmallVectorImpl<Value> &operandGrads) {
  Type dxType = needGrad[0] ? getInput().getType() : Type();
  auto back = b.create<LSTMBackwardOp>(
      getLoc(), dxType, getKernel().getType(), getRecurrentKernel().getType(),
      getBias().getType(), getInput(), getKernel(), getRecurrentKernel(),
      getBias(), getResult(), resultGrads[0], getUnitsAttr(), getActivationAttr(),
      getRecurrentActivationAttr(), getReturnSequencesAttr(), getGoBackwardsAttr(), getCellAttr());
  operandGrads.append({back.getInputGrad(), back.getKernelGrad(),
                       back.getRecurrentKernelGrad(), back.getBiasGrad()});
  for (unsigned i = 1; i < 4; ++i)
    if (!needGrad[i])
      operandGrads[i] = Value();
  return success();
}

LogicalResult LSTMOp::evaluate(ArrayRef<const RefTensor *> in,
                               SmallVectorImpl<RefTensor> &out) {
  LSTMTrace tr = lstmForwardRef(*in[0], *in[1], *in[2], *in[3], getActivation(), getRecurrentActivation(),
                                getGoBackwards(), getCell());
  if (!getReturnSequences()) {
    RefTensor y({tr.n, tr.u});
    y.data = tr.hidden.back();
    out.push_back(std::move(y));
    return success();
  }
  RefTensor y({tr.n, tr.t, tr.u});
  for (int64_t s = 0; s < tr.t; ++s)
    for (int64_t b = 0; b < tr.n; ++b)
      for (int64_t j = 0; j < tr.u; ++j)
        y[(b * tr.t + s) * tr.u + j] = tr.hidden[s][b * tr.u + j];
  out.push_back(std::move(y));
  return success();
}

//===----------------------------------------------------------------------===//
// LSTMBackwardOp
//===----------------------------------------------------------------------===//

LogicalResult LSTMBackwardOp::inferShapes() {
  unsigned i = 0;
  if (getInputGrad())
    setResultShape(*this, i++, shapeOf(getInput()));
  setResultShape(*this, i++, shapeOf(getKernel()));
  setResultShape(*this, i++, shapeOf(getRecurrentKernel()));
  setResultShape(*this, i++, shapeOf(getBias()));
  return success();
}

LogicalResult LSTMBackwardOp::evaluate(ArrayRef<const RefTensor *> in,
                                       SmallVectorImpl<RefTensor> &out) {
  const RefTensor &x = *in[0], &w = *in[1], &r = *in[2], &dy = *in[5];
  Activation act = getActivation(), recAct = getRecurrentActivation();
  LSTMTrace tr = lstmForwardRef(x, w, r, *in[3], act, recAct, getGoBackwards(), getCell());
  int64_t n = tr.n, T = tr.t, C = tr.c, U = tr.u;
  RefTensor dx(x.shape), dw(w.shape), dr(r.shape), db({4 * U});
  std::vector<double> dhNext(n * U, 0.0), dcNext(n * U, 0.0);
  for (int64_t s = T - 1; s >= 0; --s) {
    int64_t t = timeOf(s, T, getGoBackwards());
    const std::vector<double> &g = tr.gates[s], &c = tr.cell[s];
    std::vector<double> dz(n * 4 * U);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t j = 0; j < U; ++j) {
        int64_t q = b * U + j;
        double dh = dhNext[q];
        if (getReturnSequences())
          dh += dy[(b * T + s) * U + j];
        else if (s == T - 1)
          dh += dy[q];
        const double *gb = &g[b * 4 * U];
        double *d = &dz[b * 4 * U];
        if (getCell() == RecurrentCell::gru) { // dcNext carries dh through z h_{t-1}
          dh += dcNext[q];
          double hPrev = s > 0 ? tr.hidden[s - 1][q] : 0.0;
          double z = gb[j], rg = gb[U + j], hh = gb[2 * U + j], rh = gb[3 * U + j];
          d[2 * U + j] = activationGradRef(act, dh * (1 - z), hh);
          d[3 * U + j] = d[2 * U + j] * rg;
          d[U + j] = activationGradRef(recAct, d[2 * U + j] * rh, rg);
          d[j] = activationGradRef(recAct, dh * (hPrev - hh), z);
          dcNext[q] = dh * z;
          continue;
        }
        double tc = activationRef(act, c[q]);
        double cPrev = s > 0 ? tr.cell[s - 1][q] : 0.0;
        double dc = dcNext[q] + activationGradRef(act, dh * gb[3 * U + j], tc);
        dcNext[q] = dc * gb[U + j];
        d[j] = activationGradRef(recAct, dc * gb[2 * U + j], gb[j]);
        d[U + j] = activationGradRef(recAct, dc * cPrev, gb[U + j]);
        d[2 * U + j] = activationGradRef(act, dc * gb[j], gb[2 * U + j]);
        d[3 * U + j] = activationGradRef(recAct, dh * tc, gb[3 * U + j]);
      }
    std::fill(dhNext.begin(), dhNext.end(), 0.0);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t k = 0; k < 4 * U; ++k) {
        double d = dz[b * 4 * U + k];
        db[k] += d;
        for (int64_t i = 0; i < C; ++i) {
          dw[i * 4 * U + k] += x[(b * T + t) * C + i] * d;
          dx[(b * T + t) * C + i] += w[i * 4 * U + k] * d;
        }
        for (int64_t j = 0; j < U; ++j) {
          double hPrev = s > 0 ? tr.hidden[s - 1][b * U + j] : 0.0;
          dr[j * 4 * U + k] += hPrev * d;
          dhNext[b * U + j] += r[j * 4 * U + k] * d;
        }
      }
  }
  if (getInputGrad())
    out.push_back(std::move(dx));
  out.append({std::move(dw), std::move(dr), std::move(db)});
  return success();
}

} // namespace kcc::graph
