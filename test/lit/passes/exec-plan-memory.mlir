// RUN: kcc-opt --split-input-file --exec-plan-memory %s | FileCheck %s

// Worked by hand.
// Persistent slots, one per name across both programs, in first-seen order,
// each start 64-byte aligned:
//   "x:x" 16xf32 =  64 B at   0
//   "w"  100xf32 = 400 B at  64  (the eval program's "w" is the same slot)
//   "loss"  f32  =   4 B at 512  -> persistent region = alignUp(516) = 576.
// @train_step transients (op index = position in the block):
//   a 16xf32 ( 64 B) live [6, 7]; b 32xf32 (128 B) live [7, 8];
//   c 16xf32 ( 64 B) live [8, 9].
//   Placed by decreasing size: b at 0; a is live with b -> 128; c is live
//   with b but not with a -> 128 as well (reuses a's memory). Top = 192.
// @eval_step transients: d 64xf32 (256 B) live [3, 4], e 8xf32 (32 -> 64 B)
//   live [4, 5]: d at 0, e at 256. Top = 320.
// Programs never overlap in time, so both transient regions start at 576;
// arena = 576 + max(192, 320) = 896. The untouched workspace gets the base
// address and is not counted.

// CHECK-LABEL: module attributes {exec.memory = {activation_unshared = 512 : i64, arena_bytes = 896 : i64, gradient_unshared = 64 : i64, input = 64 : i64, output = 4 : i64, persistent_bytes = 576 : i64, transient_bytes = 320 : i64, weight = 400 : i64}}
// CHECK-LABEL: func.func @train_step()
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<input>, name = "x:x", offset = 0 : i64} : <16xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<weight>, name = "w", offset = 64 : i64} : <100xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 704 : i64} : <16xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 576 : i64} : <32xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<gradient>, offset = 704 : i64} : <16xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<workspace>, offset = 576 : i64} : <1000xf32>
// CHECK-LABEL: func.func @eval_step()
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<weight>, name = "w", offset = 64 : i64} : <100xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<output>, name = "loss", offset = 512 : i64} : <f32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 576 : i64} : <64xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 832 : i64} : <8xf32>
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x:x"} : !exec.buffer<16xf32>
    %w = exec.alloc {kind = #exec.kind<weight>, name = "w"} : !exec.buffer<100xf32>
    %a = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
    %b = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<32xf32>
    %c = exec.alloc {kind = #exec.kind<gradient>} : !exec.buffer<16xf32>
    %u = exec.alloc {kind = #exec.kind<workspace>} : !exec.buffer<1000xf32>
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%a : !exec.buffer<16xf32>)
    exec.reorder ins(%a : !exec.buffer<16xf32>) outs(%b : !exec.buffer<32xf32>)
    exec.reorder ins(%b : !exec.buffer<32xf32>) outs(%c : !exec.buffer<16xf32>)
    exec.reorder ins(%c : !exec.buffer<16xf32>) outs(%w : !exec.buffer<100xf32>)
    return
  }
  func.func @eval_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "w"} : !exec.buffer<100xf32>
    %o = exec.alloc {kind = #exec.kind<output>, name = "loss"} : !exec.buffer<f32>
    %d = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<64xf32>
    %e = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<8xf32>
    exec.reorder ins(%w : !exec.buffer<100xf32>) outs(%d : !exec.buffer<64xf32>)
    exec.reorder ins(%d : !exec.buffer<64xf32>) outs(%e : !exec.buffer<8xf32>)
    exec.reorder ins(%e : !exec.buffer<8xf32>) outs(%o : !exec.buffer<f32>)
    return
  }
}

// -----

// A view keeps its source alive: %a is read through %v by the last call,
// so %a is live over the whole program and %c may not reuse it (without
// the view, %c could take %a's place). Persistent "x": 64 B; transients of
// 64 B each in first-use order a, b, c: a at 0, b at 64, c at 128.

