// RUN: kcc-opt --split-input-file --exec-verify-plan --verify-diagnostics %s
// RUN: not kcc-opt --split-input-file --exec-verify-plan=target=cuda %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=CUDA

// On cuda the same splits give the same two errors, then one more (last).
// CUDA: error: reads arena bytes [64, 128) on target 'cuda'
// CUDA: error: reads a transient buffer (arena bytes [64, 80))

// A plan that reuses memory only between lifetimes: %c takes %a's bytes
// after %a's last read. No diagnostics.
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x", offset = 0 : i64} : !exec.buffer<16xf32>
    %a = exec.alloc {kind = #exec.kind<activation>, offset = 64 : i64} : !exec.buffer<16xf32>
    %b = exec.alloc {kind = #exec.kind<activation>, offset = 128 : i64} : !exec.buffer<16xf32>
    %c = exec.alloc {kind = #exec.kind<activation>, offset = 64 : i64} : !exec.buffer<16xf32>
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%a : !exec.buffer<16xf32>)
    exec.reorder ins(%a : !exec.buffer<16xf32>) outs(%b : !exec.buffer<16xf32>)
    exec.reorder ins(%b : !exec.buffer<16xf32>) outs(%c : !exec.buffer<16xf32>)
    exec.reorder ins(%c : !exec.buffer<16xf32>) outs(%x : !exec.buffer<16xf32>)
    return
  }
}

// -----

// %c overwrites %a's bytes before %a's last read.
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x", offset = 0 : i64} : !exec.buffer<16xf32>
    // expected-note @+1 {{the buffer read}}
    %a = exec.alloc {kind = #exec.kind<activation>, offset = 64 : i64} : !exec.buffer<16xf32>
    %c = exec.alloc {kind = #exec.kind<activation>, offset = 96 : i64} : !exec.buffer<16xf32>
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%a : !exec.buffer<16xf32>)
    // expected-note @+1 {{overwritten here by exec.reorder}}
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%c : !exec.buffer<16xf32>)
    // expected-error @+1 {{reads arena bytes [64, 128) on target 'cpu', but the memory plan gave bytes [96, 128) to another buffer in between}}
    exec.reorder ins(%a : !exec.buffer<16xf32>) outs(%x : !exec.buffer<16xf32>)
    return
  }
}

// -----

// Through a view: writing the upper half of %a's bytes again (as %c) after
// %b clobbered only that half heals it.
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x", offset = 0 : i64} : !exec.buffer<16xf32>
    %a = exec.alloc {kind = #exec.kind<activation>, offset = 64 : i64} : !exec.buffer<16xf32>
    %b = exec.alloc {kind = #exec.kind<activation>, offset = 96 : i64} : !exec.buffer<8xf32>
    %h = exec.view %a {offset = 8 : i64} : !exec.buffer<16xf32> to !exec.buffer<8xf32>
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%a : !exec.buffer<16xf32>)
    exec.fill ins() outs(%b : !exec.buffer<8xf32>) {value = 0.0 : f64}
    exec.reorder ins(%b : !exec.buffer<8xf32>) outs(%h : !exec.buffer<8xf32>)
    exec.reorder ins(%a : !exec.buffer<16xf32>) outs(%x : !exec.buffer<16xf32>)
    return
  }
}

// -----

// An accumulating matmul reads its output: nothing wrote it in this step.
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x", offset = 0 : i64} : !exec.buffer<2x2xf32>
    %g = exec.alloc {kind = #exec.kind<gradient>, offset = 64 : i64} : !exec.buffer<2x2xf32>
    // expected-error @+1 {{reads a transient buffer (arena bytes [64, 80)) that no earlier call of @train_step wrote}}
    exec.matmul ins(%x, %x : !exec.buffer<2x2xf32>, !exec.buffer<2x2xf32>) outs(%g : !exec.buffer<2x2xf32>) {m = 2 : i64, n = 2 : i64, k = 2 : i64, accumulate}
    return
  }
}

// -----

// Max pooling backward with only (dy, workspace): fine for oneDNN, which
// reads the workspace; cuDNN re-reads the forward's y, which %g (reusing
// %y's bytes once its last operand use is over) has overwritten. On the
// cpu target this split has no diagnostics; on cuda it does.
// CUDA: error: reads arena bytes [128, 144) on target 'cuda', but the memory plan gave bytes [128, 144) to another buffer in between: a read the call's operands do not show
// CUDA: note: overwritten here by exec.fill
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x", offset = 0 : i64} : !exec.buffer<1x4x4x1xf32>
    %dy = exec.alloc {kind = #exec.kind<input>, name = "dy", offset = 64 : i64} : !exec.buffer<1x2x2x1xf32>
    %y = exec.alloc {kind = #exec.kind<activation>, offset = 128 : i64} : !exec.buffer<1x2x2x1xf32>
    %ws = exec.alloc {kind = #exec.kind<workspace>, offset = 192 : i64} : !exec.buffer<1x2x2x1xi8>
    %g = exec.alloc {kind = #exec.kind<gradient>, offset = 128 : i64} : !exec.buffer<1x2x2x1xf32>
    %dx = exec.alloc {kind = #exec.kind<gradient>, offset = 256 : i64} : !exec.buffer<1x4x4x1xf32>
    exec.max_pool2d ins(%x : !exec.buffer<1x4x4x1xf32>) outs(%y, %ws : !exec.buffer<1x2x2x1xf32>, !exec.buffer<1x2x2x1xi8>) {batch = 1 : i64, channels = 1 : i64, data_format = #graph.data_format<channels_last>, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
    exec.reorder ins(%y : !exec.buffer<1x2x2x1xf32>) outs(%dy : !exec.buffer<1x2x2x1xf32>)
    exec.fill ins() outs(%g : !exec.buffer<1x2x2x1xf32>) {value = 1.0 : f64}
    exec.max_pool2d_backward ins(%dy, %ws : !exec.buffer<1x2x2x1xf32>, !exec.buffer<1x2x2x1xi8>) outs(%dx : !exec.buffer<1x4x4x1xf32>) {batch = 1 : i64, channels = 1 : i64, data_format = #graph.data_format<channels_last>, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
    exec.reorder ins(%g : !exec.buffer<1x2x2x1xf32>) outs(%dy : !exec.buffer<1x2x2x1xf32>)
    return
  }
}
