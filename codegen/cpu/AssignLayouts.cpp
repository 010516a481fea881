//===- AssignLayouts.cpp - exec-cpu-assign-layouts ------------------------===//
//
// Per program, in call order:
//   1. Convolutions: try the inputs' current layouts with outputs (and
//      unassigned weights) left to oneDNN (`any`); failing that, let oneDNN
//      pick the inputs too (reorders are inserted); failing that, plain.
//   2. Pooling: keeps its input's layout; the backward reads its output
//      gradient in the forward output's layout.
//   3. Elementwise kernels: adopt the layout of a persistent output, else
//      of the first laid-out input; other inputs are reordered to it.
//   4. Everything else reads plain buffers.
// With precision=bf16, convolutions and matmuls read their data operands
// (not biases) as bf16 copies, made by the same reorders that change
// layouts, and write f32; oneDNN's layout choices are asked for with those
// types, since its bf16 kernels want other weight layouts.
// oneDNN is queried through its C API: the compiler is built without C++
// exceptions, and a refused combination must be a status, not an abort.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "contract/OneDnnTags.h"

#include "oneapi/dnnl/dnnl.hpp"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"

namespace kcc::codegen {
#define GEN_PASS_DEF_CPUASSIGNLAYOUTS
#include "codegen/Passes.h.inc"
} // namespace kcc::codegen

using namespace mlir;
using namespace kcc;
using namespace kcc::exec;

namespace {

/// A buffer as a convolution library sees it: logical dims (N,C,H,W or
/// O,I,H,W) and the tag under which its plain storage reads.
struct Geometry {
  std::vector<int64_t> dims;
  std::string plainTag;
};

/// "" is the plain layout; "any" lets oneDNN choose.
using Tag = std::string;

class OneDnn {
public:
  OneDnn() { dnnl_engine_create(&engine, dnnl_cpu, 0); }
  ~OneDnn() { dnnl_engine_destroy(engine); }
  dnnl_engine_t engine = nullptr;

  /// A memory desc over |g| with |tag|; false if the tag is unknown.
  bool desc(const Geometry &g, const Tag &tag, dnnl_memory_desc_t &md, dnnl_data_type_t type = dnnl_f32) {
    dnnl_dims_t dims;
    for (size_t i = 0; i < g.dims.size(); ++i)
      dims[i] = g.dims[i];
    dnnl_format_tag_t t;
    if (tag == "any") {
      t = dnnl_format_tag_any;
    } else {
      auto known = contract::tagByName(tag.empty() ? g.plainTag : tag);
      if (!known)
        return false;
      t = static_cast<dnnl_format_tag_t>(*known);
    }
    return dnnl_memory_desc_init_by_tag(&md, g.dims.size(), dims, type, t) == dnnl_success;
  }

  /// The tag oneDNN chose, or nullopt if kcc cannot name it or it pads.
  std::optional<Tag> chosen(const dnnl_memory_desc_t *md, const Geometry &g) {
    if (!md)
      return std::nullopt;
    // With a unit dimension several tags describe the same bytes, but
    // oneDNN's fast kernels accept only the one they chose (see nameOfDesc):
    // a buffer takes exactly that tag, a reorder between them is a copy.
    std::string name = contract::nameOfDesc(dnnl::memory::desc(*md));
    int64_t plain = md->data_type == dnnl_bf16 ? 2 : 4;
    for (int64_t d : g.dims)
      plain *= d;
    if (name.empty() || static_cast<int64_t>(dnnl_memory_desc_get_size(md)) != plain)
      return std::nullopt;
    return name == g.plainTag ? Tag() : name;
  }
};

struct Conv {
  Geometry src, wei, dst;
  dnnl_dims_t strides, dilates, padL, padR;
  bool hasBias;
};

Conv convOf(Operation *op) {
  auto i = [&](StringRef n) { return op->getAttrOfType<IntegerAttr>(n).getInt(); };
  auto arr = [&](StringRef n) { return op->getAttrOfType<DenseI64ArrayAttr>(n).asArrayRef(); };
  bool first = op->getAttrOfType<graph::DataFormatAttr>("data_format").getValue() ==
               graph::DataFormat::channels_first;
  std::string image = first ? "abcd" : "acdb";
  Conv c;
  c.src = {{i("batch"), i("in_channels"), i("in_height"), i("in_width")}, image};
  c.wei = {{i("out_channels"), i("in_channels"), i("kernel_height"), i("kernel_width")}, "cdba"};
  c.dst = {{i("batch"), i("out_channels"), i("out_height"), i("out_width")}, image};
  for (int k = 0; k < 2; ++k) {
    c.strides[k] = arr("strides")[k];
    c.dilates[k] = arr("dilations")[k] - 1;
    c.padL[k] = arr("pads")[k];
    c.padR[k] = arr("pads")[k + 2];
  }
  return c;
}

struct CpuAssignLayoutsPass : public kcc::codegen::impl::CpuAssignLayoutsBase<CpuAssignLayoutsPass> {
  using CpuAssignLayoutsBase::CpuAssignLayoutsBase;
  OneDnn dnn;
  llvm::DenseMap<Value, Tag> layoutOf;
  llvm::DenseMap<Value, Geometry> geometryOf;
  llvm::StringMap<Tag> persistentLayout;
  llvm::StringMap<Geometry> persistentGeometry;
  llvm::DenseMap<std::pair<Value, StringRef>, Value> reorderCache;
  llvm::StringSet<> tagStorage;
  /// Forward pooling workspace -> (input layout, output layout).
  llvm::DenseMap<Value, std::pair<Tag, Tag>> poolLayouts;
  func::FuncOp program;