// CHECK-LABEL: module attributes {exec.memory = {activation_unshared = 192 : i64, arena_bytes = 256 : i64, input = 64 : i64, persistent_bytes = 64 : i64, transient_bytes = 192 : i64}}
// CHECK:         exec.alloc {kind = #exec.kind<activation>, offset = 64 : i64} : <16xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 128 : i64} : <16xf32>
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 192 : i64} : <16xf32>
module {
  func.func @train_step() attributes {exec.program} {
    %x = exec.alloc {kind = #exec.kind<input>, name = "x"} : !exec.buffer<16xf32>
    %a = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
    %b = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
    %c = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<16xf32>
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%a : !exec.buffer<16xf32>)
    %v = exec.view %a {offset = 0 : i64} : !exec.buffer<16xf32> to !exec.buffer<4x4xf32>
    exec.reorder ins(%x : !exec.buffer<16xf32>) outs(%b : !exec.buffer<16xf32>)
    exec.reorder ins(%b : !exec.buffer<16xf32>) outs(%c : !exec.buffer<16xf32>)
    exec.reorder ins(%v : !exec.buffer<4x4xf32>) outs(%x : !exec.buffer<16xf32>)
    return
  }
}

// -----

// Sizes: a target-set `bytes` wins over the plain size; every slot is
// 64-byte aligned. "w" declares 100 bytes (-> next slot at 128); "s" 3xf32
// (12 B, padded to 64) at 128; persistent = 192. Transients t1 (bytes = 100
// -> 128) and t2 (12 B -> 64) are live together: t1 at 0, t2 at 128.

// CHECK-LABEL: module attributes {exec.memory = {activation_unshared = 192 : i64, arena_bytes = 384 : i64, optimizer_state = 12 : i64, persistent_bytes = 192 : i64, transient_bytes = 192 : i64, weight = 100 : i64}}
// CHECK:         exec.alloc {bytes = 100 : i64, kind = #exec.kind<weight>, name = "w", offset = 0 : i64}
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<optimizer_state>, name = "s", offset = 128 : i64}
// CHECK-NEXT:    exec.alloc {bytes = 100 : i64, kind = #exec.kind<activation>, offset = 192 : i64}
// CHECK-NEXT:    exec.alloc {kind = #exec.kind<activation>, offset = 320 : i64}
module {
  func.func @train_step() attributes {exec.program} {
    %w = exec.alloc {kind = #exec.kind<weight>, name = "w", bytes = 100 : i64} : !exec.buffer<8x2xf32, "Ab8a">
    %s = exec.alloc {kind = #exec.kind<optimizer_state>, name = "s"} : !exec.buffer<3xf32>
    %t1 = exec.alloc {kind = #exec.kind<activation>, bytes = 100 : i64} : !exec.buffer<8x2xf32, "Ab8a">
    %t2 = exec.alloc {kind = #exec.kind<activation>} : !exec.buffer<3xf32>
    exec.reorder ins(%w : !exec.buffer<8x2xf32, "Ab8a">) outs(%t1 : !exec.buffer<8x2xf32, "Ab8a">)
    exec.matmul ins(%t1, %s : !exec.buffer<8x2xf32, "Ab8a">, !exec.buffer<3xf32>) outs(%t2 : !exec.buffer<3xf32>) {m = 1 : i64, n = 1 : i64, k = 1 : i64}
    exec.reorder ins(%t2 : !exec.buffer<3xf32>) outs(%s : !exec.buffer<3xf32>)
    return
  }
}

// -----

// Functions that are not exec programs (kernels) are left alone.

// CHECK-LABEL: module attributes {exec.memory = {arena_bytes = 0 : i64, persistent_bytes = 0 : i64, transient_bytes = 0 : i64}}
// CHECK:         func.func private @k(memref<4xf32>, index, index) attributes {exec.kernel}
module {
  func.func private @k(memref<4xf32>, index, index) attributes {exec.kernel}
}
