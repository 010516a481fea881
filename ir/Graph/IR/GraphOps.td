//===- GraphOps.td - graph dialect operations -----------------------------===//
//
// Ops are grouped by family under banners; each family's shape inference,
// verifier, gradient rule, scalar body and reference evaluation live in
// ir/Graph/IR/ops/<Family>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_GRAPH_OPS
#define KCC_GRAPH_OPS

include "ir/Graph/IR/GraphBase.td"
include "ir/Graph/IR/GraphInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

// A side-effect-free op on tensors with a shape rule and a reference.
class Graph_TensorOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure,
        DeclareOpInterfaceMethods<Graph_ShapeInferenceOpInterface>,
        DeclareOpInterfaceMethods<Graph_ReferenceOpInterface>])>;

// ... that autodiff can differentiate through.
class Graph_DiffOp<string mnemonic, list<Trait> traits = []>
    : Graph_TensorOp<mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<Graph_GradientOpInterface>])>;

// ... whose elements fuse into one generated loop.
class Graph_ElementwiseOp<string mnemonic, list<Trait> traits = []>
    : Graph_TensorOp<mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<Graph_ElementwiseOpInterface>])>;

def Graph_F32Tensor : TensorOf<[F32]>;
def Graph_IndexTensor : TensorOf<[I32, I64]>;
def Graph_I64Scalar : 0DTensorOf<[I64]>;
def Graph_F32Scalar : 0DTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Variables: weights and optimizer slots
//===----------------------------------------------------------------------===//

