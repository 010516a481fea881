//===- ExecOps.td - exec dialect operations -------------------------------===//

#ifndef KCC_EXEC_OPS
#define KCC_EXEC_OPS

include "ir/Exec/IR/ExecBase.td"
include "ir/Graph/IR/GraphBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Exec_CallOpInterface : OpInterface<"CallOpInterface"> {
  let cppNamespace = "::kcc::exec";
  let description = [{
    A step-program instruction: reads its `inputs`, writes its `outputs`
    (an output may also be read, e.g. an accumulating matmul). The memory
    planner, the serializer and the runtime see every call through this.
  }];
  let methods = [
    InterfaceMethod<"Buffers read.", "::mlir::OperandRange", "getInputs", (ins),
      [{}], [{ return $_op.getInputs(); }]>,
    InterfaceMethod<"Buffers written.", "::mlir::OperandRange", "getOutputs", (ins),
      [{}], [{ return $_op.getOutputs(); }]>,
  ];
}

// A call: `exec.<name> ins(...) outs(...) {attrs}`.
class Exec_CallOp<string mnemonic, list<Trait> traits = []>
    : Exec_Op<mnemonic, !listconcat(traits, [AttrSizedOperandSegments,
        Exec_CallOpInterface])> {
  dag callOperands = (ins Variadic<Exec_Buffer>:$inputs, Variadic<Exec_Buffer>:$outputs);
  let assemblyFormat = [{
    `ins` `(` ($inputs^ `:` type($inputs))? `)` `outs` `(` $outputs `:` type($outputs) `)` attr-dict
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

def Exec_AllocOp : Exec_Op<"alloc"> {
  let summary = "a buffer of the step: persistent (named) or transient";
  let description = [{
    Weights, optimizer slots, inputs and outputs carry a `name` (the variable
    symbol or the input's name) and live for the whole run; every `exec.alloc`
    with the same name in any program is the same storage. A step's inputs
    and outputs also carry their `role`, which model.bin hands to krun. Unnamed buffers are
    transient and share memory according to their lifetimes. The memory plan
    fills in `offset`; a target that pads layouts fills in `bytes`.

    Example: `%0 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<128x512xf32>`
  }];
  let arguments = (ins Exec_BufferKindAttr:$kind, OptionalAttr<StrAttr>:$name,
                       OptionalAttr<I64Attr>:$offset, OptionalAttr<I64Attr>:$bytes,
                       OptionalAttr<Graph_StepRoleAttr>:$role);
  let results = (outs Exec_Buffer:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let extraClassDeclaration = [{
    /// Storage size: `bytes` if a target set it, else the plain size.
    int64_t getSizeInBytes();
    bool isPersistent() { return getName().has_value(); }
  }];
}

def Exec_ViewOp : Exec_Op<"view", [Pure]> {
  let summary = "a reinterpretation of part of a buffer (reshape, sub-range)";
  let description = [{
    No data moves. `offset` counts elements of the source. Only plain
    buffers can be viewed, except that a view which only adds or drops unit
    dims keeps its source's layout (the bytes mean the same).

    Example: `%1 = exec.view %0 {offset = 0 : i64} : !exec.buffer<128x12x12x64xf32> to !exec.buffer<128x9216xf32>`
  }];
  let arguments = (ins Exec_Buffer:$source, I64Attr:$offset);
  let results = (outs Exec_Buffer:$result);
  let assemblyFormat = "$source attr-dict `:` type($source) `to` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Offset 0 and the same shape once unit dims are dropped.
    bool onlyChangesUnitDims();
  }];
}

//===----------------------------------------------------------------------===//
// Library calls
//===----------------------------------------------------------------------===//

def Exec_MatMulOp : Exec_CallOp<"matmul"> {
  let summary = "C = act(op(A) op(B) [+ bias]) [+ C]";
  let description = [{
    ins(A, B[, bias]) outs(C). A is m x k (k x m with transpose_a), B is
    k x n (n x k with transpose_b), all plain row-major. `accumulate` adds the
    product to C's current contents.

    Example: `exec.matmul ins(%x, %w, %b : ...) outs(%y : ...) {m = 128 : i64, n = 512 : i64, k = 784 : i64, activation = #graph.activation<relu>}`
  }];
  let arguments = !con(callOperands, (ins I64Attr:$m, I64Attr:$n, I64Attr:$k,
      UnitAttr:$transpose_a, UnitAttr:$transpose_b, UnitAttr:$accumulate,
      DefaultValuedAttr<Graph_ActivationAttr, "::kcc::graph::Activation::linear">:$activation));
}

// Geometry shared by the convolution calls: logical N, C, H, W sizes. Plain
// buffers are stored in `data_format` (NHWC or NCHW, filters HWIO); a
// target may give buffers other layouts, which their types then state.
defvar ConvGeometry = (ins I64Attr:$batch, I64Attr:$in_channels, I64Attr:$in_height,
    I64Attr:$in_width, I64Attr:$out_channels, I64Attr:$out_height, I64Attr:$out_width,
    I64Attr:$kernel_height, I64Attr:$kernel_width, DenseI64ArrayAttr:$strides,
    DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads /* top, left, bottom, right */,
    Graph_DataFormatAttr:$data_format);

def Exec_Conv2DOp : Exec_CallOp<"conv2d"> {
  let summary = "convolution forward: ins(x, filter[, bias]) outs(y)";
  let description = [{
    Example: `exec.conv2d ins(%x, %w, %b : ...) outs(%y : ...) {batch = 128 : i64, ...}`
  }];
  let arguments = !con(callOperands, ConvGeometry, (ins
      DefaultValuedAttr<Graph_ActivationAttr, "::kcc::graph::Activation::linear">:$activation));
}

def Exec_Conv2DBackwardDataOp : Exec_CallOp<"conv2d_backward_data"> {
  let summary = "convolution gradient w.r.t. its input: ins(dy, filter) outs(dx)";
  let description = [{ Example: `exec.conv2d_backward_data ins(%dy, %w : ...) outs(%dx : ...) {...}` }];
  let arguments = !con(callOperands, ConvGeometry);
}

def Exec_Conv2DBackwardFilterOp : Exec_CallOp<"conv2d_backward_filter"> {
  let summary = "convolution gradient w.r.t. filter (and bias): ins(x, dy) outs(dw[, db])";
  let description = [{ Example: `exec.conv2d_backward_filter ins(%x, %dy : ...) outs(%dw, %db : ...) {...}` }];
  let arguments = !con(callOperands, ConvGeometry);
}

defvar PoolGeometry = (ins I64Attr:$batch, I64Attr:$channels, I64Attr:$in_height,
    I64Attr:$in_width, I64Attr:$out_height, I64Attr:$out_width,
    DenseI64ArrayAttr:$pool_size, DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
    Graph_DataFormatAttr:$data_format);

def Exec_MaxPool2DOp : Exec_CallOp<"max_pool2d"> {
  let summary = "max pooling forward: ins(x) outs(y[, workspace])";
  let description = [{
    With a workspace output it runs in training mode and records what its
    backward needs there (for oneDNN, the argmax positions).

    Example: `exec.max_pool2d ins(%x : ...) outs(%y, %ws : ...) {...}`
  }];
  let arguments = !con(callOperands, PoolGeometry);
}

def Exec_MaxPool2DBackwardOp : Exec_CallOp<"max_pool2d_backward"> {
  let summary = "max pooling backward: ins(dy, workspace[, x, y]) outs(dx)";
  let description = [{
    `workspace` is the one the forward `exec.max_pool2d` wrote. A target
    whose library re-reads the forward's input `x` and output `y` instead
    (cuDNN) takes them as two more operands, so that they stay alive.

    Example: `exec.max_pool2d_backward ins(%dy, %ws : ...) outs(%dx : ...) {...}`
  }];
  let arguments = !con(callOperands, PoolGeometry);
}

def Exec_LSTMForwardOp : Exec_CallOp<"lstm_forward"> {
  let summary = "the sequential part of an LSTM: ins(recurrent_kernel) outs(gates, h, c)";
  let description = [{
    `gates` [T, N, 4U] holds x_t W + b on entry (one big matmul computed it)
    and the activated gates on exit; `h` and `c` [T+1, N, U] get the states,
    with slot 0 the zero initial state. For each step t the target adds
    h_t R into gates_t (a library matmul) and runs the generated `cell` kernel
    over the N*U elements.

    Example: `exec.lstm_forward ins(%r : ...) outs(%g, %h, %c : ...) {cell = @lstm_cell_0, batch = 32 : i64, steps = 552 : i64, units = 50 : i64}`
  }];
  let arguments = !con(callOperands, (ins FlatSymbolRefAttr:$cell, I64Attr:$batch,
                                        I64Attr:$steps, I64Attr:$units));
}

def Exec_LSTMBackwardOp : Exec_CallOp<"lstm_backward"> {
  let summary = "backpropagation through time: ins(R, gates, c, dy, x, h) outs(dgates, dh, dc, dW, dR, db)";
  let description = [{
    Runs the steps in reverse: the generated `cell` kernel turns dh, dy_t and
    dc into the pre-activation gate gradients dgates_t (and dc for the step
    before); dh for the step before is dgates_t R^T (a library matmul). `dy`
    is [T, N, U] time-major with `return_sequences`, else [N, U] for the last
    step. `dh` and `dc` [N, U] are scratch.

    It also sums the weight gradients over all steps: dW [C, 4U] =
    sum_t x_t^T dgates_t with `x` the time-major input [T, N, C],
    dR [U, 4U] = sum_t h_t^T dgates_t with `h` the states [T+1, N, U] of the
    forward, and db [4U] = sum_t of the rows of dgates_t. Doing that inside
    the recurrence lets a target read dgates_t while it is still in cache;
    a target may as well run three big products after the loop.

    Example: `exec.lstm_backward ins(%r, %g, %c, %dy, %x, %h : ...) outs(%dg, %dh, %dc, %dw, %dr, %db : ...) {cell = @lstm_cell_grad_0, ...}`
  }];
  let arguments = !con(callOperands, (ins FlatSymbolRefAttr:$cell, I64Attr:$batch,
                                        I64Attr:$steps, I64Attr:$units, UnitAttr:$return_sequences));
}

def Exec_ReorderOp : Exec_CallOp<"reorder"> {
  let summary = "copy between two layouts of the same logical tensor: ins(src) outs(dst)";
  let description = [{ Example: `exec.reorder ins(%a : !exec.buffer<8x16x4x4xf32, "aBcd16b">) outs(%b : !exec.buffer<8x16x4x4xf32>)` }];
  let arguments = callOperands;
}

def Exec_FillOp : Exec_CallOp<"fill"> {
  let summary = "set every element of outs(dst) to a constant";
  let description = [{ Example: `exec.fill ins() outs(%b : !exec.buffer<36x50xf32>) {value = 0.0 : f64}` }];
  let arguments = !con(callOperands, (ins F64Attr:$value));
}

def Exec_AllReduceOp : Exec_CallOp<"all_reduce"> {
  let summary = "sum a gradient over the processes of a data-parallel run: ins(src) outs(dst)";
  let description = [{
    dst = the sum over processes of src * (this process's samples / the
    global batch's samples), the counts supplied by the runtime each step;
    reduced by the runtime's collective library (MPI on CPU processes). The
    lowering of `graph.all_reduce`.

    Example: `exec.all_reduce ins(%g : !exec.buffer<512x10xf32>) outs(%s : !exec.buffer<512x10xf32>)`
  }];
  let arguments = callOperands;
}

//===----------------------------------------------------------------------===//
// Generated kernels
//===----------------------------------------------------------------------===//

def Exec_KernelOp : Exec_CallOp<"kernel"> {
  let summary = "launch a generated kernel over an index domain";
  let description = [{
    `kernel` names a func.func (marked `exec.kernel`) taking one flat memref
    per buffer, inputs then outputs, and the range [begin, end) of the
    domain it should compute. A target may split the domain across threads
    unless `serial` is set (the kernel reduces across the whole domain).
    `elementwise` kernels touch element i of every buffer at domain index i
    and nothing else, so they work on any layout shared by all their buffers
    unless `position_dependent` (dropout: the mask is keyed on i), which
    pins them to plain buffers so that a forward and its backward agree.

    Example: `exec.kernel ins(%a, %b : ...) outs(%c : ...) {kernel = @fused_3, domain = 65536 : i64}`
  }];
  let arguments = !con(callOperands, (ins FlatSymbolRefAttr:$kernel, I64Attr:$domain,
                                        UnitAttr:$serial, UnitAttr:$elementwise,
                                        UnitAttr:$position_dependent));
}

#endif // KCC_EXEC_OPS