  void runOnOperation() override {
    if (precision != "f32" && precision != "bf16") {
      getOperation().emitError("unknown precision '") << precision << "' (f32 or bf16)";
      return signalPassFailure();
    }
    // Without native bf16 dot products oneDNN emulates them, slower than f32.
    if (bf16() && dnnl_get_effective_cpu_isa() < dnnl_cpu_isa_avx512_core_bf16) {
      getOperation().emitError("bf16 needs a CPU with AVX512-BF16 or AMX; this one has neither (use f32)");
      return signalPassFailure();
    }
    for (auto f : getOperation().getOps<func::FuncOp>())
      if (f->hasAttr(kProgramAttrName)) {
        program = f;
        reorderCache.clear();
        if (failed(processProgram(f)))
          return signalPassFailure();
      }
    annotate();
  }

  static StringRef nameOf(Value v) {
    auto a = v.getDefiningOp<AllocOp>();
    return a && a.getName() ? StringRef(*a.getName()) : StringRef();
  }

  Tag layout(Value v) { return layoutOf.lookup(v); }

  void setLayout(Value v, const Tag &tag, const Geometry &g) {
    layoutOf[v] = tag;
    geometryOf[v] = g;
    auto type = cast<BufferType>(v.getType());
    v.setType(type.withLayout(tag));
    if (StringRef name = nameOf(v); !name.empty()) {
      persistentLayout[name] = tag;
      persistentGeometry[name] = g;
      // Optimizer slots of a weight share its layout (elementwise updates).
      for (auto alloc : program.getOps<AllocOp>())
        if (alloc.getName() && alloc.getName()->starts_with((name + ".").str()) &&
            alloc.getKind() == BufferKind::optimizer_state)
          setLayout(alloc.getResult(), tag, g);
    }
  }

  /// Makes |use| read a buffer in layout |tag| (as bf16 if |lowered|),
  /// reordering if needed.
  void ensure(OpOperand &use, const Tag &tag, bool lowered = false) {
    Value v = use.get();
    if (layout(v) == tag && !lowered)
      return;
    StringRef key = tagStorage.insert(lowered ? tag + "|bf16" : tag).first->getKey();
    Value &copy = reorderCache[{v, key}];
    if (!copy) {
      Operation *user = use.getOwner();
      OpBuilder b(user);
      auto type = cast<BufferType>(v.getType()).withLayout(tag);
      if (lowered)
        type = BufferType::get(type.getContext(), type.getShape(), b.getBF16Type(), type.getLayout());
      auto src = v.getDefiningOp<AllocOp>();
      copy = b.create<AllocOp>(user->getLoc(), type, src ? src.getKind() : BufferKind::activation,
                               StringAttr(), IntegerAttr(), IntegerAttr(), graph::StepRoleAttr());
      layoutOf[copy] = tag;
      geometryOf[copy] = geometryOf.lookup(v);
      b.create<ReorderOp>(user->getLoc(), ValueRange{v}, ValueRange{copy});
    }
    use.set(copy);
  }

