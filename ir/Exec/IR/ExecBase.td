//===- ExecBase.td - the exec dialect: the bufferized step program --------===//
//
// After lowering, a training step is a straight-line list of calls on
// buffers: library calls (matmul, conv, pooling, LSTM recurrences) that a
// target maps to oneDNN or cuDNN/cuBLAS, and launches of kernels generated
// from the graph's elementwise and small reduction ops. Buffers carry their
// physical layout in their type, so layout changes are explicit reorders.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_EXEC_BASE
#define KCC_EXEC_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Exec_Dialect : Dialect {
  let name = "exec";
  let summary = "buffers, library calls and generated-kernel launches";
  let cppNamespace = "::kcc::exec";
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::kcc::graph::GraphDialect", "::mlir::func::FuncDialect"];
}

class Exec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exec_Dialect, mnemonic, traits>;

def Exec_BufferType : TypeDef<Exec_Dialect, "Buffer"> {
  let mnemonic = "buffer";
  let summary = "a statically shaped region of memory with a layout";
  let description = [{
    `shape` is the logical shape. `layout` is empty for row-major storage of
    that shape; otherwise it names a target layout (for the CPU target a
    oneDNN format tag such as "aBcd16b"), whose byte size the target computes.

    Examples: `!exec.buffer<128x512xf32>`, `!exec.buffer<128x32x26x26xf32, "aBcd16b">`
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType,
                        DefaultValuedParameter<"::mlir::StringAttr", "::mlir::StringAttr()">:$layout);
  let hasCustomAssemblyFormat = 1;
  let extraClassDeclaration = [{
    int64_t getRank() const { return getShape().size(); }
    int64_t getNumElements() const;
    /// Plain (row-major) storage of the logical shape?
    bool isPlain() const { return !getLayout() || getLayout().getValue().empty(); }
    BufferType withLayout(::llvm::StringRef layout) const;
    BufferType withShape(::llvm::ArrayRef<int64_t> shape) const;
    /// Bytes of a plain buffer (a laid-out buffer's size is the target's call).
    int64_t getPlainBytes() const;
  }];
}

def Exec_Buffer : Type<CPred<"::llvm::isa<::kcc::exec::BufferType>($_self)">,
                       "exec buffer", "::kcc::exec::BufferType">;

def Exec_BufferKind : I32EnumAttr<"BufferKind", "what a buffer holds", [
    I32EnumAttrCase<"weight", 0>, I32EnumAttrCase<"optimizer_state", 1>,
    I32EnumAttrCase<"input", 2>, I32EnumAttrCase<"output", 3>,
    I32EnumAttrCase<"activation", 4>, I32EnumAttrCase<"gradient", 5>,
    I32EnumAttrCase<"workspace", 6>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::exec";
}
def Exec_BufferKindAttr : EnumAttr<Exec_Dialect, Exec_BufferKind, "kind"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // KCC_EXEC_BASE
