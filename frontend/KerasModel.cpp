//===- KerasModel.cpp - read any generation of Keras model JSON -----------===//
//
// 1. Parse the text; unwrap TF.js (`modelTopology`) and HDF5-attribute
//    (`model_config`, possibly a JSON string) envelopes.
// 2. Decide the generation from `keras_version` or Keras 3's `module` keys.
// 3. Sequential: synthesise the input layer Keras would create and chain the
//    layers. Functional: read each layer's calls, whatever their encoding
//    (Keras 1 three-element refs, Keras 2 four-element refs, Keras 3
//    `{"args", "kwargs"}` with `__keras_tensor__` objects).
//
//===----------------------------------------------------------------------===//

#include "frontend/KerasModel.h"

#include "frontend/Json.h"
#include "support/KerasArchives.h"

#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace kcc::frontend {

using json::member;
using rapidjson::Value;

namespace json {
std::string render(const Value *v) {
  if (!v)
    return "nothing";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v->Accept(w);
  std::string s = buf.GetString();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

size_t depth(const Value &root) {
  // Iterative: a hostile file may nest far deeper than the stack allows.
  std::vector<std::pair<const Value *, size_t>> todo = {{&root, 1}};
  size_t deepest = 0;
  while (!todo.empty()) {
    auto [v, d] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, d);
    if (v->IsObject())
      for (auto &m : v->GetObject())
        todo.push_back({&m.value, d + 1});
    else if (v->IsArray())
      for (auto &e : v->GetArray())
        todo.push_back({&e, d + 1});
  }
  return deepest;
}

std::string position(const std::string &text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line, col = 1;
    else
      ++col;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}
} // namespace json

std::string Layer::where(const std::string &key) const {
  std::string s = "layer '" + name + "' (" + className + ") at " + jsonPath;
  if (!key.empty())
    s += "/config/" + key;
  return s;
}

const Layer *KerasModel::find(const std::string &name) const {
  for (const Layer &l : layers)
    if (l.name == name)
      return &l;
  return nullptr;
}

// The three regular expressions of Keras's to_snake_case, applied in turn
// with Python's left-to-right, non-overlapping matching.
std::string kerasSnakeCase(const std::string &className) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  std::string s; // re.sub(r"\W+", "", name)
  for (char c : className)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
      s += c;
  std::string t; // re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
  for (size_t i = 0; i < s.size();) {
    if (i + 2 < s.size() && upper(s[i + 1]) && lower(s[i + 2])) {
      size_t j = i + 2;
      while (j < s.size() && lower(s[j]))
        ++j;
      t += s.substr(i, 1) + "_" + s.substr(i + 1, j - i - 1);
      i = j;
    } else {
      t += s[i++];
    }
  }
  std::string u; // re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
  for (size_t i = 0; i < t.size();) {
    if (i + 1 < t.size() && lower(t[i]) && upper(t[i + 1])) {
      u += t.substr(i, 1) + "_" + t.substr(i + 1, 1);
      i += 2;
    } else {
      u += t[i++];
    }
  }
  for (char &c : u)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return u;
}

namespace {

class Reader {
public:
  Reader(KerasModel &model, Diagnostics &diag) : model(model), diag(diag) {}

  /// Parses |text| into a document the model keeps alive.
  const Value *parse(const std::string &text, const std::string &what) {
    auto doc = std::make_unique<rapidjson::Document>();
    // Iterative parsing: nesting depth cannot overflow the stack.
    doc->Parse<rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
    if (doc->HasParseError()) {
      diag.error(what, std::string("invalid JSON at ") + json::position(text, doc->GetErrorOffset()) +
                           ": " + rapidjson::GetParseError_En(doc->GetParseError()));
      return nullptr;
    }
    if (size_t d = json::depth(*doc); d > json::kMaxDepth) {
      diag.error(what, "JSON nested " + std::to_string(d) + " levels deep; a Keras model needs far fewer (at most " +
                           std::to_string(json::kMaxDepth) + " are read)");
      return nullptr;
    }
    model.documents.push_back(std::move(doc));
    return model.documents.back().get();
  }

  /// A member that may itself be JSON encoded as a string (HDF5 attributes).
  const Value *maybeEncoded(const Value *v, const std::string &what) {
    if (v && v->IsString())
      return parse(std::string(v->GetString(), v->GetStringLength()), what);
    return v;
  }

