#!/usr/bin/env python3
"""Write models/*.json: the five reference models of the Keras 2.0.8 examples,
in the form Keras 2.0.8 `model.to_json()` writes them, plus a Keras HDF5-style
"training_config" and our own "kcc" run settings (see models/README.md).

Pure Python, no Keras needed:  python3 scripts/gen_keras2_models.py [OUTDIR]
Layer names follow Keras 2.0.8 auto-naming (per-class counters from 1, in the
order the example script creates the layers).  The script checks the parameter
count of every model with a small shape walk over the generated JSON.
"""
import json
import os
import sys

KERAS_VERSION = "2.0.8"

# ---------------------------------------------------------------- initializers
GLOROT = {"class_name": "VarianceScaling",
          "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}}
ZEROS = {"class_name": "Zeros", "config": {}}
ORTHOGONAL = {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}}
UNIFORM = {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}}


def base(name, input_shape=None, dtype="float32"):
    """Layer.get_config(): name, trainable, and batch_input_shape/dtype when given."""
    cfg = {"name": name, "trainable": True}
    if input_shape is not None:
        cfg["batch_input_shape"] = [None] + list(input_shape)
        cfg["dtype"] = dtype
    return cfg


def layer(class_name, cfg):
    return {"class_name": class_name, "config": cfg}


def dense(name, units, activation="linear", input_shape=None):
    return layer("Dense", dict(base(name, input_shape), **{
        "units": units, "activation": activation, "use_bias": True,
        "kernel_initializer": GLOROT, "bias_initializer": ZEROS,
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}))


def conv2d(name, filters, padding="valid", activation="linear", input_shape=None):
    # _Conv.get_config() minus "rank" (Conv2D pops it)
    return layer("Conv2D", dict(base(name, input_shape), **{
        "filters": filters, "kernel_size": [3, 3], "strides": [1, 1], "padding": padding,
        "data_format": "channels_last", "dilation_rate": [1, 1], "activation": activation,
        "use_bias": True, "kernel_initializer": GLOROT, "bias_initializer": ZEROS,
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}))