  /// Drops cached copies of buffers |op| writes (they would be stale).
  void invalidate(Operation *op) {
    if (auto call = dyn_cast<exec::CallOpInterface>(op))
      for (Value out : call.getOutputs())
        for (auto it = reorderCache.begin(); it != reorderCache.end();)
          it->first.first == out ? (void)reorderCache.erase(it++) : (void)++it;
  }

  LogicalResult processProgram(func::FuncOp f) {
    // Persistent buffers keep layouts chosen in an earlier program.
    for (auto alloc : f.getOps<AllocOp>())
      if (alloc.getName())
        if (auto it = persistentLayout.find(*alloc.getName()); it != persistentLayout.end())
          setLayout(alloc.getResult(), it->second, persistentGeometry[*alloc.getName()]);
    for (Operation &op : llvm::make_early_inc_range(f.getBody().front())) {
      if (auto view = dyn_cast<ViewOp>(op)) {
        ensure(view->getOpOperand(0), "");
        continue;
      }
      auto call = dyn_cast<exec::CallOpInterface>(op);
      if (!call || isa<ReorderOp>(op))
        continue;
      LogicalResult done = success();
      if (isa<Conv2DOp, Conv2DBackwardDataOp, Conv2DBackwardFilterOp>(op))
        done = convolution(&op);
      else if (isa<MaxPool2DOp, MaxPool2DBackwardOp>(op))
        done = pooling(&op);
      else if (auto k = dyn_cast<KernelOp>(op); k && k.getElementwise() && !k.getPositionDependent())
        done = elementwise(k);
      else
        done = plainCall(&op);
      if (failed(done))
        return failure();
      invalidate(&op);
    }
    return success();
  }

  /// Calls that only understand plain buffers.
  LogicalResult plainCall(Operation *op) {
    auto call = cast<exec::CallOpInterface>(op);
    for (OpOperand &use : op->getOpOperands()) {
      if (use.getOperandNumber() < call.getInputs().size())
        ensure(use, "", bf16() && isa<MatMulOp>(op) && use.getOperandNumber() < 2);
      else if (!layout(use.get()).empty())
        return op->emitError("would write a laid-out buffer it reads as plain (layout ")
               << layout(use.get()) << ")";
    }
    return success();
  }

  LogicalResult elementwise(KernelOp k) {
    auto shaped = [&](Value v) {
      auto t = cast<BufferType>(v.getType());
      return t.getRank() > 0 && t.getNumElements() == k.getDomain();
    };
    // A persistent output (an updated weight, plain or not) fixes the
    // layout; else the first laid-out input does.
    Tag target;
    std::optional<Geometry> g;
    bool fixed = false;
    for (Value out : k.getOutputs())
      if (!nameOf(out).empty()) {
        target = layout(out), fixed = true;
        if (geometryOf.count(out))
          g = geometryOf.lookup(out);
        break;
      }
    if (!fixed)
      for (Value in : k.getInputs())
        if (shaped(in) && !layout(in).empty()) {
          target = layout(in), g = geometryOf.lookup(in);
          break;
        }
    unsigned numInputs = k.getInputs().size();
    for (OpOperand &use : k->getOpOperands()) {
      Value v = use.get();
      Tag want = shaped(v) ? target : Tag();
      if (shaped(v) && g)
        geometryOf.try_emplace(v, *g); // e.g. a gradient arriving through a reshape
      if (use.getOperandNumber() < numInputs) {
        ensure(use, want);
      } else if (!layoutOf.count(v) && g && !want.empty()) {
        setLayout(v, want, *g);
      } else if (layout(v) != want) {
        return k.emitError("elementwise kernel ")
               << k.getKernelAttr() << " would write operand " << use.getOperandNumber() << " in layout "
               << (want.empty() ? "plain" : want) << " but it is already "
               << (layout(v).empty() ? "plain" : layout(v));
      }
    }
    return success();
  }