  bool read(const std::string &text) {
    const Value *root = parse(text, "");
    if (!root)
      return false;
    if (!root->IsObject()) {
      diag.error("/", "expected a JSON object describing a Keras model, found " + json::render(root));
      return false;
    }
    const Value *top = root;
    std::string topPath = "";
    std::string version = json::string(member(root, "keras_version")).value_or("");
    model.kccConfig = member(root, "kcc");
    if (const Value *topo = member(root, "modelTopology")) { // TF.js layers-model
      model.trainingConfig = maybeEncoded(member(topo, "training_config"), "/modelTopology/training_config");
      version = json::string(member(topo, "keras_version")).value_or(version);
      top = member(topo, "model_config") ? member(topo, "model_config") : topo;
      topPath = member(topo, "model_config") ? "/modelTopology/model_config" : "/modelTopology";
    } else if (const Value *mc = member(root, "model_config")) { // HDF5 attributes dumped
      top = maybeEncoded(mc, "/model_config");
      topPath = "/model_config";
      model.trainingConfig = maybeEncoded(member(root, "training_config"), "/training_config");
      if (!top)
        return false;
    }
    if (!model.trainingConfig)
      model.trainingConfig = member(top, "training_config") ? member(top, "training_config")
                                                            : member(root, "training_config");
    model.compileConfig = member(top, "compile_config");
    if (!model.kccConfig)
      model.kccConfig = member(top, "kcc");
    version = json::string(member(top, "keras_version")).value_or(version);
    model.kerasVersion = version;

    auto className = json::string(member(top, "class_name"));
    const Value *config = member(top, "config");
    if (!className || !config) {
      diag.error(topPath.empty() ? "/" : topPath,
                 "expected a Keras model object with \"class_name\" and \"config\" "
                 "(as written by model.to_json())");
      return false;
    }
    model.generation = generationOf(version, top, config);
    if (model.generation == Generation::Keras3 && top->IsObject()) {
      rapidjson::StringBuffer text;
      rapidjson::Writer<rapidjson::StringBuffer> w(text);
      w.StartObject();
      for (auto &m : top->GetObject()) {
        if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == "kcc")
          continue;
        m.name.Accept(w);
        m.value.Accept(w);
      }
      w.EndObject(static_cast<rapidjson::SizeType>(top->MemberCount()));
      model.keras3Config.assign(text.GetString(), text.GetSize());
    }
    bool ok;
    if (*className == "Sequential")
      ok = readSequential(config, topPath + "/config", top);
    else if (*className == "Model" || *className == "Functional")
      ok = readFunctional(config, topPath + "/config");
    else {
      diag.error(topPath + "/class_name", "unsupported model class '" + *className +
                                              "' (expected Sequential, Model or Functional)");
      return false;
    }
    return ok && resolveNestedModels();
  }

private:
  KerasModel &model;
  Diagnostics &diag;
  // Nested models: a reference to a nested model's output (or to a nested
  // InputLayer) stands for the tensor it aliases.
  std::map<TensorRef, TensorRef> aliases;
  std::set<std::string> nestedInputs; // InputLayers of nested models, dropped
  int nesting = 0;
  // Keras 3 saves the layers of a model under "<model>/layers/<class
  // name in snake case>[_k]", k counting earlier layers of the same class
  // in that model (saving_lib's _save_container_state).
  std::string savePrefix = "layers/";
  std::map<std::string, int> saveNames;

  std::string nextSavePath(const std::string &className) {
    // Keras 1/2 names of classes Keras 3 saves under its own names.
    static const std::map<std::string, std::string> keras3Class = {
        {"Model", "Functional"},          {"Convolution1D", "Conv1D"},
        {"Convolution2D", "Conv2D"},      {"AtrousConvolution2D", "Conv2D"},
        {"Deconvolution2D", "Conv2DTranspose"}};
    auto renamed = keras3Class.find(className);
    std::string name = kerasSnakeCase(renamed == keras3Class.end() ? className : renamed->second);
    auto [it, fresh] = saveNames.emplace(name, 0);
    if (!fresh)
      name += "_" + std::to_string(++it->second);
    return savePrefix + name;
  }