def maxpool(name):
    return layer("MaxPooling2D", dict(base(name), **{
        "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}))


def dropout(name, rate):
    return layer("Dropout", dict(base(name), rate=rate))  # 2.0.8 writes only "rate"


def activation(name, fn):
    return layer("Activation", dict(base(name), activation=fn))


def flatten(name):
    return layer("Flatten", base(name))


def lstm(name, units):
    cfg = base(name)
    cfg.update({  # Recurrent.get_config()
        "return_sequences": False, "return_state": False, "go_backwards": False,
        "stateful": False, "unroll": False, "implementation": 0})
    cfg.update({  # LSTM.get_config()
        "units": units, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
        "use_bias": True, "kernel_initializer": GLOROT, "recurrent_initializer": ORTHOGONAL,
        "bias_initializer": ZEROS, "unit_forget_bias": True,
        "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
        "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0})
    return layer("LSTM", cfg)


def time_distributed(name, inner):
    return layer("TimeDistributed", dict(base(name), layer=inner))


def embedding(name, input_dim, output_dim):
    # Embedding.__init__ sets input_shape=(None,) when input_length is None, so
    # Keras 2 writes batch_input_shape [null, null] and dtype float32 for it.
    return layer("Embedding", dict(base(name, input_shape=[None]), **{
        "input_dim": input_dim, "output_dim": output_dim,
        "embeddings_initializer": UNIFORM, "embeddings_regularizer": None,
        "activity_regularizer": None, "embeddings_constraint": None,
        "mask_zero": False, "input_length": None}))


def repeat_vector(name, n):
    return layer("RepeatVector", dict(base(name), n=n))


def add(name):
    return layer("Add", base(name))


def input_layer(name, shape, dtype="float32"):
    return layer("InputLayer", {"batch_input_shape": [None] + list(shape), "dtype": dtype,
                                "sparse": False, "name": name})


def node(entry, *inbound):
    """Functional-model layer entry: name + class_name + config + inbound_nodes."""
    return {"name": entry["config"]["name"], "class_name": entry["class_name"],
            "config": entry["config"],
            "inbound_nodes": [[[src, 0, 0, {}] for src in inbound]] if inbound else []}


def sequential(layers):
    return {"class_name": "Sequential", "config": layers}


def functional(layers, inputs, outputs):
    return {"class_name": "Model", "config": {
        "name": "model_1", "layers": layers,
        "input_layers": [[n, 0, 0] for n in inputs],
        "output_layers": [[n, 0, 0] for n in outputs]}}


# ------------------------------------------------------------------ optimizers
def rmsprop(lr=0.001, decay=0.0):
    return {"class_name": "RMSprop", "config": {"lr": lr, "rho": 0.9, "epsilon": 1e-08, "decay": decay}}


def adadelta():
    return {"class_name": "Adadelta", "config": {"lr": 1.0, "rho": 0.95, "epsilon": 1e-08, "decay": 0.0}}


def adam():
    return {"class_name": "Adam", "config": {"lr": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                                             "epsilon": 1e-08, "decay": 0.0}}


def training_config(optimizer):
    return {"optimizer_config": optimizer, "loss": "categorical_crossentropy",
            "metrics": ["accuracy"], "sample_weight_mode": None, "loss_weights": None}


MNIST_RUN = {"batch_size": 128, "epochs": 20, "dataset": {"name": "mnist"},
             "validation": "test", "shuffle": True}


# ---------------------------------------------------------------------- models
def mnist_mlp():
    m = sequential([
        dense("dense_1", 512, "relu", input_shape=[784]),
        dropout("dropout_1", 0.2),
        dense("dense_2", 512, "relu"),
        dropout("dropout_2", 0.2),
        dense("dense_3", 10, "softmax")])
    return m, training_config(rmsprop()), dict(MNIST_RUN)


def mnist_cnn():
    m = sequential([
        conv2d("conv2d_1", 32, activation="relu", input_shape=[28, 28, 1]),
        conv2d("conv2d_2", 64, activation="relu"),
        maxpool("max_pooling2d_1"),
        dropout("dropout_1", 0.25),
        flatten("flatten_1"),
        dense("dense_1", 128, "relu"),
        dropout("dropout_2", 0.5),
        dense("dense_2", 10, "softmax")])
    return m, training_config(adadelta()), dict(MNIST_RUN, epochs=12)


def cifar10_cnn():
    m = sequential([
        conv2d("conv2d_1", 32, padding="same", input_shape=[32, 32, 3]),
        activation("activation_1", "relu"),
        conv2d("conv2d_2", 32),
        activation("activation_2", "relu"),
        maxpool("max_pooling2d_1"),
        dropout("dropout_1", 0.25),
        conv2d("conv2d_3", 64, padding="same"),
        activation("activation_3", "relu"),
        conv2d("conv2d_4", 64),
        activation("activation_4", "relu"),
        maxpool("max_pooling2d_2"),
        dropout("dropout_2", 0.25),
        flatten("flatten_1"),
        dense("dense_1", 512),
        activation("activation_5", "relu"),
        dropout("dropout_3", 0.5),
        dense("dense_2", 10),
        activation("activation_6", "softmax")])
    run = {"batch_size": 32, "epochs": 50, "dataset": {"name": "cifar10"},
           "validation": "test", "shuffle": True, "steps_per_epoch": 1562,
           "augmentation": {"width_shift_range": 0.1, "height_shift_range": 0.1,
                            "horizontal_flip": True, "fill_mode": "nearest"}}
    return m, training_config(rmsprop(lr=0.0001, decay=1e-06)), run


def mnist_hierarchical_rnn():
    # Creation order: input_1, LSTM (lstm_1) then its TimeDistributed wrapper,
    # LSTM (lstm_2), Dense (dense_1).
    m = functional([
        node(input_layer("input_1", [28, 28, 1])),
        node(time_distributed("time_distributed_1", lstm("lstm_1", 128)), "input_1"),
        node(lstm("lstm_2", 128), "time_distributed_1"),
        node(dense("dense_1", 10, "softmax"), "lstm_2")],
        inputs=["input_1"], outputs=["dense_1"])
    return m, training_config(rmsprop()), dict(MNIST_RUN, batch_size=32, epochs=5)


def babi_rnn():
    # Layer order is Keras 2.0.8 Container order: by decreasing depth from the
    # output, ties broken by the order of the depth-first walk from the output
    # (dense_1, dropout_3, lstm_2, add_1, dropout_1, embedding_1, input_1,
    # repeat_vector_1, lstm_1, dropout_2, embedding_2, input_2).
    m = functional([
        node(input_layer("input_2", [5], "int32")),                      # depth 8
        node(embedding("embedding_2", 36, 50), "input_2"),                # 7
        node(input_layer("input_1", [552], "int32")),                    # 6
        node(dropout("dropout_2", 0.3), "embedding_2"),                   # 6
        node(embedding("embedding_1", 36, 50), "input_1"),                # 5
        node(lstm("lstm_1", 50), "dropout_2"),                            # 5
        node(dropout("dropout_1", 0.3), "embedding_1"),                   # 4
        node(repeat_vector("repeat_vector_1", 552), "lstm_1"),            # 4
        node(add("add_1"), "dropout_1", "repeat_vector_1"),               # 3
        node(lstm("lstm_2", 50), "add_1"),                                # 2
        node(dropout("dropout_3", 0.3), "lstm_2"),                        # 1
        node(dense("dense_1", 36, "softmax"), "dropout_3")],              # 0
        inputs=["input_1", "input_2"], outputs=["dense_1"])
    run = {"batch_size": 32, "epochs": 40,
           "dataset": {"name": "babi", "task": "qa2", "set": "en"},
           "validation": "split", "validation_split": 0.05, "shuffle": True}
    return m, training_config(adam()), run


MODELS = {"mnist_mlp": (mnist_mlp, 669706), "mnist_cnn": (mnist_cnn, 1199882),
          "cifar10_cnn": (cifar10_cnn, 1250858),
          "mnist_hierarchical_rnn": (mnist_hierarchical_rnn, 199434),
          "babi_rnn": (babi_rnn, 45836)}


# ------------------------------------------- independent parameter-count check
def layer_params(cls, cfg, shapes):
    """(params, output shape without batch) of one layer given its input shapes."""
    s = shapes[0]
    if cls == "Dense":
        return s[-1] * cfg["units"] + cfg["units"], s[:-1] + [cfg["units"]]
    if cls == "Conv2D":
        kh, kw = cfg["kernel_size"]
        h, w, c = s
        if cfg["padding"] == "valid":
            h, w = h - kh + 1, w - kw + 1
        return kh * kw * c * cfg["filters"] + cfg["filters"], [h, w, cfg["filters"]]
    if cls == "MaxPooling2D":
        return 0, [s[0] // 2, s[1] // 2, s[2]]
    if cls == "Flatten":
        n = 1
        for d in s:
            n *= d
        return 0, [n]
    if cls in ("Dropout", "Activation"):
        return 0, s
    if cls == "LSTM":
        u = cfg["units"]
        return 4 * (s[-1] * u + u * u + u), [u]
    if cls == "TimeDistributed":
        p, out = layer_params(cfg["layer"]["class_name"], cfg["layer"]["config"], [s[1:]])
        return p, [s[0]] + out
    if cls == "Embedding":
        return cfg["input_dim"] * cfg["output_dim"], s + [cfg["output_dim"]]
    if cls == "RepeatVector":
        return 0, [cfg["n"]] + s
    if cls == "Add":
        assert all(x == s for x in shapes), shapes
        return 0, s
    raise ValueError("unknown layer " + cls)


def count_params(model):
    total = 0
    if model["class_name"] == "Sequential":
        shape = model["config"][0]["config"]["batch_input_shape"][1:]
        for entry in model["config"]:
            p, shape = layer_params(entry["class_name"], entry["config"], [shape])
            total += p
        return total
    shapes, pending = {}, list(model["config"]["layers"])
    while pending:  # resolve in dependency order, whatever the listing order
        entry = pending.pop(0)
        srcs = [ref[0] for call in entry["inbound_nodes"] for ref in call]
        if entry["class_name"] == "InputLayer":
            shapes[entry["name"]] = entry["config"]["batch_input_shape"][1:]
        elif all(s in shapes for s in srcs):
            p, shapes[entry["name"]] = layer_params(entry["class_name"], entry["config"],
                                                    [shapes[s] for s in srcs])
            total += p
        else:
            pending.append(entry)
    return total


def build(name):
    fn, expected = MODELS[name]
    model, tcfg, run = fn()
    doc = {"class_name": model["class_name"], "config": model["config"],
           "keras_version": KERAS_VERSION, "backend": "tensorflow",
           "training_config": tcfg, "kcc": run}
    got = count_params(doc)
    assert got == expected, "%s: %d params, expected %d" % (name, got, expected)
    return doc, got


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "models")
    os.makedirs(out, exist_ok=True)
    for name in MODELS:
        doc, n = build(name)
        path = os.path.join(out, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("%-24s %9d params  -> %s" % (name, n, os.path.normpath(path)))


if __name__ == "__main__":
    main()
