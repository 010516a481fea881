// Regression (fixed): verifiers compare I64Attr getters (which return uint64_t) against 0, so negative graph.slice start/size, exec.view offset and exec.kernel domain pass verification; negative axes are printed as 18446744073709551613.
//
// Reproduction: kcc-opt <this file>: the slice/view/kernel cases verify
//   silently (lowering would then index out of bounds); the axis cases print
//   "axis 18446744073709551613 out of range".
// Likely fix: cast to int64_t before comparing/printing: SliceOp::verify
//   (ir/Graph/IR/ops/Shape.cpp), BiasAddOp::verify (ir/Graph/IR/ops/Linear.cpp),
//   ConcatOp::inferShapes, ViewOp::verify and KernelOp::verify
//   (ir/Exec/IR/ExecDialect.cpp).
//
// RUN: kcc-opt %s -split-input-file -verify-diagnostics

func.func @slice_negative_start(%x: tensor<8x4xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{'graph.slice' op}}
  %0 = graph.slice %x {axis = 1 : i64, start = -1 : i64, size = 2 : i64} : (tensor<8x4xf32>) -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

func.func @slice_negative_size(%x: tensor<8x4xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{'graph.slice' op}}
  %0 = graph.slice %x {axis = 1 : i64, start = 1 : i64, size = -1 : i64} : (tensor<8x4xf32>) -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

func.func @slice_negative_axis(%x: tensor<8x4xf32>) -> tensor<8x2xf32> {
  // expected-error @+1 {{'graph.slice' op axis -3 out of range}}
  %0 = graph.slice %x {axis = -3 : i64, start = 0 : i64, size = 2 : i64} : (tensor<8x4xf32>) -> tensor<8x2xf32>
  return %0 : tensor<8x2xf32>
}

// -----

func.func @bias_add_negative_axis(%x: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'graph.bias_add' op axis -3 out of range for 'tensor<4x3xf32>'}}
  %0 = graph.bias_add %x, %b {axis = -3 : i64} : (tensor<4x3xf32>, tensor<4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @view_negative_offset() {
  %0 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
  // expected-error @+1 {{'exec.view' op}}
  %1 = exec.view %0 {offset = -1 : i64} : !exec.buffer<16xf32> to !exec.buffer<4xf32>
  return
}

// -----

func.func private @k(memref<4xf32>, memref<4xf32>, index, index) attributes {exec.kernel}
func.func @kernel_negative_domain(%a: !exec.buffer<4xf32>) {
  // expected-error @+1 {{'exec.kernel' op domain must be positive}}
  exec.kernel ins(%a : !exec.buffer<4xf32>) outs(%a : !exec.buffer<4xf32>) {kernel = @k, domain = -4 : i64}
  return
}