  static Generation generationOf(const std::string &version, const Value *top, const Value *config) {
    if (!version.empty())
      return version[0] == '1' ? Generation::Keras1
                               : version[0] == '3' ? Generation::Keras3 : Generation::Keras2;
    if (member(top, "module"))
      return Generation::Keras3;
    // No version at all: very old (Keras 1) files use Keras 1 key names.
    const Value *layers = config->IsArray() ? config : member(config, "layers");
    if (layers && layers->IsArray() && !layers->Empty()) {
      const Value *first = member(&(*layers)[0], "config");
      if (member(first, "output_dim") || member(first, "nb_filter") || member(first, "init"))
        return Generation::Keras1;
    }
    return Generation::Keras2;
  }

  static bool isModelClass(const std::string &c) {
    return c == "Sequential" || c == "Model" || c == "Functional";
  }

  static std::optional<std::string> nestedModelClass(const Value &entry) {
    auto cls = json::string(member(&entry, "class_name"));
    return cls && isModelClass(*cls) ? cls : std::nullopt;
  }

  static std::optional<std::string> nestedModelName(const Value &entry) {
    auto name = json::string(member(&entry, "name"));
    return name ? name : json::string(member(member(&entry, "config"), "name"));
  }

  /// A model used as a layer, called on |inputs|: its layers join this
  /// model's at its place (so weights keep Keras's order), its InputLayers
  /// stand for |inputs|, and (its name, 0, t) for its t-th output. With
  /// |adoptInputs| (the first layer of a Sequential model) its inputs become
  /// this model's.
  bool inlineModel(const Value &entry, const std::string &path, const std::string &name, const std::string &cls,
                   const std::vector<TensorRef> &inputs, bool adoptInputs = false) {
    const Value *cfg = member(&entry, "config");
    std::string where = "layer '" + name + "' (" + cls + ") at " + path;
    if (!cfg || !(cfg->IsObject() || cfg->IsArray())) {
      diag.error(where, "expected the nested model's \"config\" (an object, or a list of layers)");
      return false;
    }
    if (nesting >= 8) {
      diag.error(where, "models nested more than 8 deep are not supported");
      return false;
    }
    std::vector<TensorRef> outerIn = std::move(model.inputs), outerOut = std::move(model.outputs);
    std::string outerName = model.name, outerPrefix = savePrefix, own = nextSavePath(cls);
    std::map<std::string, int> outerNames = std::move(saveNames);
    savePrefix = own + "/layers/", saveNames.clear();
    model.inputs.clear(), model.outputs.clear();
    size_t first = model.layers.size();
    ++nesting;
    bool ok = cls == "Sequential" ? readSequential(cfg, path + "/config", &entry) : readFunctional(cfg, path + "/config");
    --nesting;
    savePrefix = outerPrefix, saveNames = std::move(outerNames);
    std::vector<TensorRef> innerIn = std::move(model.inputs), innerOut = std::move(model.outputs);
    model.inputs = std::move(outerIn), model.outputs = std::move(outerOut), model.name = outerName;
    if (!ok)
      return false;
    if (adoptInputs) {
      model.inputs = innerIn;
    } else if (innerIn.size() != inputs.size()) {
      diag.error(where, "takes " + std::to_string(innerIn.size()) + " input(s) but is called on " +
                            std::to_string(inputs.size()));
      return false;
    }
    for (size_t i = 0; i < inputs.size() && !adoptInputs; ++i) {
      aliases[innerIn[i]] = inputs[i];
      nestedInputs.insert(innerIn[i].layer);
    }
    for (size_t t = 0; t < innerOut.size(); ++t)
      aliases[{name, 0, static_cast<int>(t)}] = innerOut[t];
    // Keras: a model with trainable false has no trainable weights, whatever its layers say.
    if (json::boolean(member(cfg, "trainable")) == false || json::boolean(member(&entry, "trainable")) == false)
      for (size_t i = first; i < model.layers.size(); ++i)
        model.layers[i].frozenByModel = true;
    return true;
  }

  /// Drops nested InputLayers, points every reference at what it aliases
  /// and numbers the layers in order (Keras's weight order).
  bool resolveNestedModels() {
    if (aliases.empty())
      return true;
    auto resolve = [&](TensorRef r) {
      for (int hops = 0; hops < 64; ++hops) {
        auto it = aliases.find(r);
        if (it == aliases.end())
          break;
        r = it->second;
      }
      return r;
    };
    std::vector<Layer> kept;
    for (Layer &l : model.layers) {
      if (l.className == "InputLayer" && nestedInputs.count(l.name))
        continue;
      for (std::vector<TensorRef> &call : l.calls)
        for (TensorRef &r : call)
          r = resolve(r);
      l.configIndex = static_cast<int>(kept.size());
      kept.push_back(std::move(l));
    }
    model.layers = std::move(kept);
    for (TensorRef &r : model.outputs)
      r = resolve(r);
    return true;
  }

