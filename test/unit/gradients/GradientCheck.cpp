//===- GradientCheck.cpp - finite-difference checks of gradient rules -----===//

#include "GradientCheck.h"

#include "ir/Graph/IR/GraphDialect.h"
#include "ir/Graph/Reference/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

using namespace mlir;

namespace kcc::test {

void prepareContext(MLIRContext &ctx) {
  ctx.loadDialect<graph::GraphDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect>();
}

double Random::awayFrom(double lo, double hi, const std::vector<double> &kinks, double margin) {
  for (;;) {
    double v = uniform(lo, hi);
    if (std::none_of(kinks.begin(), kinks.end(), [&](double k) { return std::fabs(v - k) < margin; }))
      return v;
  }
}

RefTensor Random::tensor(std::vector<int64_t> shape, double lo, double hi) {
  RefTensor t(std::move(shape));
  for (double &v : t.data)
    v = uniform(lo, hi);
  return t;
}

RefTensor Random::tensorAwayFrom(std::vector<int64_t> shape, double lo, double hi,
                                 const std::vector<double> &kinks, double margin) {
  RefTensor t(std::move(shape));
  for (double &v : t.data)
    v = awayFrom(lo, hi, kinks, margin);
  return t;
}

void compareGradients(const std::string &what, const RefTensor &analytic,
                      const std::vector<int64_t> &indices, const std::vector<double> &numeric,
                      const Tolerance &tol, std::vector<Mismatch> &out) {
  for (size_t k = 0; k < indices.size(); ++k) {
    double a = analytic[indices[k]], n = numeric[k];
    double bound = tol.atol + tol.rtol * std::max(std::fabs(a), std::fabs(n));
    if (!(std::fabs(a - n) <= bound)) // also catches NaN
      out.push_back({what, indices[k], a, n});
  }
}

std::string describe(const std::vector<Mismatch> &mismatches, size_t limit) {
  std::ostringstream os;
  os.precision(12);
  os << mismatches.size() << " mismatching element(s)";
  for (size_t i = 0; i < mismatches.size() && i < limit; ++i) {
    const Mismatch &m = mismatches[i];
    os << "\n  " << m.what << "[" << m.index << "]: analytic " << m.analytic << ", finite difference "
       << m.numeric << " (diff " << m.analytic - m.numeric << ")";
  }
  return os.str();
}

std::vector<int64_t> sampleIndices(int64_t n, int64_t limit, Random &rng) {
  std::vector<int64_t> out;
  if (n <= limit) {
    for (int64_t i = 0; i < n; ++i)
      out.push_back(i);
    return out;
  }
  std::set<int64_t> chosen = {0, n - 1};
  while (static_cast<int64_t>(chosen.size()) < limit)
    chosen.insert(rng.integer(0, n - 1));
  return std::vector<int64_t>(chosen.begin(), chosen.end());
}

double weightedSum(const RefTensor &r, const RefTensor &y) {
  double s = 0;
  for (int64_t i = 0; i < y.size(); ++i)
    s += r[i] * y[i];
  return s;
}

namespace {

/// Collects MLIR diagnostics into a string while alive.
struct DiagnosticCollector {
  std::string text;
  ScopedDiagnosticHandler handler;
  explicit DiagnosticCollector(MLIRContext *ctx)
      : handler(ctx, [this](Diagnostic &d) {
          llvm::raw_string_ostream os(text);
          os << d.str() << "\n";
          for (Diagnostic &note : d.getNotes())
            os << "  note: " << note.str() << "\n";
          return success();
        }) {}
};

std::string printed(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  op->print(os);
  return s;
}

/// Builds `func.func @grad(f's args..., %R) -> (gradients of the
/// differentiable args)` by cloning @f and calling the rule of the op that
/// produces @f's result.
LogicalResult buildGradFunction(ModuleOp module, const std::vector<bool> &differentiable,
                                std::string &error) {
  auto f = module.lookupSymbol<func::FuncOp>("f");
  if (!f) {
    error = "the module has no func.func @f";
    return failure();
  }
  Block &body = f.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  if (ret.getNumOperands() != 1 || !ret.getOperand(0).getDefiningOp()) {
    error = "@f must return exactly one value produced by an op";
    return failure();
  }
  if (differentiable.size() != body.getNumArguments()) {
    error = "differentiable flags do not match @f's arguments";
    return failure();
  }
  Value result = ret.getOperand(0);
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  SmallVector<Type> argTypes(f.getArgumentTypes());
  argTypes.push_back(result.getType());
  SmallVector<Type> gradTypes;
  for (unsigned i = 0; i < body.getNumArguments(); ++i)
    if (differentiable[i])
      gradTypes.push_back(body.getArgument(i).getType());
  auto grad = b.create<func::FuncOp>(f.getLoc(), "grad", b.getFunctionType(argTypes, gradTypes));
  Block *entry = grad.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  IRMapping mapping;
  for (unsigned i = 0; i < body.getNumArguments(); ++i)
    mapping.map(body.getArgument(i), entry->getArgument(i));
  for (Operation &op : body.without_terminator())
    b.clone(op, mapping);
  Operation *tested = mapping.lookup(result).getDefiningOp();
  auto rule = dyn_cast<graph::GradientOpInterface>(tested);
  if (!rule) {
    error = "'" + tested->getName().getStringRef().str() + "' has no GradientOpInterface";
    return failure();
  }
  SmallVector<bool> need;
  for (Value v : tested->getOperands()) {
    auto arg = dyn_cast<BlockArgument>(v);
    need.push_back(arg && arg.getOwner() == entry && differentiable[arg.getArgNumber()]);
  }
  Value r = entry->getArgument(body.getNumArguments());
  SmallVector<Value> resultGrads = {r};
  SmallVector<Value> operandGrads;
  if (failed(rule.buildGradients(b, resultGrads, need, operandGrads))) {
    error = "buildGradients failed";
    return failure();
  }
  if (operandGrads.size() != tested->getNumOperands()) {
    error = "buildGradients returned " + std::to_string(operandGrads.size()) + " gradients for " +
            std::to_string(tested->getNumOperands()) + " operands";
    return failure();
  }
  // Per argument: the sum of the gradients of the operands it feeds.
  std::vector<Value> argGrads(body.getNumArguments());
  for (auto [i, v] : llvm::enumerate(tested->getOperands())) {
    if (!need[i])
      continue;
    Value g = operandGrads[i];
    if (!g) {
      error = "no gradient for operand " + std::to_string(i) + ", which needs one";
      return failure();
    }
    if (g.getType() != v.getType()) {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << "gradient of operand " << i << " has type " << g.getType() << ", operand has " << v.getType();
      error = s;
      return failure();
    }
    unsigned a = cast<BlockArgument>(v).getArgNumber();
    argGrads[a] = argGrads[a] ? b.create<graph::AddOp>(tested->getLoc(), v.getType(), argGrads[a], g).getResult()
                              : g;
  }
  SmallVector<Value> returned;
  for (unsigned i = 0; i < body.getNumArguments(); ++i) {
    if (!differentiable[i])
      continue;
    if (!argGrads[i]) {
      error = "argument " + std::to_string(i) + " is marked differentiable but does not feed the op";
      return failure();
    }
    returned.push_back(argGrads[i]);
  }
  b.create<func::ReturnOp>(f.getLoc(), returned);
  return success();
}

} // namespace

OpGradientResult checkOpGradient(const OpGradientCase &c) {
  OpGradientResult res;
  MLIRContext ctx;
  prepareContext(ctx);
  DiagnosticCollector diags(&ctx);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(c.moduleText, &ctx);
  if (!module) {
    res.error = "cannot parse the test module:\n" + diags.text;
    return res;
  }
  // The declared result type of the tested op must be what its own shape
  // rule infers (the reference evaluators trust the declared shape).
  if (auto f = module->lookupSymbol<func::FuncOp>("f")) {
    auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
    if (ret.getNumOperands() == 1)
      if (Operation *op = ret.getOperand(0).getDefiningOp())
        if (auto shaped = dyn_cast<graph::ShapeInferenceOpInterface>(op)) {
          Type declared = op->getResult(0).getType();
          if (failed(shaped.inferShapes()) || op->getResult(0).getType() != declared) {
            std::string s;
            llvm::raw_string_ostream os(s);
            os << "the op's shape rule gives " << op->getResult(0).getType() << ", the test declares "
               << declared << "\n"
               << diags.text;
            res.error = s;
            return res;
          }
        }
  }
  if (failed(buildGradFunction(*module, c.differentiable, res.error))) {
    res.error += "\n" + diags.text;
    return res;
  }
  if (auto grad = module->lookupSymbol<func::FuncOp>("grad"))
    res.gradientIR = printed(grad);
  if (failed(verify(*module))) {
    res.error = "the gradient IR does not verify:\n" + diags.text + res.gradientIR;
    return res;
  }

  graph::Interpreter interp(*module);
  auto y = interp.call("f", c.args);
  if (failed(y)) {
    res.error = "reference evaluation of @f failed:\n" + diags.text;
    return res;
  }
  Random rng(c.seed);
  RefTensor r = rng.tensor((*y)[0].shape);
  std::vector<RefTensor> gradArgs = c.args;
  gradArgs.push_back(r);
  auto grads = interp.call("grad", gradArgs);
  if (failed(grads)) {
    res.error = "reference evaluation of the gradient failed:\n" + diags.text + res.gradientIR;
    return res;
  }

  auto loss = [&](const std::vector<RefTensor> &args) {
    auto out = interp.call("f", args);
    return succeeded(out) ? weightedSum(r, (*out)[0]) : std::nan("");
  };
  size_t next = 0;
  res.analytic.resize(c.args.size());
  res.indices.resize(c.args.size());
  res.numeric.resize(c.args.size());
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (!c.differentiable[i])
      continue;
    res.analytic[i] = (*grads)[next++];
    if (res.analytic[i].shape != c.args[i].shape) {
      res.error = "gradient of argument " + std::to_string(i) + " has the wrong shape";
      return res;
    }
    res.indices[i] = sampleIndices(c.args[i].size(), c.maxElementsPerArg, rng);
    std::vector<RefTensor> args = c.args;
    for (int64_t idx : res.indices[i]) {
      double x0 = args[i][idx];
      args[i][idx] = x0 + c.h;
      double up = loss(args);
      args[i][idx] = x0 - c.h;
      double down = loss(args);
      args[i][idx] = x0;
      res.numeric[i].push_back((up - down) / (2 * c.h));
    }
    compareGradients("arg" + std::to_string(i), res.analytic[i], res.indices[i], res.numeric[i], c.tol,
                     res.mismatches);
    res.checked += static_cast<int64_t>(res.indices[i].size());
  }
  if (!diags.text.empty())
    res.error = "unexpected diagnostics:\n" + diags.text;
  return res;
}

} // namespace kcc::test