def Graph_VariableOp : Graph_Op<"variable", [Symbol]> {
  let summary = "a persistent tensor: a weight or an optimizer slot";
  let description = [{
    Declares state that lives across steps. `layer` is the Keras layer that
    owns it and `weight_index` its position in Keras's `model.get_weights()`
    (absent for optimizer slots). Its initial value is drawn by the runtime
    from `init` and the run's seed. A weight of a Keras layer with
    `trainable: false` has `trainable = false`: autodiff gives it no
    gradient, so the optimizer never changes it (it is still saved). A
    weight with an L2 regularizer has its factor in `l2`: the steps add
    l2 * sum(w^2) to the loss, as Keras does. `keras_path` is where Keras 3
    keeps the weight in a `.weights.h5` file (`layers/dense_1/vars/0`), so
    that krun can write and read Keras's own files.

    Example:
    ```mlir
    graph.variable @dense_1.kernel : tensor<784x512xf32>
        {init = #graph.init<"variance_scaling", {scale = 1.0 : f64, mode = "fan_avg", distribution = "uniform"}>,
         layer = "dense_1", role = #graph.role<weight>, weight_index = 0 : i64}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<AnyRankedTensor>:$type,
                       Graph_InitializerAttr:$init,
                       Graph_VariableRoleAttr:$role,
                       StrAttr:$layer,
                       OptionalAttr<I64Attr>:$weight_index,
                       DefaultValuedAttr<BoolAttr, "true">:$trainable,
                       DefaultValuedAttr<F64Attr, "0.0">:$l2,
                       OptionalAttr<StrAttr>:$keras_path);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
}

def Graph_LoadOp : Graph_Op<"load", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "read a variable's current value";
  let description = [{
    Example: `%w = graph.load @dense_1.kernel : tensor<784x512xf32>`
  }];
  let arguments = (ins FlatSymbolRefAttr:$variable);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$variable attr-dict `:` type($result)";
}

def Graph_StoreOp : Graph_Op<"store", [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "write a variable's value for the next step";
  let description = [{
    Only the optimizer pass creates stores, after every read of the variable
    in the step, so that lowering can update the variable in place.

    Example: `graph.store %w2, @dense_1.kernel : tensor<784x512xf32>`
  }];
  let arguments = (ins AnyRankedTensor:$value, FlatSymbolRefAttr:$variable);
  let assemblyFormat = "$value `,` $variable attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_DiffOp<"matmul"> {
  let summary = "matrix product with optional bias and activation epilogue";
  let description = [{
    Both operands are viewed as matrices by folding all leading dimensions:
    `a` of shape [d0, ..., dk, K] is an M x K matrix with M = d0*...*dk (the
    weight gradient of a Dense layer on 3-D inputs multiplies two such).
    Computes act(op(a) * op(b) + bias) where op transposes when asked.
    Without `transpose_a` the result keeps a's leading dimensions (so Keras
    Dense applies to 3-D inputs); with it the result is a matrix.
    The frontend emits plain matmuls; `graph-fuse-epilogues` folds bias_add
    and activations into them.

    Example:
    ```mlir
    %y = graph.matmul %x, %w, %b {activation = #graph.activation<relu>}
        : (tensor<128x784xf32>, tensor<784x512xf32>, tensor<512xf32>) -> tensor<128x512xf32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$a, Graph_F32Tensor:$b, Optional<Graph_F32Tensor>:$bias,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b,
                       DefaultValuedAttr<Graph_ActivationAttr, "Activation::linear">:$activation);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$a `,` $b (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_BiasAddOp : Graph_DiffOp<"bias_add"> {
  let summary = "add a per-channel bias along one axis";
  let description = [{
    Example: `%y = graph.bias_add %x, %b {axis = 1 : i64} : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$bias, I64Attr:$axis);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_ReduceSumOp : Graph_DiffOp<"reduce_sum"> {
  let summary = "sum over the given axes, dropping them";
  let description = [{
    Bias gradients (all axes but the channel) and RepeatVector's gradient.

    Example: `%db = graph.reduce_sum %dy {axes = array<i64: 0>} : (tensor<128x512xf32>) -> tensor<512xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

def Graph_Conv2DOp : Graph_DiffOp<"conv2d"> {
  let summary = "2-D convolution (Keras Conv2D) with optional bias and activation";
  let description = [{
    `input` is NHWC for channels_last and NCHW for channels_first; `filter`
    is Keras's HWIO. Padding `same` follows Keras/TF: total padding
    max((out-1)*stride + (k-1)*dilation + 1 - in, 0), the smaller half first.

    Example:
    ```mlir
    %y = graph.conv2d %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
          padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>}
        : (tensor<128x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<128x26x26x32xf32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$filter, Optional<Graph_F32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       Graph_PaddingAttr:$padding, Graph_DataFormatAttr:$data_format,
                       DefaultValuedAttr<Graph_ActivationAttr, "Activation::linear">:$activation);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_Conv2DBackwardDataOp : Graph_DiffOp<"conv2d_backward_data"> {
  let summary = "gradient of conv2d with respect to its input; Keras Conv2DTranspose";
  let description = [{
    `input_shape` is the forward input's shape (stride and padding make it
    ambiguous from the output alone). A Conv2DTranspose layer is this op on
    its input with its kernel (Keras stores it as the forward conv's HWIO),
    so it is differentiable: with respect to `output_grad` a conv2d, with
    respect to `filter` a conv2d_backward_filter with the roles swapped.

    Example: `%dx = graph.conv2d_backward_data %dy, %w {input_shape = array<i64: 128, 28, 28, 1>, ...} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$filter,
                       DenseI64ArrayAttr:$input_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       Graph_PaddingAttr:$padding, Graph_DataFormatAttr:$data_format);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $filter attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_Conv2DBackwardFilterOp : Graph_TensorOp<"conv2d_backward_filter"> {
  let summary = "gradient of conv2d with respect to its filter (and bias)";
  let description = [{
    With a second result it also sums `output_grad` over all but the channel
    axis: the bias gradient, which libraries compute in the same pass
    (`graph-fuse-epilogues` folds the separate reduce_sum into it).

    Example: `%dw, %db = graph.conv2d_backward_filter %x, %dy {filter_shape = array<i64: 3, 3, 1, 32>, ...} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$output_grad,
                       DenseI64ArrayAttr:$filter_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       Graph_PaddingAttr:$padding, Graph_DataFormatAttr:$data_format);
  let results = (outs Graph_F32Tensor:$result, Optional<Graph_F32Tensor>:$bias_grad);
  let assemblyFormat = "$input `,` $output_grad attr-dict `:` functional-type(operands, results)";
}

def Graph_DepthwiseConv2DOp : Graph_DiffOp<"depthwise_conv2d"> {
  let summary = "2-D depthwise convolution (Keras DepthwiseConv2D), channels_last";
  let description = [{
    Each input channel c is convolved with its own `depth_multiplier` M
    filters: `filter` is Keras's [kh, kw, C, M] and output channel c * M + m
    comes from channel c and filter m. Padding `same` as graph.conv2d.

    Example:
    ```mlir
    %y = graph.depthwise_conv2d %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
          padding = #graph.padding<same>}
        : (tensor<8x16x16x32xf32>, tensor<3x3x32x1xf32>) -> tensor<8x16x16x32xf32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations, Graph_PaddingAttr:$padding);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input `,` $filter attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_DepthwiseConv2DBackwardDataOp : Graph_TensorOp<"depthwise_conv2d_backward_data"> {
  let summary = "gradient of depthwise_conv2d with respect to its input";
  let description = [{
    Example: `%dx = graph.depthwise_conv2d_backward_data %dy, %w {input_shape = array<i64: 8, 16, 16, 32>, ...} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$filter, DenseI64ArrayAttr:$input_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations, Graph_PaddingAttr:$padding);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $filter attr-dict `:` functional-type(operands, results)";
}

def Graph_DepthwiseConv2DBackwardFilterOp : Graph_TensorOp<"depthwise_conv2d_backward_filter"> {
  let summary = "gradient of depthwise_conv2d with respect to its filter";
  let description = [{
    Example: `%dw = graph.depthwise_conv2d_backward_filter %x, %dy {filter_shape = array<i64: 3, 3, 32, 1>, ...} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$output_grad, DenseI64ArrayAttr:$filter_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations, Graph_PaddingAttr:$padding);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input `,` $output_grad attr-dict `:` functional-type(operands, results)";
}

def Graph_MaxPool2DOp : Graph_DiffOp<"max_pool2d"> {
  let summary = "2-D max pooling (Keras MaxPooling2D)";
  let description = [{
    Example:
    ```mlir
    %y = graph.max_pool2d %x {pool_size = array<i64: 2, 2>, strides = array<i64: 2, 2>,
          padding = #graph.padding<valid>, data_format = #graph.data_format<channels_last>}
        : (tensor<128x24x24x64xf32>) -> tensor<128x12x12x64xf32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, DenseI64ArrayAttr:$pool_size,
                       DenseI64ArrayAttr:$strides, Graph_PaddingAttr:$padding,
                       Graph_DataFormatAttr:$data_format);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_MaxPool2DBackwardOp : Graph_TensorOp<"max_pool2d_backward"> {
  let summary = "route each output gradient to its window's (first) maximum";
  let description = [{
    `output` must be the result of the forward max_pool2d on `input`: a
    target may reuse what that forward saved (oneDNN's workspace).

    Example: `%dx = graph.max_pool2d_backward %dy, %x, %y {...} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$input, Graph_F32Tensor:$output,
                       DenseI64ArrayAttr:$pool_size, DenseI64ArrayAttr:$strides,
                       Graph_PaddingAttr:$padding, Graph_DataFormatAttr:$data_format);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $input `,` $output attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Recurrent
//===----------------------------------------------------------------------===//

def Graph_LSTMOp : Graph_DiffOp<"lstm"> {
  let summary = "a whole LSTM or GRU sequence (Keras LSTM, GRU), four gate slots";
  let description = [{
    input [N, T, C], kernel [C, 4U], recurrent_kernel [U, 4U], bias [4U]
    (Keras's LSTM layouts). Zero initial state. Returns the last h [N, U], or
    every h [N, T, U] with `return_sequences`.

    With `cell = #graph.cell<gru>` it is Keras's GRU with reset_after: the
    slots hold z, r, the candidate's input part and its recurrent part
    (a = x W + h U + b per slot): z = ra(a0), r = ra(a1),
    hh = act(a2 + r * a3), h = z * h_prev + (1 - z) * hh. The frontend
    builds the kernels from Keras's [C, 3U] and [U, 3U] ones with zero
    blocks (x feeds no a3, h no a2).

    Example:
    ```mlir
    %h = graph.lstm %x, %w, %u, %b {units = 128 : i64, activation = #graph.activation<tanh>,
          recurrent_activation = #graph.activation<hard_sigmoid>}
        : (tensor<896x28x1xf32>, tensor<1x512xf32>, tensor<128x512xf32>, tensor<512xf32>) -> tensor<896x128xf32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$kernel, Graph_F32Tensor:$recurrent_kernel,
                       Graph_F32Tensor:$bias, I64Attr:$units,
                       Graph_ActivationAttr:$activation, Graph_ActivationAttr:$recurrent_activation,
                       UnitAttr:$return_sequences, UnitAttr:$go_backwards,
                       DefaultValuedAttr<Graph_RecurrentCellAttr, "RecurrentCell::lstm">:$cell);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input `,` $kernel `,` $recurrent_kernel `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_LSTMBackwardOp : Graph_TensorOp<"lstm_backward"> {
  let summary = "all gradients of an lstm: input, kernel, recurrent kernel, bias";
  let description = [{
    `output` must be the forward lstm's result on the same operands: a target
    reuses the states the forward saved rather than recomputing them.

    Example:
    ```mlir
    %dx, %dw, %du, %db = graph.lstm_backward %x, %w, %u, %b, %h, %dh {...} : ...
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$kernel, Graph_F32Tensor:$recurrent_kernel,
                       Graph_F32Tensor:$bias, Graph_F32Tensor:$output, Graph_F32Tensor:$output_grad,
                       I64Attr:$units,
                       Graph_ActivationAttr:$activation, Graph_ActivationAttr:$recurrent_activation,
                       UnitAttr:$return_sequences, UnitAttr:$go_backwards,
                       DefaultValuedAttr<Graph_RecurrentCellAttr, "RecurrentCell::lstm">:$cell);
  let results = (outs Optional<Graph_F32Tensor>:$input_grad, Graph_F32Tensor:$kernel_grad,
                      Graph_F32Tensor:$recurrent_kernel_grad, Graph_F32Tensor:$bias_grad);
  let assemblyFormat = "$input `,` $kernel `,` $recurrent_kernel `,` $bias `,` $output `,` $output_grad attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Embedding and shape manipulation
//===----------------------------------------------------------------------===//

def Graph_EmbeddingOp : Graph_DiffOp<"embedding"> {
  let summary = "gather rows of a table by integer ids (Keras Embedding)";
  let description = [{
    Example: `%e = graph.embedding %ids, %table : (tensor<32x552xi32>, tensor<36x50xf32>) -> tensor<32x552x50xf32>`
  }];
  let arguments = (ins Graph_IndexTensor:$ids, Graph_F32Tensor:$table);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$ids `,` $table attr-dict `:` functional-type(operands, results)";
}

def Graph_EmbeddingBackwardOp : Graph_TensorOp<"embedding_backward"> {
  let summary = "scatter-add output gradients into a table-shaped gradient";
  let description = [{
    Example: `%dt = graph.embedding_backward %ids, %de {vocab_size = 36 : i64} : (tensor<32x552xi32>, tensor<32x552x50xf32>) -> tensor<36x50xf32>`
  }];
  let arguments = (ins Graph_IndexTensor:$ids, Graph_F32Tensor:$output_grad, I64Attr:$vocab_size);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$ids `,` $output_grad attr-dict `:` functional-type(operands, results)";
}

def Graph_ReshapeOp : Graph_DiffOp<"reshape"> {
  let summary = "same elements, new shape (Flatten, Reshape, TimeDistributed)";
  let description = [{
    `shape` may hold one -1, inferred from the element count.

    Example: `%f = graph.reshape %x {shape = array<i64: 128, -1>} : (tensor<128x12x12x64xf32>) -> tensor<128x9216xf32>`
  }];
  let arguments = (ins AnyTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_RepeatOp : Graph_DiffOp<"repeat"> {
  let summary = "repeat a [N, F] tensor n times along a new axis 1 (RepeatVector)";
  let description = [{
    Example: `%r = graph.repeat %q {times = 552 : i64} : (tensor<32x50xf32>) -> tensor<32x552x50xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, I64Attr:$times);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ConcatOp : Graph_DiffOp<"concat"> {
  let summary = "join tensors along an axis (Concatenate)";
  let description = [{
    Example: `%c = graph.concat %a, %b {axis = 1 : i64} : (tensor<8x3xf32>, tensor<8x5xf32>) -> tensor<8x8xf32>`
  }];
  let arguments = (ins Variadic<Graph_F32Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_SliceOp : Graph_DiffOp<"slice"> {
  let summary = "a contiguous range along one axis (Concatenate's gradient, Cropping1D/2D)";
  let description = [{
    The gradient pads the range back to the input's size with zeros.

    Example: `%s = graph.slice %c {axis = 1 : i64, start = 3 : i64, size = 5 : i64} : (tensor<8x8xf32>) -> tensor<8x5xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, I64Attr:$axis, I64Attr:$start, I64Attr:$size);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_ReverseOp : Graph_DiffOp<"reverse"> {
  let summary = "the elements in reverse order along one axis (Bidirectional's backward sequence)";
  let description = [{
    The gradient is the reverse of the output gradient along the same axis.

    Example: `%r = graph.reverse %x {axis = 1 : i64} : (tensor<8x20x64xf32>) -> tensor<8x20x64xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, I64Attr:$axis);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_PadOp : Graph_DiffOp<"pad"> {
  let summary = "zeros before and after along one axis (ZeroPadding1D/2D)";
  let description = [{
    The gradient is the slice of the unpadded range.

    Example: `%p = graph.pad %x {axis = 1 : i64, before = 1 : i64, after = 2 : i64} : (tensor<8x5x5x3xf32>) -> tensor<8x8x5x3xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, I64Attr:$axis, I64Attr:$before, I64Attr:$after);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def Graph_ActivationOp : Graph_ElementwiseOp<"activation", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "an elementwise Keras activation";
  let description = [{
    Example: `%y = graph.activation %x {kind = #graph.activation<relu>} : (tensor<128x512xf32>) -> tensor<128x512xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_ActivationAttr:$kind);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ActivationGradOp : Graph_ElementwiseOp<"activation_grad"> {
  let summary = "dy * act'(x), written in terms of the activation's output y";
  let description = [{
    Every supported activation's derivative is a function of its output, so
    the input need not be kept alive for the backward pass.

    Example: `%dx = graph.activation_grad %dy, %y {kind = #graph.activation<relu>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$output, Graph_ActivationAttr:$kind);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $output attr-dict `:` functional-type(operands, results)";
}

def Graph_AddOp : Graph_ElementwiseOp<"add", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "elementwise sum of two same-shaped tensors (Add)";
  let description = [{
    Example: `%c = graph.add %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$lhs, Graph_F32Tensor:$rhs);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Graph_ReluOp : Graph_ElementwiseOp<"relu", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "Keras's ReLU with a leak, a cap and a threshold (ReLU, LeakyReLU, relu6)";
  let description = [{
    y = (x > threshold ? x : 0), clipped to [0, max_value] when there is a
    cap, minus negative_slope * max(threshold - x, 0): Keras's
    `activations.relu`. The gradient is relu_grad on the input.

    Example: `%y = graph.relu %x {negative_slope = 1.000000e-01 : f64, max_value = 6.000000e+00 : f64} : (tensor<8x4xf32>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, DefaultValuedAttr<F64Attr, "0.0">:$negative_slope,
                       OptionalAttr<F64Attr>:$max_value, DefaultValuedAttr<F64Attr, "0.0">:$threshold);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_ReluGradOp : Graph_ElementwiseOp<"relu_grad"> {
  let summary = "dy times the derivative of graph.relu at its input x";
  let description = [{
    Example: `%dx = graph.relu_grad %dy, %x {max_value = 6.000000e+00 : f64} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$input,
                       DefaultValuedAttr<F64Attr, "0.0">:$negative_slope, OptionalAttr<F64Attr>:$max_value,
                       DefaultValuedAttr<F64Attr, "0.0">:$threshold);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Graph_GeluOp : Graph_ElementwiseOp<"gelu", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "Keras's exact gelu: x * Phi(x), Phi the standard normal CDF";
  let description = [{
    y = 0.5 x (1 + erf(x / sqrt(2))). Its derivative Phi(x) + x phi(x) needs
    the input, so it is not a graph.activation kind (whose gradients read the
    output); the gradient is gelu_grad on the input.

    Example: `%y = graph.gelu %x : (tensor<8x4xf32>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_GeluGradOp : Graph_ElementwiseOp<"gelu_grad"> {
  let summary = "dy times the derivative of gelu at its input x";
  let description = [{
    Example: `%dx = graph.gelu_grad %dy, %x : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$input);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Graph_MulOp : Graph_ElementwiseOp<"mul", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "elementwise product of two same-shaped tensors (Multiply)";
  let description = [{
    Example: `%c = graph.mul %a, %b : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$lhs, Graph_F32Tensor:$rhs);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Graph_ScaleOp : Graph_ElementwiseOp<"scale", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "every element times a constant plus a constant (pooling means, Rescaling, label smoothing)";
  let description = [{
    y = x * factor + offset.

    Example: `%m = graph.scale %s {factor = 2.500000e-01 : f64} : (tensor<8x16xf32>) -> tensor<8x16xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input, F64Attr:$factor, DefaultValuedAttr<F64Attr, "0.0">:$offset);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_DropoutOp : Graph_ElementwiseOp<"dropout", [
    DeclareOpInterfaceMethods<Graph_GradientOpInterface>]> {
  let summary = "inverted dropout with a counter-based (Philox) mask";
  let description = [{
    Keeps element i with probability 1-rate and scales it by 1/(1-rate). The
    mask bit is a pure function of (seed, step, stream, i) through
    Philox4x32-10, so the gradient (dropout of dy with the same key) needs no
    stored mask and every target draws the same mask. `stream` is unique per
    dropout layer.

    With `rows` (data-parallel training, one process's share of the global
    batch), i counts from row `row_offset` of the global batch: every
    process draws the rows of the mask one process training the whole
    batch would, so N processes train as one.

    Example:
    ```mlir
    %y = graph.dropout %x, %seed, %step {rate = 2.000000e-01 : f64, stream = 1 : i64}
        : (tensor<128x512xf32>, tensor<i64>, tensor<i64>) -> tensor<128x512xf32>
    %z = graph.dropout %x, %seed, %step rows %offset {rate = 2.000000e-01 : f64, stream = 1 : i64}
        : (tensor<64x512xf32>, tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<64x512xf32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_I64Scalar:$seed, Graph_I64Scalar:$step,
                       Optional<Graph_I64Scalar>:$row_offset, F64Attr:$rate, I64Attr:$stream);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $seed `,` $step (`rows` $row_offset^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Elements of one row (a sample) of the batch-major input.
    int64_t elementsPerRow() {
      auto type = ::llvm::cast<::mlir::RankedTensorType>(getInput().getType());
      return type.getRank() == 0 || type.getDimSize(0) == 0 ? 1 : type.getNumElements() / type.getDimSize(0);
    }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

def Graph_BatchNormOp : Graph_DiffOp<"batch_norm"> {
  let summary = "Keras BatchNormalization in training mode";
  let description = [{
    Normalises `input` with the mean and (biased) variance of the batch over
    every axis but `axis` (the channels), then scales by `gamma` and shifts
    by `beta`: y = (x - mean) / sqrt(var + epsilon) * gamma + beta. With a
    `mask` ([batch]) only the rows with mask 1 count, so the padding rows of
    a partial last batch do not move the statistics. The other results are
    the moving averages after this batch, as Keras updates them:
    moving * momentum + batch * (1 - momentum); the train step stores them.
    The eval step uses graph.batch_norm_inference instead.

    Example:
    ```mlir
    %y, %mm2, %mv2 = graph.batch_norm %x, %gamma, %beta, %mm, %mv, %mask {axis = 3 : i64, epsilon = 1.0e-03 : f64, momentum = 9.9e-01 : f64}
        : (tensor<8x6x6x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8xf32>) -> (tensor<8x6x6x4xf32>, tensor<4xf32>, tensor<4xf32>)
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$gamma, Graph_F32Tensor:$beta,
                       Graph_F32Tensor:$moving_mean, Graph_F32Tensor:$moving_variance,
                       Optional<Graph_F32Tensor>:$mask, I64Attr:$axis, F64Attr:$epsilon, F64Attr:$momentum);
  let results = (outs Graph_F32Tensor:$result, Graph_F32Tensor:$new_moving_mean,
                      Graph_F32Tensor:$new_moving_variance);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_BatchNormGradOp : Graph_TensorOp<"batch_norm_grad"> {
  let summary = "gradients of batch_norm with respect to input, gamma and beta";
  let description = [{
    Recomputes the batch statistics from `input` (and `mask`). A row with
    mask 0 does not shape the statistics, so its input gradient is only the
    direct term gamma * dy / sqrt(var + eps); the train step gives such rows
    no output gradient anyway.

    Example: `%dx, %dg, %db = graph.batch_norm_grad %dy, %x, %gamma, %mask {axis = 1 : i64, epsilon = 1.0e-03 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$result_grad, Graph_F32Tensor:$input, Graph_F32Tensor:$gamma,
                       Optional<Graph_F32Tensor>:$mask, I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs Graph_F32Tensor:$input_grad, Graph_F32Tensor:$gamma_grad, Graph_F32Tensor:$beta_grad);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_BatchNormInferenceOp : Graph_DiffOp<"batch_norm_inference"> {
  let summary = "Keras BatchNormalization in inference mode (moving statistics)";
  let description = [{
    y = (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta.
    The eval step's form of every batch_norm, and the train step's form of
    a frozen one (Keras 3 runs a BatchNormalization with trainable = False
    in inference mode). Differentiable in `input` only: dx is this op on dy
    with zero mean and beta; its parameters are frozen weights.

    Example: `%y = graph.batch_norm_inference %x, %gamma, %beta, %mm, %mv {axis = 1 : i64, epsilon = 1.0e-03 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$input, Graph_F32Tensor:$gamma, Graph_F32Tensor:$beta,
                       Graph_F32Tensor:$moving_mean, Graph_F32Tensor:$moving_variance,
                       I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Graph_FusedOp : Graph_Op<"fused", [
    SingleBlockImplicitTerminator<"YieldOp">, IsolatedFromAbove,
    DeclareOpInterfaceMethods<Graph_ReferenceOpInterface>]> {
  let summary = "a chain of elementwise ops that runs as one generated loop";
  let description = [{
    Created by `graph-fuse-elementwise`. The body's block arguments stand for
    the operands; every op inside implements ElementwiseOpInterface. One
    kernel computes all yielded values in a single pass over the elements.

    Example:
    ```mlir
    %r = graph.fused %dy, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
    ^bb0(%a: tensor<8xf32>, %b: tensor<8xf32>):
      %g = graph.activation_grad %a, %b {kind = #graph.activation<relu>} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      graph.yield %g : tensor<8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs);
  let results = (outs Variadic<AnyTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $results) $body";
  let hasVerifier = 1;
}

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "the values a graph.fused region produces";
  let description = [{ Example: `graph.yield %a, %b : tensor<8xf32>, tensor<8xf32>` }];
  let arguments = (ins Variadic<AnyTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* empty yield */ }]>];
}

//===----------------------------------------------------------------------===//
// Softmax, losses and metrics
//===----------------------------------------------------------------------===//

def Graph_SoftmaxOp : Graph_DiffOp<"softmax"> {
  let summary = "softmax over the last axis";
  let description = [{
    Example: `%p = graph.softmax %z : (tensor<128x10xf32>) -> tensor<128x10xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_SoftmaxGradOp : Graph_TensorOp<"softmax_grad"> {
  let summary = "y * (dy - sum(dy * y)) over the last axis";
  let description = [{
    Example: `%dz = graph.softmax_grad %dp, %p : (tensor<128x10xf32>, tensor<128x10xf32>) -> tensor<128x10xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$output_grad, Graph_F32Tensor:$output);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$output_grad `,` $output attr-dict `:` functional-type(operands, results)";
}

def Graph_CrossEntropyOp : Graph_DiffOp<"cross_entropy"> {
  let summary = "Keras categorical / sparse categorical crossentropy, masked mean";
  let description = [{
    As Keras computes it on probabilities: p / sum(p) over the last axis,
    clipped to [epsilon, 1-epsilon], then -sum(y * log(p)). `target` is
    one-hot f32 ([N, K]) or class ids i32 ([N], sparse). The result is the
    mean over samples with mask 1 (the mask zeroes the padding rows of a
    partial last batch).

    Example:
    ```mlir
    %l = graph.cross_entropy %p, %y, %mask {epsilon = 1.0e-07 : f64}
        : (tensor<128x10xf32>, tensor<128x10xf32>, tensor<128xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$probs, AnyTensor:$target, Graph_F32Tensor:$mask, F64Attr:$epsilon);
  let results = (outs Graph_F32Scalar:$result);
  let assemblyFormat = "$probs `,` $target `,` $mask attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_CrossEntropyGradOp : Graph_TensorOp<"cross_entropy_grad"> {
  let summary = "gradient of cross_entropy with respect to the probabilities";
  let description = [{
    Includes the clip (zero outside [eps, 1-eps]) and the renormalisation.

    Example: `%dp = graph.cross_entropy_grad %p, %y, %mask, %dl {epsilon = 1.0e-07 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$probs, AnyTensor:$target, Graph_F32Tensor:$mask,
                       Graph_F32Scalar:$loss_grad, F64Attr:$epsilon);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$probs `,` $target `,` $mask `,` $loss_grad attr-dict `:` functional-type(operands, results)";
}

def Graph_ElementLossOp : Graph_DiffOp<"element_loss"> {
  let summary = "Keras binary crossentropy, mean squared or absolute error: a masked mean";
  let description = [{
    One term per element of `pred` and `target` (same shape, [N, ...]):
    binary_crossentropy -(y log p + (1-y) log(1-p)) with p clipped to
    [epsilon, 1-epsilon] (Keras computes it on probabilities, a sigmoid
    layer's output), mean_squared_error (p-y)^2, mean_absolute_error |p-y|.
    Keras averages the terms over the last axis and then over everything
    else; here that is the mean over each sample's elements, then the mean
    over samples with mask 1. So sequence outputs ([N, T, K]) work as Keras
    has them.

    Example:
    ```mlir
    %l = graph.element_loss %p, %y, %mask {kind = #graph.element_loss<binary_crossentropy>, epsilon = 1.0e-07 : f64}
        : (tensor<32x1xf32>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Graph_F32Tensor:$pred, Graph_F32Tensor:$target, Graph_F32Tensor:$mask,
                       Graph_ElementLossAttr:$kind, F64Attr:$epsilon);
  let results = (outs Graph_F32Scalar:$result);
  let assemblyFormat = "$pred `,` $target `,` $mask attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_ElementLossGradOp : Graph_TensorOp<"element_loss_grad"> {
  let summary = "gradient of element_loss with respect to the predictions";
  let description = [{
    Zero where binary crossentropy's clip is active, as in Keras.

    Example: `%dp = graph.element_loss_grad %p, %y, %mask, %dl {kind = #graph.element_loss<mean_squared_error>, epsilon = 1.0e-07 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$pred, Graph_F32Tensor:$target, Graph_F32Tensor:$mask,
                       Graph_F32Scalar:$loss_grad, Graph_ElementLossAttr:$kind, F64Attr:$epsilon);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$pred `,` $target `,` $mask `,` $loss_grad attr-dict `:` functional-type(operands, results)";
}

def Graph_AccuracyOp : Graph_TensorOp<"accuracy"> {
  let summary = "number of masked samples whose prediction matches the target";
  let description = [{
    Keras's categorical_accuracy (one-hot target: argmax matches),
    sparse_categorical_accuracy (class ids) or, with `binary`,
    binary_accuracy (each element's p > 0.5 matches y > 0.5; a sample counts
    the fraction of its elements that match). Returns a count, not a mean,
    so that the runtime can sum it over an epoch.

    Example: `%c = graph.accuracy %p, %y, %mask : (tensor<128x10xf32>, tensor<128x10xf32>, tensor<128xf32>) -> tensor<f32>`
  }];
  let arguments = (ins Graph_F32Tensor:$probs, AnyTensor:$target, Graph_F32Tensor:$mask, UnitAttr:$binary);
  let results = (outs Graph_F32Scalar:$result);
  let assemblyFormat = "$probs `,` $target `,` $mask attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Optimizer updates (elementwise over a parameter and its slots)
//===----------------------------------------------------------------------===//

class Graph_UpdateOp<string mnemonic> : Graph_ElementwiseOp<mnemonic, [
    AllTypesMatch<["param", "grad", "new_param"]>]>;

def Graph_WeightDecayOp : Graph_ElementwiseOp<"weight_decay", [AllTypesMatch<["param", "new_param"]>]> {
  let summary = "Keras's decoupled weight decay, applied before the optimizer's step";
  let description = [{
    p' = p - p * weight_decay * lr / (1 + decay * step): Keras decays every
    trainable variable by the current learning rate before the update
    (AdamW, or an optimizer's `weight_decay`).

    Example: `%p1 = graph.weight_decay %p, %step {lr = 1.0e-03 : f64, decay = 0.0 : f64, weight_decay = 4.0e-03 : f64} : (tensor<8x4xf32>, tensor<i64>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_I64Scalar:$step, F64Attr:$lr, F64Attr:$decay,
                       F64Attr:$weight_decay);
  let results = (outs Graph_F32Tensor:$new_param);
  let assemblyFormat = "$param `,` $step attr-dict `:` functional-type(operands, results)";
}

def Graph_AllReduceOp : Graph_TensorOp<"all_reduce", [AllTypesMatch<["input", "result"]>]> {
  let summary = "a gradient summed over the processes of a data-parallel run";
  let description = [{
    Each process holds the gradient of its share of the global batch,
    averaged over its own samples; the result is the gradient of the whole
    batch: the sum over processes of `input * samples / global samples`.
    The runtime supplies both counts every step (a process's rows are its
    mask's ones) and reduces through its collective library (MPI, NCCL).
    Inserted by `graph-data-parallel` between the backward pass and the
    optimizer; in one process it is the identity, as its reference is.

    Example: `%g2 = graph.all_reduce %g : (tensor<784x512xf32>) -> tensor<784x512xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$input);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_ClipGradientOp : Graph_ElementwiseOp<"clip_gradient", [AllTypesMatch<["grad", "result"]>]> {
  let summary = "Keras's gradient clipping: by L2 norm, then by value";
  let description = [{
    With `sum_sq` (the squared L2 norm of this gradient, or of all of them
    for a global norm) and `clipnorm` c > 0: g' = g * c / max(sqrt(sum_sq), c),
    Keras's clip_by_norm (a gradient under the norm is unchanged). Then,
    with `clipvalue` v > 0: g' = min(max(g', -v), v).

    Example: `%g2 = graph.clip_gradient %g, %s {clipnorm = 1.0 : f64, clipvalue = 0.0 : f64} : (tensor<8x4xf32>, tensor<f32>) -> tensor<8x4xf32>`
  }];
  let arguments = (ins Graph_F32Tensor:$grad, Optional<Graph_F32Scalar>:$sum_sq, F64Attr:$clipnorm,
                       F64Attr:$clipvalue);
  let results = (outs Graph_F32Tensor:$result);
  let assemblyFormat = "$grad (`,` $sum_sq^)? attr-dict `:` functional-type(operands, results)";
}

def Graph_SGDUpdateOp : Graph_UpdateOp<"sgd_update"> {
  let summary = "Keras SGD step (momentum, nesterov, time decay)";
  let description = [{
    lr_t = lr / (1 + decay * step); v' = momentum * v - lr_t * g;
    p' = p + momentum * v' - lr_t * g (nesterov) or p + v'. Without momentum
    the `velocity` operand and result are absent: p' = p - lr_t * g.

    Example: `%p2, %v2 = graph.sgd_update %p, %g, %step, %v {lr = 0.01 : f64, momentum = 0.9 : f64, decay = 0.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Optional<Graph_F32Tensor>:$velocity,
                       F64Attr:$lr, F64Attr:$momentum, F64Attr:$decay, UnitAttr:$nesterov);
  let results = (outs Graph_F32Tensor:$new_param, Optional<Graph_F32Tensor>:$new_velocity);
  let assemblyFormat = "$param `,` $grad `,` $step (`,` $velocity^)? attr-dict `:` functional-type(operands, results)";
}

def Graph_RMSpropUpdateOp : Graph_UpdateOp<"rmsprop_update"> {
  let summary = "Keras RMSprop step";
  let description = [{
    a' = rho * a + (1 - rho) * g^2. Keras 2: p' = p - lr_t * g / (sqrt(a') + eps);
    Keras 3: p' = p - lr_t * g / sqrt(a' + eps). lr_t = lr / (1 + decay * step).

    Example: `%p2, %a2 = graph.rmsprop_update %p, %g, %step, %a {lr = 1.0e-03 : f64, rho = 0.9 : f64, epsilon = 1.0e-08 : f64, decay = 0.0 : f64, keras = #graph.keras<keras2>} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step, Graph_F32Tensor:$accumulator,
                       F64Attr:$lr, F64Attr:$rho, F64Attr:$epsilon, F64Attr:$decay,
                       Graph_KerasVersionAttr:$keras);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_accumulator);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $accumulator attr-dict `:` functional-type(operands, results)";
}

def Graph_AdadeltaUpdateOp : Graph_UpdateOp<"adadelta_update"> {
  let summary = "Keras Adadelta step";
  let description = [{
    a' = rho * a + (1 - rho) * g^2; u = g * sqrt(d + eps) / sqrt(a' + eps);
    p' = p - lr_t * u; d' = rho * d + (1 - rho) * u^2.

    Example: `%p2, %a2, %d2 = graph.adadelta_update %p, %g, %step, %a, %d {lr = 1.0 : f64, rho = 0.95 : f64, epsilon = 1.0e-08 : f64, decay = 0.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Graph_F32Tensor:$accumulator, Graph_F32Tensor:$delta_accumulator,
                       F64Attr:$lr, F64Attr:$rho, F64Attr:$epsilon, F64Attr:$decay);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_accumulator, Graph_F32Tensor:$new_delta_accumulator);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $accumulator `,` $delta_accumulator attr-dict `:` functional-type(operands, results)";
}

def Graph_AdamUpdateOp : Graph_UpdateOp<"adam_update"> {
  let summary = "Keras Adam step";
  let description = [{
    t = step + 1; lr_t = lr / (1 + decay * step) * sqrt(1 - beta_2^t) / (1 - beta_1^t);
    m' = beta_1 * m + (1 - beta_1) * g; v' = beta_2 * v + (1 - beta_2) * g^2;
    p' = p - lr_t * m' / (sqrt(v') + eps).

    Example: `%p2, %m2, %v2 = graph.adam_update %p, %g, %step, %m, %v {lr = 1.0e-03 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-08 : f64, decay = 0.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Graph_F32Tensor:$m, Graph_F32Tensor:$v,
                       F64Attr:$lr, F64Attr:$beta_1, F64Attr:$beta_2, F64Attr:$epsilon, F64Attr:$decay);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_m, Graph_F32Tensor:$new_v);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $m `,` $v attr-dict `:` functional-type(operands, results)";
}

def Graph_AdagradUpdateOp : Graph_UpdateOp<"adagrad_update"> {
  let summary = "Keras Adagrad step";
  let description = [{
    a' = a + g^2 (a starts at `initial_accumulator_value`). Keras 3:
    p' = p - lr_t * g / sqrt(a' + eps); Keras 1/2 and tf.keras:
    p' = p - lr_t * g / (sqrt(a') + eps). lr_t = lr / (1 + decay * step).

    Example: `%p2, %a2 = graph.adagrad_update %p, %g, %step, %a {lr = 1.0e-02 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64, keras = #graph.keras<keras3>} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step, Graph_F32Tensor:$accumulator,
                       F64Attr:$lr, F64Attr:$epsilon, F64Attr:$decay, Graph_KerasVersionAttr:$keras);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_accumulator);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $accumulator attr-dict `:` functional-type(operands, results)";
}

def Graph_AdamaxUpdateOp : Graph_UpdateOp<"adamax_update"> {
  let summary = "Keras Adamax step (Adam with the infinity norm)";
  let description = [{
    t = step + 1; m' = beta_1 * m + (1 - beta_1) * g; u' = max(beta_2 * u, |g|);
    p' = p - lr_t * m' / ((1 - beta_1^t) * (u' + eps)), lr_t = lr / (1 + decay * step).
    The same in every Keras generation.

    Example: `%p2, %m2, %u2 = graph.adamax_update %p, %g, %step, %m, %u {lr = 2.0e-03 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Graph_F32Tensor:$m, Graph_F32Tensor:$u,
                       F64Attr:$lr, F64Attr:$beta_1, F64Attr:$beta_2, F64Attr:$epsilon, F64Attr:$decay);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_m, Graph_F32Tensor:$new_u);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $m `,` $u attr-dict `:` functional-type(operands, results)";
}

def Graph_AMSGradUpdateOp : Graph_UpdateOp<"amsgrad_update"> {
  let summary = "Keras Adam step with amsgrad=True";
  let description = [{
    Adam whose denominator uses the largest second moment seen so far:
    t = step + 1; m' = beta_1 * m + (1 - beta_1) * g; v' = beta_2 * v + (1 - beta_2) * g^2;
    vhat' = max(vhat, v'); p' = p - lr_t * m' / (sqrt(vhat') + eps),
    lr_t = lr / (1 + decay * step) * sqrt(1 - beta_2^t) / (1 - beta_1^t).
    The same in every Keras generation.

    Example: `%p2, %m2, %v2, %vh2 = graph.amsgrad_update %p, %g, %step, %m, %v, %vh {lr = 1.0e-03 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Graph_F32Tensor:$m, Graph_F32Tensor:$v, Graph_F32Tensor:$vhat,
                       F64Attr:$lr, F64Attr:$beta_1, F64Attr:$beta_2, F64Attr:$epsilon, F64Attr:$decay);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_m, Graph_F32Tensor:$new_v,
                      Graph_F32Tensor:$new_vhat);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $m `,` $v `,` $vhat attr-dict `:` functional-type(operands, results)";
}

def Graph_LionUpdateOp : Graph_UpdateOp<"lion_update"> {
  let summary = "Keras 3 Lion step (the sign of an interpolated momentum)";
  let description = [{
    p' = p - lr_t * sign(beta_1 * m + (1 - beta_1) * g);
    m' = beta_2 * m + (1 - beta_2) * g, lr_t = lr / (1 + decay * step); sign(0) = 0.

    Example: `%p2, %m2 = graph.lion_update %p, %g, %step, %m {lr = 1.0e-04 : f64, beta_1 = 0.9 : f64, beta_2 = 0.99 : f64, decay = 0.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Graph_F32Tensor:$m,
                       F64Attr:$lr, F64Attr:$beta_1, F64Attr:$beta_2, F64Attr:$decay);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_m);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $m attr-dict `:` functional-type(operands, results)";
}

def Graph_NadamUpdateOp : Graph_UpdateOp<"nadam_update"> {
  let summary = "Keras Nadam step (Adam with Nesterov momentum and a momentum schedule)";
  let description = [{
    t = step + 1; mu_i = beta_1 * (1 - 0.5 * 0.96^(i * schedule)), schedule
    0.004 in Keras 1/2 and tf.keras and 1 in Keras 3; P_t = mu_1 ... mu_t (the
    product Keras keeps as optimizer state, here computed from t);
    m' = beta_1 * m + (1 - beta_1) * g; v' = beta_2 * v + (1 - beta_2) * g^2;
    m_hat = mu_{t+1} * m' / (1 - P_t mu_{t+1}) + (1 - mu_t) * g / (1 - P_t);
    p' = p - lr_t * m_hat / (sqrt(v' / (1 - beta_2^t)) + eps).

    Example: `%p2, %m2, %v2 = graph.nadam_update %p, %g, %step, %m, %v {lr = 1.0e-03 : f64, beta_1 = 0.9 : f64, beta_2 = 0.999 : f64, epsilon = 1.0e-07 : f64, decay = 0.0 : f64, schedule = 1.0 : f64} : ...`
  }];
  let arguments = (ins Graph_F32Tensor:$param, Graph_F32Tensor:$grad, Graph_I64Scalar:$step,
                       Graph_F32Tensor:$m, Graph_F32Tensor:$v,
                       F64Attr:$lr, F64Attr:$beta_1, F64Attr:$beta_2, F64Attr:$epsilon, F64Attr:$decay,
                       F64Attr:$schedule);
  let results = (outs Graph_F32Tensor:$new_param, Graph_F32Tensor:$new_m, Graph_F32Tensor:$new_v);
  let assemblyFormat = "$param `,` $grad `,` $step `,` $m `,` $v attr-dict `:` functional-type(operands, results)";
}

#endif // KCC_GRAPH_OPS