  /// Common part of a layer entry: class_name, config, name.
  bool readLayerEntry(const Value &entry, const std::string &path, int index, Layer &layer) {
    auto cls = json::string(member(&entry, "class_name"));
    const Value *cfg = member(&entry, "config");
    if (!cls || !cfg || !cfg->IsObject()) {
      diag.error(path, "expected a layer object with \"class_name\" and an object \"config\"");
      return false;
    }
    layer.className = *cls;
    layer.config = cfg;
    layer.jsonPath = path;
    layer.configIndex = index;
    layer.name = json::string(member(&entry, "name")).value_or(json::string(member(cfg, "name")).value_or(""));
    if (layer.name.empty()) {
      diag.error(path, "layer has no name");
      return false;
    }
    return true;
  }

  bool readSequential(const Value *config, const std::string &path, const Value *top) {
    const Value *layers = config->IsArray() ? config : member(config, "layers");
    std::string layersPath = config->IsArray() ? path : path + "/layers";
    model.name = json::string(member(config, "name")).value_or("sequential");
    if (!layers || !layers->IsArray() || layers->Empty()) {
      diag.error(layersPath, "a Sequential model needs a non-empty list of layers");
      return false;
    }
    bool ok = true;
    TensorRef previous;
    for (rapidjson::SizeType i = 0; i < layers->Size(); ++i) {
      Layer layer;
      std::string lp = layersPath + "/" + std::to_string(i);
      if (auto cls = nestedModelClass((*layers)[i])) {
        // Keras 2.0's nested Sequential (a bare list) has no name: its path stands in.
        std::string name = nestedModelName((*layers)[i]).value_or(lp);
        if (!inlineModel((*layers)[i], lp, name, *cls, {previous}, /*adoptInputs=*/i == 0))
          return false;
        previous = {name, 0, 0};
        continue;
      }
      if (!readLayerEntry((*layers)[i], lp, i, layer)) {
        ok = false;
        continue;
      }
      if (i == 0 && layer.className != "InputLayer") {
        // Keras creates "<first layer>_input" from the first layer's shape.
        Layer input;
        input.name = layer.name + "_input";
        input.className = "InputLayer";
        input.config = layer.config;
        input.jsonPath = layer.jsonPath;
        input.configIndex = -1;
        if (nesting == 0 && !member(layer.config, "batch_input_shape") && !member(layer.config, "batch_shape") &&
            !member(layer.config, "input_shape") && !member(layer.config, "input_dim")) {
          const Value *built = member(config, "build_input_shape");
          if (!built)
            built = member(member(top, "build_config"), "input_shape");
          if (!built) {
            diag.error(layer.where(), "the first layer of a Sequential model must state its input "
                                      "shape (batch_input_shape), or the model must be built");
            return false;
          }
          input.config = top; // the reader looks for build_config/build_input_shape there
        }
        previous = {input.name, 0, 0};
        model.inputs.push_back({input.name, 0, 0});
        model.layers.push_back(std::move(input));
      }
      if (layer.className != "InputLayer") // Sequential.layers leaves it out
        layer.savePath = nextSavePath(layer.className);
      if (layer.className == "InputLayer") {
        if (i != 0) {
          diag.error(layer.where(), "an InputLayer may only start a Sequential model");
          ok = false;
          continue;
        }
        model.inputs.push_back({layer.name, 0, 0});
      } else {
        layer.calls.push_back({previous});
      }
      previous = {layer.name, 0, 0};
      model.layers.push_back(std::move(layer));
    }
    model.outputs.push_back(previous);
    return ok;
  }

