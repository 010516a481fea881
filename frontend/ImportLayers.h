//===- ImportLayers.h - what the per-family layer import files share ------===//
//
// Internal to the frontend: the helpers every import function uses
// (ImportLayers.cpp) and the import functions of the other family files,
// which findLayerImporter's table lists.
//
//===----------------------------------------------------------------------===//

#ifndef KCC_FRONTEND_IMPORTLAYERS_H
#define KCC_FRONTEND_IMPORTLAYERS_H

#include "frontend/Importer.h"

namespace kcc::frontend::layers {

using Values = llvm::SmallVectorImpl<mlir::Value>;

/// Reports activity regularizers and constraints, which kcc does not
/// implement (weight regularizers are read with each weight).
void rejectRegularizers(LayerConfig &cfg);
mlir::NamedAttribute named(Importer &imp, llvm::StringRef name, mlir::Attribute a);
/// Applies a Keras activation to |x| (softmax is its own op).
mlir::Value applyActivation(LayerCall &call, mlir::Value x, const ActivationSpec &act);
mlir::Value addBias(LayerCall &call, mlir::Value x, mlir::Value bias, int64_t axis);
/// False (after reporting it) unless the layer is called on |n| inputs.
bool expectInputs(LayerCall &call, size_t n);
mlir::Value reshape(LayerCall &call, mlir::Value x, llvm::ArrayRef<int64_t> shape);

// ImportConvolution.cpp
bool importConv1D(LayerCall &call, Values &out);
bool importMaxPool1D(LayerCall &call, Values &out);
bool importCropping1D(LayerCall &call, Values &out);
bool importCropping2D(LayerCall &call, Values &out);
bool importZeroPadding1D(LayerCall &call, Values &out);
bool importZeroPadding2D(LayerCall &call, Values &out);
bool importAvgPool1D(LayerCall &call, Values &out);
bool importAvgPool2D(LayerCall &call, Values &out);
bool importGlobalMaxPool1D(LayerCall &call, Values &out);
bool importGlobalMaxPool2D(LayerCall &call, Values &out);
bool importGlobalAvgPool1D(LayerCall &call, Values &out);
bool importGlobalAvgPool2D(LayerCall &call, Values &out);
bool importConv2D(LayerCall &call, Values &out);
bool importDepthwiseConv2D(LayerCall &call, Values &out);
bool importSeparableConv2D(LayerCall &call, Values &out);
bool importConv2DTranspose(LayerCall &call, Values &out);
bool importUpSampling1D(LayerCall &call, Values &out);
bool importUpSampling2D(LayerCall &call, Values &out);
bool importMaxPool2D(LayerCall &call, Values &out);

} // namespace kcc::frontend::layers

#endif // KCC_FRONTEND_IMPORTLAYERS_H
