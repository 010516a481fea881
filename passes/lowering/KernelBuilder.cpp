//===- KernelBuilder.cpp - generated kernels as scf loops on memrefs ------===//
//
// A kernel is a func.func taking one flat, statically sized memref per
// buffer plus (begin, end) indices of its domain. Bodies use scf, memref,
// arith and math only, so every target can lower them (LLVM for CPU, NVVM
// for CUDA).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Lowering.h"

using namespace mlir;

namespace kcc::lowering {

Value cIndex(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

Value cF32(OpBuilder &b, Location loc, double v) { return graph::constF32(b, loc, v); }
Value addF(OpBuilder &b, Location l, Value x, Value y) { return b.create<arith::AddFOp>(l, x, y); }
Value mulF(OpBuilder &b, Location l, Value x, Value y) { return b.create<arith::MulFOp>(l, x, y); }
Value subF(OpBuilder &b, Location l, Value x, Value y) { return b.create<arith::SubFOp>(l, x, y); }
Value divF(OpBuilder &b, Location l, Value x, Value y) { return b.create<arith::DivFOp>(l, x, y); }

void forLoop(OpBuilder &b, Location loc, Value lo, Value hi,
             const std::function<void(OpBuilder &, Value)> &body) {
  b.create<scf::ForOp>(loc, lo, hi, cIndex(b, loc, 1), ValueRange{},
                       [&](OpBuilder &nb, Location, Value iv, ValueRange) {
                         body(nb, iv);
                         nb.create<scf::YieldOp>(loc);
                       });
}

Value forLoopReduce(OpBuilder &b, Location loc, Value lo, Value hi, Value init,
                    const std::function<Value(OpBuilder &, Value, Value)> &body) {
  auto loop = b.create<scf::ForOp>(
      loc, lo, hi, cIndex(b, loc, 1), ValueRange{init},
      [&](OpBuilder &nb, Location, Value iv, ValueRange acc) {
        nb.create<scf::YieldOp>(loc, body(nb, iv, acc[0]));
      });
  return loop.getResult(0);
}

Value load(OpBuilder &b, Location loc, Value memref, Value index) {
  return b.create<memref::LoadOp>(loc, memref, index);
}

void store(OpBuilder &b, Location loc, Value value, Value memref, Value index) {
  b.create<memref::StoreOp>(loc, value, memref, index);
}

// Buffer offsets never wrap; saying so (nsw/nuw) lets LLVM's scalar
// evolution see through index arithmetic like row * 4U + q * U + j, which
// the loop vectorizer needs to prove accesses contiguous.
static constexpr auto kNoWrap = arith::IntegerOverflowFlags::nsw | arith::IntegerOverflowFlags::nuw;

Value affine(OpBuilder &b, Location loc, Value a, int64_t s, int64_t t) {
  Value r = s == 1 ? a : mulIdx(b, loc, a, cIndex(b, loc, s));
  return t == 0 ? r : addIdx(b, loc, r, cIndex(b, loc, t));
}

Value addIdx(OpBuilder &b, Location loc, Value a, Value c) {
  return b.create<arith::AddIOp>(loc, a, c, kNoWrap);
}

Value mulIdx(OpBuilder &b, Location loc, Value a, Value c) {
  return b.create<arith::MulIOp>(loc, a, c, kNoWrap);
}

/// Flat memref type a kernel uses for |buffer|.
static MemRefType flatMemRef(Type bufferType) {
  auto t = llvm::cast<exec::BufferType>(bufferType);
  return MemRefType::get({std::max<int64_t>(t.getNumElements(), 1)}, t.getElementType());
}

FlatSymbolRefAttr LoweringContext::createKernel(Location loc, StringRef prefix,
                                                TypeRange bufferTypes,
                                                const KernelBody &body, bool noAlias,
                                                ArrayRef<unsigned> sameAs) {
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  SmallVector<Type> args;
  for (Type t : bufferTypes)
    args.push_back(flatMemRef(t));
  args.append({b.getIndexType(), b.getIndexType()});
  // Unique, readable names: the layer name plus a counter.
  std::string name;
  for (unsigned n = 0;; ++n) {
    name = (prefix + "_" + std::to_string(n)).str();
    if (!module.lookupSymbol(name))
      break;
  }
  auto func = b.create<func::FuncOp>(loc, name, b.getFunctionType(args, {}));
  func->setAttr(exec::kKernelAttrName, b.getUnitAttr());
  func.setPrivate();
  // Distinct buffers: without this promise LLVM must prove that stores to
  // one buffer cannot feed loads from another before it vectorises a loop.
  if (noAlias)
    for (unsigned i = 0; i < bufferTypes.size(); ++i)
      func.setArgAttr(i, "llvm.noalias", b.getUnitAttr());
  Block *entry = func.addEntryBlock();
  OpBuilder kb = OpBuilder::atBlockEnd(entry);
  unsigned n = bufferTypes.size();
  SmallVector<Value> memrefs(entry->getArguments().take_front(n));
  for (unsigned i = 0; i < sameAs.size(); ++i)
    memrefs[i] = memrefs[sameAs[i]];
  body(kb, loc, memrefs, entry->getArgument(n), entry->getArgument(n + 1));
  kb.create<func::ReturnOp>(loc);
  return FlatSymbolRefAttr::get(func);
}

exec::KernelOp LoweringContext::launch(Location loc, StringRef prefix, ValueRange inputs,
                                       ValueRange outputs, int64_t domain,
                                       const KernelBody &body, bool serial,
                                       bool elementwise) {
  SmallVector<Type> types(inputs.getTypes());
  types.append(outputs.getTypes().begin(), outputs.getTypes().end());
  // Buffers used by one call are live at once, so distinct allocations never
  // overlap; only the same allocation passed twice (an in-place update) may.
  // The body reaches a buffer passed twice through its first argument only,
  // so every argument it touches is distinct and may be marked noalias:
  // without that LLVM guards the vector loop with overlap checks, which an
  // in-place update always fails (it then ran the scalar loop).
  llvm::SmallPtrSet<Operation *, 8> roots;
  bool distinct = true;
  SmallVector<Value> all(inputs);
  all.append(outputs.begin(), outputs.end());
  SmallVector<unsigned> sameAs;
  for (unsigned i = 0; i < all.size(); ++i) {
    sameAs.push_back(std::find(all.begin(), all.end(), all[i]) - all.begin());
    if (sameAs.back() != i)
      continue; // the very same buffer: one argument serves both
    Value v = all[i];
    while (auto view = v.getDefiningOp<exec::ViewOp>())
      v = view.getSource();
    distinct &= roots.insert(v.getDefiningOp()).second;
  }
  FlatSymbolRefAttr kernel = createKernel(loc, prefix, types, body, distinct, sameAs);
  return builder.create<exec::KernelOp>(
      loc, inputs, outputs, kernel, builder.getI64IntegerAttr(domain),
      serial ? builder.getUnitAttr() : UnitAttr(),
      elementwise ? builder.getUnitAttr() : UnitAttr(), UnitAttr());
}

} // namespace kcc::lowering
