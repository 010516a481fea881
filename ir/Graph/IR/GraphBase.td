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

def Graph_VariableRole : I32EnumAttr<"VariableRole", "what a variable holds", [
    I32EnumAttrCase<"weight", 0>, I32EnumAttrCase<"optimizer_state", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::kcc::graph";
}
def Graph_VariableRoleAttr : EnumAttr<Graph_Dialect, Graph_VariableRole, "role"> {
  let assemblyFormat = "`<` $value `>`";
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

#endif // KCC_GRAPH_BASE
