//===- Passes.td - kcc's target-independent passes ------------------------===//
//
// File organization: passes are grouped under banners in pipeline order,
// alphabetical within a group. Each pass lives in its own .cpp and has one
// lit test file, test/lit/passes/<pass-name>.mlir.
//
// Pipeline (see passes/Pipeline.cpp):
//   graph-infer-shapes -> graph-build-train-step -> graph-data-parallel
//   -> graph-apply-optimizer
//   -> graph-fuse-epilogues -> graph-fuse-elementwise
//   -> graph-lower-to-exec -> (target layout passes) -> exec-plan-memory
//   -> exec-verify-plan
//
//===----------------------------------------------------------------------===//

#ifndef KCC_PASSES
#define KCC_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph: from the imported forward model to the full training step
//===----------------------------------------------------------------------===//

def GraphApplyOptimizer : Pass<"graph-apply-optimizer", "mlir::ModuleOp"> {
  let summary = "turn the step's gradients into Keras optimizer updates";
  let description = [{
    Reads the optimizer from the module's `kcc.training` attribute, creates
    one optimizer-state variable per slot (zero-initialised), and replaces
    the gradient results of @train_step (those with a `graph.gradient_of`
    result attribute) by update ops and stores to the parameters and slots.
    Stores come after every read, so lowering can update in place.
  }];
  let dependentDialects = ["::kcc::graph::GraphDialect"];
}

def GraphBuildTrainStep : Pass<"graph-build-train-step", "mlir::ModuleOp"> {
  let summary = "build @train_step and @eval_step from @forward by reverse-mode autodiff";
  let description = [{
    @train_step(inputs..., target, mask, seed, step) runs the forward model,
    the loss and the accuracy metric, then every op's gradient rule in
    reverse order, and returns (loss, correct, predictions, gradients...),
    each gradient result tagged `graph.gradient_of = @variable`.
    @eval_step(inputs..., target, mask) runs the forward model in inference
    mode (dropout is the identity) and returns (loss, correct).
    Only values that depend on a weight get gradients (activity analysis).
  }];
  let dependentDialects = ["::kcc::graph::GraphDialect", "::mlir::arith::ArithDialect"];
}

def GraphDataParallel : Pass<"graph-data-parallel", "mlir::ModuleOp"> {
  let summary = "make the processes of a data-parallel step train as one process on the global batch";
  let description = [{
    Only when the module's `kcc.training` has `ranks` > 1 (kcc --ranks N):
    wraps every gradient result of @train_step in `graph.all_reduce`, gives
    @train_step a `row_offset` argument (the process's first row of the
    global batch) and hands it to every dropout, so that each process draws
    its rows of the mask one process would draw. Refuses BatchNormalization
    in training mode, whose batch statistics would be per process.
  }];
  let dependentDialects = ["::kcc::graph::GraphDialect"];
}

def GraphInferShapes : Pass<"graph-infer-shapes", "mlir::ModuleOp"> {
  let summary = "propagate static shapes through every function";
  let description = [{
    Worklist to a fixpoint: an op whose operands are all ranked gets its
    result types from its ShapeInferenceOpInterface. Shape errors in the
    user's model are reported at the op, whose location names the Keras
    layer. Function result types are updated to match their returns.
  }];
}

//===----------------------------------------------------------------------===//
// Graph: fusion
//===----------------------------------------------------------------------===//

def GraphFuseElementwise : Pass<"graph-fuse-elementwise", "mlir::ModuleOp"> {
  let summary = "group chains of elementwise ops into graph.fused kernels";
  let description = [{
    Greedy producer-consumer grouping in program order: an elementwise op
    joins the group of an elementwise operand of the same shape unless some
    op outside the group, before it, reads one of the group's values (the
    fused op must sit at its last member). Values used outside the group
    become extra results. Each group becomes one generated loop, so a chain
    like relu-grad -> dropout-grad -> ... reads and writes memory once.
  }];
}

def GraphFuseEpilogues : Pass<"graph-fuse-epilogues", "mlir::ModuleOp"> {
  let summary = "fold bias_add and activations into matmul/conv2d epilogues";
  let description = [{
    matmul|conv2d -> bias_add -> activation chains whose intermediate values
    have no other use become one op with a bias operand and an activation
    attribute, which a target runs as library post-ops (oneDNN bias and
    eltwise post-op, cuBLASLt epilogues). Backwards, the bias gradient of a
    convolution (a reduce_sum of the output gradient) joins the filter
    gradient, which libraries compute in the same pass over the data.
  }];
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

def GraphLowerToExec : Pass<"graph-lower-to-exec", "mlir::ModuleOp"> {
  let summary = "bufferize the step programs into exec calls and generated kernels";
  let description = [{
    Every tensor value gets an exec buffer: variables and step inputs become
    named persistent allocations, other values transient ones. Library-level
    ops become exec calls; elementwise ops, fused groups and small reductions
    become func.func kernels (scf loops over flat memrefs) launched by
    exec.kernel. Optimizer updates write straight into the variables'
    buffers. Target-neutral: layouts are assigned later by the target.
  }];
  let dependentDialects = ["::kcc::exec::ExecDialect", "::mlir::scf::SCFDialect",
    "::mlir::memref::MemRefDialect", "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect", "::mlir::func::FuncDialect", "::mlir::vector::VectorDialect"];
}

//===----------------------------------------------------------------------===//
// Exec
//===----------------------------------------------------------------------===//

def ExecPlanMemory : Pass<"exec-plan-memory", "mlir::ModuleOp"> {
  let summary = "place every buffer in one arena, reusing memory by liveness";
  let description = [{
    Persistent buffers (weights, optimizer state, inputs, outputs) get
    disjoint slots, one per name. Transient buffers of each program get
    offsets by liveness over the straight-line call list (views extend their
    source's lifetime): greedy best-fit by decreasing size, 64-byte aligned.
    Both programs share the transient region. Writes `offset` on every
    exec.alloc and the module attribute `exec.memory` with the totals by
    kind (what `kcc --report-memory` prints).
  }];
}

def ExecVerifyPlan : Pass<"exec-verify-plan", "mlir::ModuleOp"> {
  let summary = "check that no call reads memory the plan gave to another buffer";
  let description = [{
    The memory plan derives lifetimes from call operands; a backend that
    reads more than its operands (or an accumulating call that reads its
    output before anything wrote it) would see another buffer's bytes. This
    pass replays each program over the placed arena with what each call
    kind reads and writes on `target` (the backends' contract, including
    reads a target makes beyond the operands, e.g. cuDNN's max pooling
    backward re-reading the forward's input and output) and reports any
    read of a transient buffer that was never written in the program or
    whose bytes another buffer overwrote since. kcc runs it on every model.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "the backend whose reads are checked (cpu or cuda)">,
  ];
}

#endif // KCC_PASSES
