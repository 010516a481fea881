//===- Passes.td - target passes: the "layout" phase ----------------------===//
//
// One group per target, alphabetical within a group. Lit tests:
// test/lit/passes/<pass-name>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_CODEGEN_PASSES
#define KCC_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// CPU (oneDNN)
//===----------------------------------------------------------------------===//

def CpuAssignLayouts : Pass<"exec-cpu-assign-layouts", "mlir::ModuleOp"> {
  let summary = "let oneDNN pick blocked layouts and keep tensors in them";
  let description = [{
    Walks each step program in order. Convolutions ask oneDNN (with
    format `any`) which layouts they want for their outputs and weights;
    pooling keeps its input's layout; elementwise kernels adopt the layout
    of their laid-out operands (they touch element i of every buffer, so
    any shared layout works); everything else (matmuls, views, other
    kernels, step inputs and outputs) wants plain buffers. Where a buffer's
    layout differs from what a call wants, an exec.reorder into a new
    buffer is inserted before the call. A weight takes the layout its first
    convolution asks for, and its gradient and optimizer slots follow it.
    Layouts that would pad a tensor are refused, so buffer sizes and kernel
    domains stay as planned.

    With `precision=bf16`, convolutions and matmuls read their data operands
    as bf16 copies (converted by the same reorders) and still write f32:
    weights, optimizer state and every generated kernel stay f32.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"f32\"",
           "what convolutions and matmuls read: f32 or bf16">,
  ];
  let dependentDialects = ["::kcc::exec::ExecDialect"];
}

//===----------------------------------------------------------------------===//
// CUDA (cuDNN, cuBLAS)
//===----------------------------------------------------------------------===//

def CudaAssignLayouts : Pass<"exec-cuda-assign-layouts", "mlir::ModuleOp"> {
  let summary = "store convolution filters the way cuDNN reads them";
  let description = [{
    cuDNN takes filters as KCRS or KRSC, not Keras's HWIO. Every buffer a
    convolution reads or writes as a filter (weights, their gradients and
    optimizer slots) gets the layout "acdb" over (O, I, H, W), i.e. KRSC;
    the runtime converts on upload and download. Activations stay in the
    Keras data format, which cuDNN takes as NHWC or NCHW.
  }];
  let dependentDialects = ["::kcc::exec::ExecDialect"];
}

def CudaCheckCalls : Pass<"exec-cuda-check-calls", "mlir::ModuleOp"> {
  let summary = "refuse calls the CUDA backend cannot run, naming the layer";
  let description = [{
    cuDNN pads a convolution or pooling window by the same amount on both
    sides of an axis; Keras's 'same' padding with an even window or stride
    is one row longer after than before. Such calls are errors at compile
    time, at the Keras layer, instead of when krun builds them on the GPU.
  }];
  let dependentDialects = ["::kcc::exec::ExecDialect"];
}

def CudaPoolOperands : Pass<"exec-cuda-pool-operands", "mlir::ModuleOp"> {
  let summary = "give max pooling backward the forward's input and output as operands";
  let description = [{
    cudnnPoolingBackward re-reads the forward's input x and output y (cuDNN
    keeps no argmax workspace). Each `exec.max_pool2d_backward ins(dy, ws)`
    becomes `ins(dy, ws, x, y)` with the x and y of the `exec.max_pool2d`
    that wrote `ws`, so the memory plan keeps both alive until the backward
    and the runtime binds exactly its operands. exec-verify-plan checks it.
  }];
  let dependentDialects = ["::kcc::exec::ExecDialect"];
}

#endif // KCC_CODEGEN_PASSES
