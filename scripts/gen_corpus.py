#!/usr/bin/env python3
"""Write test/corpus/keras3/*.json: real Keras 3 models as users build them,
written by Keras itself (`model.to_json()` after `compile`), for the corpus
test (test/corpus/check_corpus.py). keras.applications models are built with
weights=None at small input sizes (nothing is downloaded); the others follow
well-known Keras examples.

Run inside the test venv (scripts/python-env.sh):
    .venv/bin/python scripts/gen_corpus.py [OUTDIR]
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
from keras import layers  # noqa: E402


def compiled(model, loss="categorical_crossentropy", optimizer="adam"):
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def application(name, shape, **kwargs):
    def build():
        return compiled(getattr(keras.applications, name)(weights=None, input_shape=shape, classes=10, **kwargs))
    return build


def resnet20_v1():
    """keras-team examples cifar10_resnet.py, v1, depth 20."""
    def conv_bn(x, filters, strides=1, activation=True):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", kernel_initializer="he_normal",
                          kernel_regularizer=keras.regularizers.l2(1e-4))(x)
        x = layers.BatchNormalization()(x)
        return layers.Activation("relu")(x) if activation else x

    inputs = keras.Input(shape=(32, 32, 3))
    x = conv_bn(inputs, 16)
    filters = 16
    for stack in range(3):
        for block in range(3):
            strides = 2 if stack > 0 and block == 0 else 1
            y = conv_bn(x, filters, strides)
            y = conv_bn(y, filters, activation=False)
            if stack > 0 and block == 0:
                x = layers.Conv2D(filters, 1, strides=strides, padding="same", kernel_initializer="he_normal",
                                  kernel_regularizer=keras.regularizers.l2(1e-4))(x)
            x = layers.Activation("relu")(layers.Add()([x, y]))
        filters *= 2
    x = layers.AveragePooling2D(pool_size=8)(x)
    outputs = layers.Dense(10, activation="softmax", kernel_initializer="he_normal")(layers.Flatten()(x))
    return compiled(keras.Model(inputs, outputs), optimizer=keras.optimizers.Adam(1e-3))


def imdb_cnn():
    """keras-team examples imdb_cnn.py."""
    model = keras.Sequential([
        keras.Input(shape=(400,), dtype="int32"), layers.Embedding(5000, 50), layers.Dropout(0.2),
        layers.Conv1D(250, 3, padding="valid", activation="relu", strides=1), layers.GlobalMaxPooling1D(),
        layers.Dense(250), layers.Dropout(0.2), layers.Activation("relu"), layers.Dense(1),
        layers.Activation("sigmoid")])
    return compiled(model, loss="binary_crossentropy")


def imdb_bidirectional_lstm():
    model = keras.Sequential([
        keras.Input(shape=(100,), dtype="int32"), layers.Embedding(20000, 128),
        layers.Bidirectional(layers.LSTM(64)), layers.Dropout(0.5), layers.Dense(1, activation="sigmoid")])
    return compiled(model, loss="binary_crossentropy")


def imdb_cnn_lstm():
    model = keras.Sequential([
        keras.Input(shape=(100,), dtype="int32"), layers.Embedding(20000, 128), layers.Dropout(0.25),
        layers.Conv1D(64, 5, activation="relu"), layers.MaxPooling1D(4), layers.LSTM(70),
        layers.Dense(1, activation="sigmoid")])
    return compiled(model, loss="binary_crossentropy")


def conv1d_gru_tagger():
    model = keras.Sequential([
        keras.Input(shape=(50,), dtype="int32"), layers.Embedding(1000, 32),
        layers.Conv1D(32, 3, padding="same", activation="relu"), layers.GRU(32, return_sequences=True),
        layers.TimeDistributed(layers.Dense(8, activation="softmax"))])
    return compiled(model)


def transformer_classifier():
    inputs = keras.Input(shape=(64,), dtype="int32")
    x = layers.Embedding(2000, 32)(inputs)
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=32)(x, x)
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, attention]))
    ff = layers.Dense(32)(layers.Dense(64, activation="relu")(x))
    x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, ff]))
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2, activation="softmax")(layers.Dropout(0.1)(x))
    return compiled(keras.Model(inputs, outputs))


def conv_autoencoder():
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, activation="relu", padding="same")(x)
    x = layers.UpSampling2D(2)(x)
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return compiled(keras.Model(inputs, outputs), loss="binary_crossentropy")


def mnist_cnn_batchnorm():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3, use_bias=False), layers.BatchNormalization(),
        layers.ReLU(), layers.MaxPooling2D(), layers.Conv2D(64, 3, use_bias=False), layers.BatchNormalization(),
        layers.ReLU(), layers.GlobalAveragePooling2D(), layers.Dropout(0.3), layers.Dense(10, activation="softmax")])
    return compiled(model)


def mlp_regression():
    model = keras.Sequential([
        keras.Input(shape=(13,)), layers.Dense(64, activation="relu", kernel_regularizer="l2"),
        layers.Dense(64, activation="relu"), layers.Dense(1)])
    return compiled(model, loss="mse", optimizer="rmsprop")


MODELS = {
    "resnet20_v1_cifar10": resnet20_v1,
    "imdb_cnn": imdb_cnn,
    "imdb_bidirectional_lstm": imdb_bidirectional_lstm,
    "imdb_cnn_lstm": imdb_cnn_lstm,
    "conv1d_gru_tagger": conv1d_gru_tagger,
    "transformer_classifier": transformer_classifier,
    "conv_autoencoder": conv_autoencoder,
    "mnist_cnn_batchnorm": mnist_cnn_batchnorm,
    "mlp_regression": mlp_regression,
    "mobilenet_v2": application("MobileNetV2", (32, 32, 3)),
    "resnet50": application("ResNet50", (32, 32, 3)),
    "densenet121": application("DenseNet121", (32, 32, 3)),
    "efficientnet_b0": application("EfficientNetB0", (32, 32, 3)),
    "vgg16": application("VGG16", (32, 32, 3)),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "test", "corpus",
                                                             "keras3")
    os.makedirs(out, exist_ok=True)
    for name, build in MODELS.items():
        doc = json.loads(build().to_json())
        doc["kcc"] = {"batch_size": 8}
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(doc, f, indent=None, separators=(",", ":"))
            f.write("\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