  /// Creates a primitive desc with the given op desc; returns it or null.
  /// oneDNN falls back to its slow reference code for layouts its fast
  /// kernels do not take; unless |acceptReference|, that counts as a refusal
  /// (the next attempt asks for other layouts).
  bool acceptReference = false;
  dnnl_primitive_desc_t create(const_dnnl_op_desc_t desc, const_dnnl_primitive_desc_t hint = nullptr,
                               const dnnl::primitive_attr *attr = nullptr) {
    dnnl_primitive_desc_t pd = nullptr;
    if (dnnl_primitive_desc_create(&pd, desc, attr ? attr->get() : nullptr, dnn.engine, hint) != dnnl_success)
      return nullptr;
    const char *impl = nullptr;
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
    if ((!acceptReference && impl && StringRef(impl).starts_with("ref")) ||
        (requireBf16Kernel && (!impl || !StringRef(impl).contains("bf16")))) {
      dnnl_primitive_desc_destroy(pd);
      return nullptr;
    }
    return pd;
  }

  /// Desired layout of a weight buffer for a query: its fixed layout, or
  /// `any` while no convolution has chosen one.
  Tag weightRequest(Value w) {
    StringRef name = nameOf(w);
    if (!name.empty() && persistentLayout.count(name))
      return persistentLayout[name];
    return layoutOf.count(w) ? layout(w) : Tag("any");
  }

  /// What to ask oneDNN for one tensor of a convolution: `any` while free,
  /// its current layout once pinned (because oneDNN's free choice could not
  /// be named or would pad), plain as the last resort.
  enum class Ask { Preferred, Free, Current, Plain };

  /// oneDNN's direct convolutions are fastest on channel-blocked tensors
  /// (nChw16c on AVX-512, nChw8c on AVX2); left to `any` it sometimes keeps
  /// a plain layout, so the first attempt asks for blocking outright.
  Tag blocked(const Geometry &g) {
    int block = dnnl_get_effective_cpu_isa() >= dnnl_cpu_isa_avx512_core ? 16 : 8;
    if (g.dims[1] % block != 0)
      return "any";
    return block == 16 ? "aBcd16b" : "aBcd8b";
  }

  Tag request(Value v, Ask ask, bool output, const Geometry &g) {
    if (ask == Ask::Plain)
      return Tag();
    // A persistent buffer keeps its layout once one is chosen (a weight:
    // by its first convolution) and a step input/output stays plain; reading
    // one in another layout only costs a reorder into a copy.
    StringRef name = nameOf(v);
    bool fixed = !name.empty() && (persistentLayout.count(name) ||
                                   cast<AllocOp>(v.getDefiningOp()).getKind() != BufferKind::weight);
    if ((fixed && output) || (output && layoutOf.count(v)) || (fixed && ask == Ask::Current))
      return layout(v);
    if (fixed && !name.empty() && persistentLayout.count(name) &&
        cast<AllocOp>(v.getDefiningOp()).getKind() == BufferKind::weight)
      return layout(v);
    if (ask == Ask::Current)
      return output ? Tag("any") : layout(v);
    return ask == Ask::Preferred ? blocked(g) : Tag("any");
  }

  bool bf16() const { return precision == "bf16"; }

  /// The forward a backward convolution is created against: it reads in the
  /// lowered precision and writes f32, like the forward it mirrors.
  static bool hintDesc(dnnl_convolution_desc_t &fd, dnnl_memory_desc_t src, dnnl_memory_desc_t wei,
                       const dnnl_memory_desc_t *bias, dnnl_memory_desc_t dst, dnnl_data_type_t low,
                       const Conv &c) {
    src.data_type = low, wei.data_type = low, dst.data_type = dnnl_f32;
    return dnnl_dilated_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct, &src,
                                                      &wei, bias, &dst, c.strides, c.dilates, c.padL,
                                                      c.padR) == dnnl_success;
  }

  /// With bf16, a convolution reads bf16 only where oneDNN has a native
  /// bf16 kernel for it (a one-channel input convolution has none, and its
  /// gemm fallback was 25x slower than the f32 JIT); else it stays f32.
  LogicalResult convolution(Operation *op) {
    bool done = bf16() && succeeded(convolution(op, /*lowered=*/true));
    done = done || succeeded(convolution(op, /*lowered=*/false));
    requireBf16Kernel = false;
    if (done)
      return success();
    return op->emitError("oneDNN has no convolution for this geometry, even with plain layouts");
  }

  bool requireBf16Kernel = false;