  /// Collects __keras_tensor__ references anywhere inside a Keras 3 call.
  static void collectKerasTensors(const Value &v, std::vector<TensorRef> &out) {
    if (v.IsObject()) {
      auto cls = json::string(member(&v, "class_name"));
      if (cls && *cls == "__keras_tensor__") {
        const Value *hist = member(member(&v, "config"), "keras_history");
        if (hist && hist->IsArray() && hist->Size() == 3 && (*hist)[0].IsString() && (*hist)[1].IsInt() &&
            (*hist)[2].IsInt())
          out.push_back({(*hist)[0].GetString(), (*hist)[1].GetInt(), (*hist)[2].GetInt()});
        return;
      }
      for (auto &m : v.GetObject())
        collectKerasTensors(m.value, out);
    } else if (v.IsArray()) {
      for (auto &e : v.GetArray())
        collectKerasTensors(e, out);
    }
  }

  /// One call's input refs: Keras 1/2 list of refs or Keras 3 {args, kwargs}.
  bool readCall(const Value &call, const std::string &path, std::vector<TensorRef> &refs) {
    if (call.IsObject()) {
      if (const Value *args = member(&call, "args"))
        collectKerasTensors(*args, refs);
      return true;
    }
    if (!call.IsArray()) {
      diag.error(path, "expected a list of input references, found " + json::render(&call));
      return false;
    }
    for (rapidjson::SizeType k = 0; k < call.Size(); ++k) {
      const Value &ref = call[k];
      if (!ref.IsArray() || ref.Size() < 3 || !ref[0].IsString() || !ref[1].IsInt() || !ref[2].IsInt()) {
        diag.error(path + "/" + std::to_string(k),
                   "expected [layer_name, node_index, tensor_index, ...], found " + json::render(&ref));
        return false;
      }
      refs.push_back({ref[0].GetString(), ref[1].GetInt(), ref[2].GetInt()});
    }
    return true;
  }

  /// input_layers/output_layers: a list of triples, or one bare triple (Keras 3).
  bool readEndpoints(const Value *v, const std::string &path, std::vector<TensorRef> &out) {
    if (!v || !v->IsArray()) {
      diag.error(path, "expected a list of [layer_name, node_index, tensor_index]");
      return false;
    }
    auto isRef = [](const Value &e) {
      return e.IsArray() && e.Size() >= 3 && e[0].IsString() && e[1].IsInt() && e[2].IsInt();
    };
    if (isRef(*v)) {
      out.push_back({(*v)[0].GetString(), (*v)[1].GetInt(), (*v)[2].GetInt()});
      return true;
    }
    for (auto &e : v->GetArray()) {
      if (!isRef(e)) {
        diag.error(path, "expected [layer_name, node_index, tensor_index], found " + json::render(&e));
        return false;
      }
      out.push_back({e[0].GetString(), e[1].GetInt(), e[2].GetInt()});
    }
    return true;
  }

  bool readFunctional(const Value *config, const std::string &path) {
    model.name = json::string(member(config, "name")).value_or("model");
    const Value *layers = member(config, "layers");
    if (!layers || !layers->IsArray()) {
      diag.error(path + "/layers", "a functional model needs a list of layers");
      return false;
    }
    bool ok = true;
    for (rapidjson::SizeType i = 0; i < layers->Size(); ++i) {
      Layer layer;
      std::string lp = path + "/layers/" + std::to_string(i);
      const Value *nodes = member(&(*layers)[i], "inbound_nodes");
      if (auto cls = nestedModelClass((*layers)[i])) {
        std::vector<TensorRef> refs;
        if (!nodes || !nodes->IsArray() || nodes->Size() != 1) {
          diag.error("layer at " + lp, "a nested model must be called exactly once (a shared model is not supported)");
          return false;
        }
        auto name = nestedModelName((*layers)[i]);
        if (!name) {
          diag.error("layer at " + lp, "a nested model needs a name");
          return false;
        }
        if (!readCall((*nodes)[0], lp + "/inbound_nodes/0", refs) || !inlineModel((*layers)[i], lp, *name, *cls, refs))
          return false;
        continue;
      }
      if (!readLayerEntry((*layers)[i], lp, i, layer)) {
        ok = false;
        continue;
      }
      layer.savePath = nextSavePath(layer.className);
      if (nodes && nodes->IsArray()) {
        for (rapidjson::SizeType c = 0; c < nodes->Size(); ++c) {
          std::vector<TensorRef> refs;
          ok &= readCall((*nodes)[c], lp + "/inbound_nodes/" + std::to_string(c), refs);
          if (!refs.empty() || layer.className != "InputLayer")
            layer.calls.push_back(std::move(refs));
        }
      }
      model.layers.push_back(std::move(layer));
    }
    ok &= readEndpoints(member(config, "input_layers"), path + "/input_layers", model.inputs);
    ok &= readEndpoints(member(config, "output_layers"), path + "/output_layers", model.outputs);
    for (const TensorRef &r : model.inputs)
      if (!model.find(r.layer) && !aliases.count(r)) {
        diag.error(path + "/input_layers", "names unknown layer '" + r.layer + "'");
        ok = false;
      }
    for (const TensorRef &r : model.outputs)
      if (!model.find(r.layer) && !aliases.count(r)) {
        diag.error(path + "/output_layers", "names unknown layer '" + r.layer + "'");
        ok = false;
      }
    return ok;
  }
};

