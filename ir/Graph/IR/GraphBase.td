//===- GraphBase.td - the graph dialect: Keras-level training graphs ------===//
//
// The graph dialect holds a model at the level of Keras concepts (dense,
// conv2d, lstm, dropout, ...) on value-semantic tensors, plus the ops that
// autodiff and the optimizer pass add (gradients without a forward twin,
// optimizer updates). It knows no target: no oneDNN/cuDNN detail belongs here.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_GRAPH_BASE
#define KCC_GRAPH_BASE

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let summary = "Keras-level training graphs on tensors";
  let description = [{
    One op per Keras concept at the granularity a library call or a gradient
    rule wants. Shapes are static once `graph-infer-shapes` has run; the batch
    size is fixed at compile time (partial batches are masked).
  }];
  let cppNamespace = "::kcc::graph";
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

// A double in an attribute (`lr = 1.000000e-03`): compared and hashed
// bitwise, read back exactly; accessors return llvm::APFloat. Left out of
// the text when it has its default.
class Graph_F64Parameter<string default> : APFloatParameter<""> {
  let defaultValue = "::llvm::APFloat(" # default # ")";
}
// A flag (`shuffle = true`), left out when false.
class Graph_FlagParameter<string desc = ""> : AttrOrTypeParameter<"bool", desc> {
  let defaultValue = "false";
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
}

class Graph_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Graph_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