  LogicalResult convolution(Operation *op, bool lowered) {
    Conv c = convOf(op);
    // What the convolution reads; it writes f32.
    dnnl_data_type_t low = lowered ? dnnl_bf16 : dnnl_f32;
    requireBf16Kernel = lowered;
    auto call = cast<exec::CallOpInterface>(op);
    Value in0 = call.getInputs()[0], in1 = call.getInputs()[1], out0 = call.getOutputs()[0];
    Value weight = in1;
    // The forward fuses its activation; krun creates it with the same
    // post-ops, and they change which implementation oneDNN picks.
    dnnl::primitive_attr forwardAttr;
    if (auto fwd = dyn_cast<Conv2DOp>(op)) {
      auto postOps = contract::activationPostOps(static_cast<int>(fwd.getActivation()));
      if (!postOps)
        return op->emitError("oneDNN cannot fuse the activation ")
               << graph::stringifyActivation(fwd.getActivation()) << " into a convolution";
      forwardAttr.set_post_ops(*postOps);
    }
    for (Ask ask : {Ask::Preferred, Ask::Free, Ask::Current, Ask::Plain}) {
      acceptReference = ask == Ask::Plain && !lowered;
      dnnl_memory_desc_t src, wei, dst, bias;
      dnnl_convolution_desc_t d, fd;
      dnnl_primitive_desc_t pd = nullptr, hint = nullptr;
      dnnl_dims_t biasDims = {c.dst.dims[1]};
      dnnl_memory_desc_init_by_tag(&bias, 1, biasDims, dnnl_f32, dnnl_a);
      auto alg = dnnl_convolution_direct;
      // Backward calls take the weights in whatever layout they prefer (a
      // cheap per-step reorder of a small tensor) and give the gradient in
      // theirs; only the forward pins a weight's layout.
      bool backward = !isa<Conv2DOp>(op);
      Tag w = ask == Ask::Plain ? Tag()
              : backward      ? Tag("any")
                              : request(weight, ask == Ask::Preferred ? Ask::Free : ask, false, c.wei);
      bool ok = false;
      if (isa<Conv2DOp>(op)) {
        ok = dnn.desc(c.src, request(in0, ask, false, c.src), src, low) && dnn.desc(c.wei, w, wei, low) &&
             dnn.desc(c.dst, request(out0, ask, true, c.dst), dst) &&
             dnnl_dilated_convolution_forward_desc_init(&d, dnnl_forward_training, alg, &src, &wei,
                                                        call.getInputs().size() == 3 ? &bias : nullptr, &dst,
                                                        c.strides, c.dilates, c.padL, c.padR) == dnnl_success &&
             (pd = create(&d, nullptr, &forwardAttr)) &&
             commit(op, pd, {{0, dnnl_query_src_md, c.src}, {1, dnnl_query_weights_md, c.wei}},
                    {{0, dnnl_query_dst_md, c.dst}});
      } else if (isa<Conv2DBackwardDataOp>(op)) { // ins(dy, w) outs(dx)
        ok = dnn.desc(c.dst, request(in0, ask, false, c.dst), dst, low) && dnn.desc(c.wei, w, wei, low) &&
             dnn.desc(c.src, request(out0, ask, true, c.src), src) &&
             hintDesc(fd, src, wei, nullptr, dst, low, c) &&
             (hint = create(&fd)) &&
             dnnl_dilated_convolution_backward_data_desc_init(&d, alg, &src, &wei, &dst, c.strides, c.dilates,
                                                              c.padL, c.padR) == dnnl_success &&
             (pd = create(&d, hint)) &&
             commit(op, pd, {{0, dnnl_query_diff_dst_md, c.dst}, {1, dnnl_query_weights_md, c.wei}},
                    {{0, dnnl_query_diff_src_md, c.src}});
      } else { // backward filter: ins(x, dy) outs(dw[, db]); dw takes the weight's layout
        bool withBias = call.getOutputs().size() == 2;
        ok = dnn.desc(c.src, request(in0, ask, false, c.src), src, low) &&
             dnn.desc(c.dst, request(in1, ask, false, c.dst), dst, low) && dnn.desc(c.wei, w, wei) &&
             hintDesc(fd, src, wei, withBias ? &bias : nullptr, dst, low, c) &&
             (hint = create(&fd)) &&
             dnnl_dilated_convolution_backward_weights_desc_init(&d, alg, &src, &wei, withBias ? &bias : nullptr,
                                                                 &dst, c.strides, c.dilates, c.padL,
                                                                 c.padR) == dnnl_success &&
             (pd = create(&d, hint)) &&
             commit(op, pd, {{0, dnnl_query_src_md, c.src}, {1, dnnl_query_diff_dst_md, c.dst}},
                    {{0, dnnl_query_diff_weights_md, c.wei}});
      }
      if (hint)
        dnnl_primitive_desc_destroy(hint);
      if (pd)
        dnnl_primitive_desc_destroy(pd);
      if (ok)
        return success();
    }
    return failure();
  }