/// Keras refuses two layers with one name; every reference between layers
/// (and every weight) is keyed by it, so a file that has them is ambiguous.
bool checkUniqueNames(const KerasModel &model, Diagnostics &diag) {
  std::map<std::string, const Layer *> seen;
  bool ok = true;
  for (const Layer &l : model.layers) {
    auto [it, fresh] = seen.emplace(l.name, &l);
    if (!fresh) {
      diag.error(l.where("name"), "the layer name '" + l.name + "' is also used by the layer at " +
                                      it->second->jsonPath + "; Keras requires unique layer names");
      ok = false;
    }
  }
  return ok;
}

} // namespace

std::optional<KerasModel> parseKerasModel(const std::string &text, const std::string &name,
                                          Diagnostics &diag) {
  KerasModel model;
  model.file = name;
  Reader reader(model, diag);
  if (!reader.read(text) || diag.failed() || !checkUniqueNames(model, diag))
    return std::nullopt;
  return model;
}

/// The JSON attributes of a full-model .h5 (model_config, training_config,
/// keras_version), as the JSON object the reader takes for them.
static std::optional<std::string> hdf5ModelAttributes(const std::string &path, Diagnostics &diag) {
  support::quietHdf5();
  hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) {
    diag.error("", "an HDF5 file that HDF5 cannot open (damaged?)");
    return std::nullopt;
  }
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> w(text);
  w.StartObject();
  bool model = false;
  for (const char *key : {"model_config", "training_config", "keras_version", "backend"}) {
    auto value = support::readStringsAttribute(file, key);
    if (!value || value->size() != 1)
      continue;
    model |= std::string(key) == "model_config";
    w.Key(key);
    w.String(value->front().c_str(), static_cast<rapidjson::SizeType>(value->front().size()));
  }
  w.EndObject();
  H5Fclose(file);
  if (!model) {
    diag.error("", "an HDF5 file without a model_config attribute: a weights file, not a model "
                   "(give krun --init-weights this file, and kcc the model's JSON)");
    return std::nullopt;
  }
  return std::string(text.GetString(), text.GetSize());
}

std::optional<KerasModel> loadKerasModel(const std::string &path, Diagnostics &diag) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diag.error("", "is a directory; expected a Keras model JSON file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.error("", "cannot open the model file (does it exist and is it readable?)");
    return std::nullopt;
  }
  // Stop one chunk past the limit: /dev/zero or a huge file ends here.
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= kMaxModelFileBytes && in.read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<size_t>(in.gcount()));
  if (in.bad()) {
    diag.error("", "cannot read the model file");
    return std::nullopt;
  }
  if (text.size() > kMaxModelFileBytes) {
    diag.error("", "is larger than " + std::to_string(kMaxModelFileBytes >> 20) +
                       " MiB; a Keras model JSON is a few hundred KiB (is this the right file?)");
    return std::nullopt;
  }
  if (support::looksLikeZip(text)) { // a .keras archive: its config.json
    std::string error;
    std::optional<std::string> config = support::readZipMember(path, "config.json", error);
    if (!config) {
      diag.error("", "a .keras archive, but " + error);
      return std::nullopt;
    }
    return parseKerasModel(*config, path, diag);
  }
  if (support::looksLikeHdf5(text)) { // a Keras 2 / tf.keras full-model .h5
    std::optional<std::string> json = hdf5ModelAttributes(path, diag);
    return json ? parseKerasModel(*json, path, diag) : std::nullopt;
  }
  return parseKerasModel(text, path, diag);
}

} // namespace kcc::frontend
