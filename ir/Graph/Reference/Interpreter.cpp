//===- Interpreter.cpp - float64 reference execution of graph functions ---===//

#include "ir/Graph/Reference/Interpreter.h"

#include "ir/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace kcc::graph {

FailureOr<std::vector<RefTensor>>
Interpreter::call(StringRef name, const std::vector<RefTensor> &args) {
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func)
    return module.emitError() << "no function @" << name;
  Block &body = func.getBody().front();
  if (body.getNumArguments() != args.size())
    return func.emitError() << "expects " << body.getNumArguments()
                            << " arguments, got " << args.size();
  llvm::DenseMap<Value, RefTensor> values;
  for (auto [arg, t] : llvm::zip(body.getArguments(), args))
    values[arg] = t;
  std::vector<std::pair<std::string, RefTensor>> pendingStores;
  std::vector<RefTensor> results;
  for (Operation &op : body) {
    if (auto load = dyn_cast<LoadOp>(op)) {
      auto it = variables.find(load.getVariable().str());
      if (it == variables.end())
        return op.emitError() << "variable " << load.getVariable() << " has no value";
      values[load.getResult()] = it->second;
    } else if (auto store = dyn_cast<StoreOp>(op)) {
      pendingStores.emplace_back(store.getVariable().str(), values[store.getValue()]);
    } else if (auto cst = dyn_cast<arith::ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(cst.getValue());
      auto type = dyn_cast<RankedTensorType>(cst.getType());
      if (!dense || !type || !dense.isSplat())
        return op.emitError("the reference evaluates only splat tensor constants");
      double v = isa<FloatType>(type.getElementType()) ? dense.getSplatValue<APFloat>().convertToDouble()
                                                       : static_cast<double>(dense.getSplatValue<APInt>().getSExtValue());
      values[cst.getResult()] = RefTensor(std::vector<int64_t>(type.getShape()), v);
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        results.push_back(values[v]);
    } else if (auto ref = dyn_cast<ReferenceOpInterface>(op)) {
      SmallVector<const RefTensor *> in;
      for (Value v : op.getOperands())
        in.push_back(&values[v]);
      SmallVector<RefTensor> out;
      if (failed(ref.evaluate(in, out)))
        return failure();
      for (auto [r, t] : llvm::zip(op.getResults(), out))
        values[r] = std::move(t);
    } else {
      return op.emitError() << "has no reference evaluation";
    }
  }
  for (auto &[var, t] : pendingStores)
    variables[var] = std::move(t);
  return results;
}

} // namespace kcc::graph