// Elementwise activations. `hard_sigmoid` is Keras 1/2 and tf.keras
// (clip(0.2x+0.5, 0, 1)); `hard_sigmoid_v3` is Keras 3 (clip(x/6+0.5, 0, 1)).
// The frontend picks one from the JSON's generation.
def Graph_Activation : I32EnumAttr<"Activation", "elementwise activation", [
    I32EnumAttrCase<"linear", 0>, I32EnumAttrCase<"relu", 1>,
    I32EnumAttrCase<"tanh", 2>, I32EnumAttrCase<"sigmoid", 3>,
    I32EnumAttrCase<"hard_sigmoid", 4>, I32EnumAttrCase<"hard_sigmoid_v3", 5>,
    I32EnumAttrCase<"elu", 6>, I32EnumAttrCase<"softplus", 7>,
    I32EnumAttrCase<"softsign", 8>, I32EnumAttrCase<"selu", 9>,
    I32EnumAttrCase<"exponential", 10>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_ActivationAttr : EnumAttr<Graph_Dialect, Graph_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_DataFormat : I32EnumAttr<"DataFormat", "image data format", [
    I32EnumAttrCase<"channels_last", 0>, I32EnumAttrCase<"channels_first", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_DataFormatAttr : EnumAttr<Graph_Dialect, Graph_DataFormat, "data_format"> {
  let assemblyFormat = "`<` $value `>`";
}

// Which Keras generation's maths an op follows where generations differ
// (RMSprop's epsilon placement, default epsilons).
def Graph_Padding : I32EnumAttr<"Padding", "Keras padding mode", [
    I32EnumAttrCase<"valid", 0>, I32EnumAttrCase<"same", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_PaddingAttr : EnumAttr<Graph_Dialect, Graph_Padding, "padding"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_KerasVersion : I32EnumAttr<"KerasVersion", "Keras semantics generation", [
    I32EnumAttrCase<"keras2", 0>, I32EnumAttrCase<"keras3", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_KerasVersionAttr : EnumAttr<Graph_Dialect, Graph_KerasVersion, "keras"> {
  let assemblyFormat = "`<` $value `>`";
}

// The cell of a recurrence (graph.lstm). Both use four gate slots of U
// units, so one recurrence driver serves both: LSTM's i, f, c, o, and GRU's
// (reset_after) z, r, the candidate's input part and its recurrent part.
def Graph_RecurrentCell : I32EnumAttr<"RecurrentCell", "recurrent cell", [
    I32EnumAttrCase<"lstm", 0>, I32EnumAttrCase<"gru", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_RecurrentCellAttr : EnumAttr<Graph_Dialect, Graph_RecurrentCell, "cell"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_VariableRole : I32EnumAttr<"VariableRole", "what a variable holds", [
    I32EnumAttrCase<"weight", 0>, I32EnumAttrCase<"optimizer_state", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_VariableRoleAttr : EnumAttr<Graph_Dialect, Graph_VariableRole, "role"> {
  let assemblyFormat = "`<` $value `>`";
}


// What a step function's argument or result is to the runtime. model.bin
// carries it as bin::BufferRole (contract/model.fbs), so krun finds the
// batch's inputs, targets and outputs by role, never by buffer name.
def Graph_StepRole : I32EnumAttr<"StepRole", "what a step argument or result holds", [
    I32EnumAttrCase<"input", 0>, I32EnumAttrCase<"target", 1>,
    I32EnumAttrCase<"mask", 2>, I32EnumAttrCase<"seed", 3>,
    I32EnumAttrCase<"step", 4>, I32EnumAttrCase<"loss", 5>,
    I32EnumAttrCase<"correct", 6>, I32EnumAttrCase<"pred", 7>,
    I32EnumAttrCase<"row_offset", 8>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_StepRoleAttr : EnumAttr<Graph_Dialect, Graph_StepRole, "step_role"> {
  let assemblyFormat = "`<` $value `>`";
}

// The loss a model trains on (Keras's canonical names).
def Graph_LossKind : I32EnumAttr<"LossKind", "training loss", [
    I32EnumAttrCase<"categorical_crossentropy", 0>,
    I32EnumAttrCase<"sparse_categorical_crossentropy", 1>,
    I32EnumAttrCase<"binary_crossentropy", 2>,
    I32EnumAttrCase<"mean_squared_error", 3>,
    I32EnumAttrCase<"mean_absolute_error", 4>,
    I32EnumAttrCase<"hinge", 5>,
    I32EnumAttrCase<"squared_hinge", 6>,
    I32EnumAttrCase<"poisson", 7>,
    I32EnumAttrCase<"log_cosh", 8>,
    I32EnumAttrCase<"huber", 9>,
    I32EnumAttrCase<"kl_divergence", 10>,
    I32EnumAttrCase<"mean_squared_logarithmic_error", 11>,
    I32EnumAttrCase<"mean_absolute_percentage_error", 12>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}

// The losses that are a mean of one term per output element (graph.element_loss;
// Keras's kl_divergence sums over the last axis: its term is scaled by the
// axis's length).
def Graph_ElementLoss : I32EnumAttr<"ElementLoss", "per-element loss term", [
    I32EnumAttrCase<"binary_crossentropy", 0>,
    I32EnumAttrCase<"mean_squared_error", 1>,
    I32EnumAttrCase<"mean_absolute_error", 2>,
    I32EnumAttrCase<"hinge", 3>,
    I32EnumAttrCase<"squared_hinge", 4>,
    I32EnumAttrCase<"poisson", 5>,
    I32EnumAttrCase<"log_cosh", 6>,
    I32EnumAttrCase<"huber", 7>,
    I32EnumAttrCase<"kl_divergence", 8>,
    I32EnumAttrCase<"mean_squared_logarithmic_error", 9>,
    I32EnumAttrCase<"mean_absolute_percentage_error", 10>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_ElementLossAttr : EnumAttr<Graph_Dialect, Graph_ElementLoss, "element_loss"> {
  let assemblyFormat = "`<` $value `>`";
}

def Graph_OptimizerKind : I32EnumAttr<"OptimizerKind", "optimizer", [
    I32EnumAttrCase<"sgd", 0>, I32EnumAttrCase<"rmsprop", 1>,
    I32EnumAttrCase<"adadelta", 2>, I32EnumAttrCase<"adam", 3>,
    I32EnumAttrCase<"adagrad", 4>, I32EnumAttrCase<"adamax", 5>, I32EnumAttrCase<"nadam", 6>,
    I32EnumAttrCase<"lion", 7>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}

// Where the numbers reported after each epoch come from.
def Graph_Validation : I32EnumAttr<"Validation", "validation data", [
    I32EnumAttrCase<"test", 0>, I32EnumAttrCase<"split", 1>,
    I32EnumAttrCase<"none", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Graph_InitializerAttr : Graph_Attr<"Initializer", "init"> {
  let summary = "how a variable's initial value is drawn";
  let description = [{
    A Keras initializer, normalised: `kind` is one of zeros, ones, constant,
    variance_scaling (glorot/he/lecun are instances), random_uniform,
    random_normal, truncated_normal, orthogonal, lstm_bias (zeros with the
    forget-gate quarter set to one: Keras's unit_forget_bias). `params` holds
    the numbers (scale, mode, distribution, minval, ...). The runtime draws the
    values from the seed, so `krun --seed` changes the initialization too.

    Example: `#graph.init<"variance_scaling", {scale = 1.0 : f64, mode = "fan_avg", distribution = "uniform"}>`
  }];
  let parameters = (ins "::mlir::StringAttr":$kind, "::mlir::DictionaryAttr":$params);
  let assemblyFormat = "`<` $kind `,` $params `>`";
  let genVerifyDecl = 1;
}

def Graph_OptimizerAttr : Graph_Attr<"Optimizer", "optimizer"> {
  let summary = "a Keras optimizer and its hyper-parameters";
  let description = [{
    The frontend sets every field to the value Keras would use for the
    file's generation; fields left out of hand-written IR take the defaults
    below. Fields an optimizer does not use are ignored by it.
    `keras` picks the generation's maths where they differ (RMSprop's
    epsilon placement). `weight_decay` is Keras's decoupled decay (AdamW, or
    any optimizer's weight_decay): graph.weight_decay before each update.
    `initial_accumulator_value` is Adagrad's first accumulator. Gradient
    clipping, before the update as in Keras: `clipnorm` scales each gradient
    to at most that L2 norm, `global_clipnorm` all of them together by their
    joint norm (also Keras 1/2's `clipnorm`), then `clipvalue` clamps each
    element to [-clipvalue, clipvalue]; 0 means off. `schedule_decay` scales
    the exponent of Nadam's momentum schedule 0.96^(t * schedule_decay):
    Keras 1/2's and tf.keras's 0.004, Keras 3's 1. `amsgrad` is Adam's (and
    AdamW's) AMSGrad variant: graph.amsgrad_update.

    Example: `#graph.optimizer<kind = rmsprop, lr = 1.0e-03, rho = 8.0e-01, keras = keras2>`
  }];
  let parameters = (ins EnumParameter<Graph_OptimizerKind>:$kind, Graph_F64Parameter<"1e-3">:$lr,
                        Graph_F64Parameter<"0.9">:$rho, Graph_F64Parameter<"1e-7">:$epsilon,
                        Graph_F64Parameter<"0.0">:$decay, Graph_F64Parameter<"0.0">:$momentum,
                        Graph_F64Parameter<"0.9">:$beta_1, Graph_F64Parameter<"0.999">:$beta_2,
                        Graph_FlagParameter<>:$nesterov,
                        DefaultValuedParameter<"KerasVersion", "KerasVersion::keras3">:$keras,
                        Graph_F64Parameter<"0.0">:$weight_decay,
                        Graph_F64Parameter<"0.1">:$initial_accumulator_value,
                        Graph_F64Parameter<"0.0">:$clipnorm, Graph_F64Parameter<"0.0">:$global_clipnorm,
                        Graph_F64Parameter<"0.0">:$clipvalue,
                        Graph_F64Parameter<"1.0">:$schedule_decay,
                        Graph_FlagParameter<"Adam's AMSGrad: the step divides by the largest v so far">:$amsgrad);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Graph_TrainingAttr : Graph_Attr<"Training", "training"> {
  let summary = "what a model trains on and how: loss, optimizer, run settings";
  let description = [{
    The module attribute `kcc.training`, written by the frontend from the
    Keras file, its `kcc` block and flags. The passes read the loss and the
    optimizer; the rest travels to model.bin for krun (batch size, epochs,
    dataset, validation, augmentation).

    Fields at their defaults are left out of the text. With `from_logits`
    the model's output is logits: the loss applies softmax (categorical) or
    sigmoid (binary) first; accuracy reads the output as it is, as Keras's
    metrics do. `label_smoothing` (the two crossentropies with one-hot or
    0/1 targets) moves the loss's targets toward uniform as Keras does:
    y (1 - s) + s / classes, or + s / 2 for binary; accuracy reads them as
    they are.

    `ranks` > 1 compiles for data-parallel training: `batch_size` stays the
    global batch, and the step's tensors hold ceil(batch_size / ranks)
    rows, one process's share.

    Example: `#graph.training<loss = categorical_crossentropy, metrics = ["accuracy"], optimizer = <kind = sgd, lr = 1.0e-02>, batch_size = 128, epochs = 20, shuffle = true, dataset = "mnist">`
  }];
  let parameters = (ins EnumParameter<Graph_LossKind>:$loss, Graph_F64Parameter<"1e-7">:$loss_epsilon,
                        Graph_FlagParameter<"the loss reads logits (Keras from_logits=True)">:$from_logits,
                        Graph_F64Parameter<"0.0">:$label_smoothing,
                        OptionalParameter<"::mlir::ArrayAttr">:$metrics, "OptimizerAttr":$optimizer,
                        DefaultValuedParameter<"int64_t", "32">:$batch_size,
                        DefaultValuedParameter<"int64_t", "1">:$epochs,
                        DefaultValuedParameter<"int64_t", "0">:$steps_per_epoch,
                        Graph_FlagParameter<>:$shuffle, StringRefParameter<"", "\"\"">:$dataset,
                        StringRefParameter<"", "\"\"">:$dataset_task, StringRefParameter<"", "\"\"">:$dataset_set,
                        DefaultValuedParameter<"Validation", "Validation::test">:$validation,
                        Graph_F64Parameter<"0.0">:$validation_split, Graph_FlagParameter<>:$augment,
                        Graph_F64Parameter<"0.0">:$width_shift_range, Graph_F64Parameter<"0.0">:$height_shift_range,
                        Graph_FlagParameter<>:$horizontal_flip,
                        DefaultValuedParameter<"int64_t", "1">:$ranks);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // KCC_GRAPH_BASE