  struct Slot {
    unsigned index;
    dnnl_query_t query;
    Geometry geometry;
  };

  /// Applies the layouts |pd| chose: inputs are reordered to them, outputs
  /// take them. False if some choice cannot be named or would pad.
  bool commit(Operation *op, const_dnnl_primitive_desc_t pd, ArrayRef<Slot> ins, ArrayRef<Slot> outs) {
    auto call = cast<exec::CallOpInterface>(op);
    SmallVector<std::pair<Slot, Tag>> inTags, outTags;
    for (const Slot &s : ins) {
      auto t = dnn.chosen(dnnl_primitive_desc_query_md(pd, s.query, 0), s.geometry);
      if (!t)
        return false;
      inTags.push_back({s, *t});
    }
    for (const Slot &s : outs) {
      auto t = dnn.chosen(dnnl_primitive_desc_query_md(pd, s.query, 0), s.geometry);
      if (!t)
        return false;
      outTags.push_back({s, *t});
    }
    for (auto &[s, tag] : outTags) {
      Value v = call.getOutputs()[s.index];
      if (layoutOf.count(v) && layout(v) != tag)
        return false; // an earlier writer fixed another layout
    }
    for (auto &[s, tag] : inTags) {
      OpOperand &use = op->getOpOperand(s.index);
      Value v = use.get();
      // A weight's first convolution decides its layout; with bf16 it reads
      // a copy instead, and the weight stays as it is.
      if (!bf16() && !layoutOf.count(v) && !nameOf(v).empty() &&
          cast<AllocOp>(v.getDefiningOp()).getKind() == BufferKind::weight)
        setLayout(v, tag, s.geometry);
      geometryOf.try_emplace(v, s.geometry);
      ensure(use, tag, requireBf16Kernel);
    }
    for (auto &[s, tag] : outTags)
      setLayout(call.getOutputs()[s.index], tag, s.geometry);
    return true;
  }

  LogicalResult pooling(Operation *op) {
    auto i = [&](StringRef n) { return op->getAttrOfType<IntegerAttr>(n).getInt(); };
    bool first = op->getAttrOfType<graph::DataFormatAttr>("data_format").getValue() == graph::DataFormat::channels_first;
    std::string image = first ? "abcd" : "acdb";
    Geometry in{{i("batch"), i("channels"), i("in_height"), i("in_width")}, image};
    Geometry out{{i("batch"), i("channels"), i("out_height"), i("out_width")}, image};
    auto call = cast<exec::CallOpInterface>(op);
    if (isa<MaxPool2DOp>(op)) {
      Value x = call.getInputs()[0];
      geometryOf.try_emplace(x, in);
      Tag t = layout(x);
      setLayout(call.getOutputs()[0], t, out);
      if (call.getOutputs().size() == 2)
        poolLayouts[call.getOutputs()[1]] = {t, t};
      return success();
    }
    Value ws = call.getInputs()[1];
    auto [inTag, outTag] = poolLayouts.lookup(ws);
    geometryOf.try_emplace(call.getInputs()[0], out);
    ensure(op->getOpOperand(0), outTag);
    setLayout(call.getOutputs()[0], inTag, in);
    return success();
  }

  /// Records the library dims and plain tag of every buffer that has them.
  void annotate() {
    Builder b(&getContext());
    getOperation().walk([&](AllocOp alloc) {
      auto it = geometryOf.find(alloc.getResult());
      if (it == geometryOf.end())
        return;
      alloc->setAttr(kcc::codegen::kLayoutDimsAttr, b.getDenseI64ArrayAttr(it->second.dims));
      alloc->setAttr(kcc::codegen::kPlainLayoutAttr, b.getStringAttr(it->second.plainTag));
    });
  }
};

} // namespace
