// RUN: kcc-opt --split-input-file --exec-cuda-pool-operands --verify-diagnostics %s | FileCheck %s

// The backward gets the forward's x and y after dy and the workspace.
// CHECK-LABEL: func.func @train_step
// CHECK: %[[X:.*]] = exec.alloc {kind = #exec.kind<input>, name = "x"}
// CHECK: %[[Y:.*]] = exec.alloc {kind = #exec.kind<activation>}
// CHECK: %[[WS:.*]] = exec.alloc {kind = #exec.kind<workspace>}
// CHECK: exec.max_pool2d_backward ins(%{{.*}}, %[[WS]], %[[X]], %[[Y]] : {{.*}}) outs(
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x"} : !exec.buffer<1x4x4x1xf32>
    %dy = exec.alloc {kind = #exec.kind<input>, name = "dy"} : !exec.buffer<1x2x2x1xf32>
    %y = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<1x2x2x1xf32>
    %ws = exec.alloc {kind = #exec.kind<workspace>} : !exec.buffer<1x2x2x1xi8>
    %dx = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<1x4x4x1xf32>
    exec.max_pool2d ins(%x : !exec.buffer<1x4x4x1xf32>) outs(%y, %ws : !exec.buffer<1x2x2x1xf32>, !exec.buffer<1x2x2x1xi8>) {batch = 1 : i64, channels = 1 : i64, data_format = #graph.data_format<channels_last>, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
    exec.max_pool2d_backward ins(%dy, %ws : !exec.buffer<1x2x2x1xf32>, !exec.buffer<1x2x2x1xi8>) outs(%dx : !exec.buffer<1x4x4x1xf32>) {batch = 1 : i64, channels = 1 : i64, data_format = #graph.data_format<channels_last>, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
    return
  }
}

// -----

// A workspace no forward wrote.
module {
  func.func @train_step() attributes {exec.program} {
    %dy = exec.alloc {kind = #exec.kind<input>, name = "dy"} : !exec.buffer<1x2x2x1xf32>
    %ws = exec.alloc {kind = #exec.kind<workspace>} : !exec.buffer<1x2x2x1xi8>
    %dx = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<1x4x4x1xf32>
    // expected-error @+1 {{max pooling backward: no forward max_pool2d wrote its workspace}}
    exec.max_pool2d_backward ins(%dy, %ws : !exec.buffer<1x2x2x1xf32>, !exec.buffer<1x2x2x1xi8>) outs(%dx : !exec.buffer<1x4x4x1xf32>) {batch = 1 : i64, channels = 1 : i64, data_format = #graph.data_format<channels_last>, in_height = 4 : i64, in_width = 4 : i64, out_height = 2 : i64, out_width = 2 : i64, pads = array<i64: 0, 0, 0, 0>, pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>}
    return
  }
}
