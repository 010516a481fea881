"""Conformance cases: small Keras 3 models, one per layer/optimizer/loss feature,
plus the five reference models of models/keras3/ with their own Dropout rates.

Each case is a Case(build, batch, steps, sparse, x_scale); build() returns a
compiled Keras 3 model.  Import only after KERAS_BACKEND is set (the harness
does that).  Dropout layers are KccDropout: Keras's Dropout with kcc's masks
(philox.py) instead of its own random ones, so a step is deterministic and
comparable; the model file kcc reads says plain "Dropout".
"""
import json
import os
from dataclasses import dataclass
from typing import Callable

import keras
from keras import layers, optimizers

import philox

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KERAS3_MODELS = os.path.join(REPO, "models", "keras3")


@dataclass
class Case:
    build: Callable[[], keras.Model]
    batch: int = 8          # compiled batch size ("kcc": {"batch_size": ...})
    steps: int = 1          # training steps on the same batch (>1 exercises optimizer state)
    sparse: bool = False    # labels: int32 class ids (sparse CE) instead of one-hot
    targets: str = "onehot" # float targets: "onehot", "binary" (each element 0/1), "real" (uniform [0, 1)),
                            # "positive" (uniform [0.5, 1.5))
    x_scale: float = 1.0    # float inputs are uniform in [-x_scale, x_scale)


class KccDropout(layers.Dropout):
    """Dropout that multiplies by the mask kcc draws for (seed, step, stream).

    set_mask() is called before every forward pass; the model then has to run
    eagerly (compiled() sees to it), or a traced step would keep the first mask."""

    def set_mask(self, batch, seed, step, stream):
        shape = (batch,) + tuple(self.input.shape[1:])
        self.kcc_mask = philox.dropout_scale(shape, self.rate, seed, step, stream)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        return inputs * keras.ops.convert_to_tensor(self.kcc_mask.astype(inputs.dtype))


def dropout_layers(model):
    """The KccDropout layers with kcc's stream number: 1, 2, ... over every
    Dropout in the model file's layer order (rate 0 included, as kcc counts)."""
    names = [entry["config"]["name"] for entry in json.loads(model.to_json())["config"]["layers"]
             if entry["class_name"] in ("KccDropout", "Dropout")]
    by_name = {layer.name: layer for layer in model.layers}
    return [(by_name[n], stream) for stream, n in enumerate(names, 1)]


def compiled(model, optimizer, sparse=False, loss=None):
    loss = loss or ("sparse_categorical_crossentropy" if sparse else "categorical_crossentropy")
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"],
                  run_eagerly=any(layer.rate > 0 for layer, _ in dropout_layers(model)))
    return model


def seq(input_shape, *stack):
    return keras.Sequential([keras.Input(shape=input_shape)] + list(stack))


# ----------------------------------------------------------------- dense / activations
def dense_activations():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(16, activation="tanh"),
            layers.Dense(12, activation="sigmoid"), layers.Dense(12, activation="linear"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def dense_sgd_momentum():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.05, momentum=0.9))


def dense_sgd_nesterov():
    m = seq((10,), layers.Dense(16, activation="tanh"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True))


def dense_sparse_adam():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(7, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01), sparse=True)


def activation_layers_rmsprop():
    m = seq((10,), layers.Dense(16), layers.Activation("relu"), layers.Dense(12),
            layers.Activation("tanh"), layers.Dense(5), layers.Activation("softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01))


def dense_frozen_layer():
    """trainable=False: Keras leaves the layer's weights alone; Adam keeps no slots."""
    m = seq((10,), layers.Dense(16, activation="relu", trainable=False), layers.Dense(12, activation="tanh"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01))


def dense_binary_crossentropy():
    """Multi-label sigmoid outputs; "accuracy" is categorical here (Keras 3 picks by shape)."""
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(4, activation="sigmoid"))
    return compiled(m, optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")


def dense_one_unit_bce():
    m = seq((10,), layers.Dense(8, activation="tanh"), layers.Dense(1, activation="sigmoid"))
    return compiled(m, optimizers.SGD(learning_rate=0.1), loss="bce")


def dense_mse_rmsprop():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(3))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01), loss="mse")


def dense_mae_sgd():
    m = seq((10,), layers.Dense(16, activation="tanh"), layers.Dense(3))
    return compiled(m, optimizers.SGD(learning_rate=0.1, momentum=0.9), loss="mean_absolute_error")


def dense_hinge():
    """0/1 targets, which Keras turns into -1/1 for the hinge losses."""
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(3, activation="tanh"))
    return compiled(m, optimizers.SGD(learning_rate=0.1), loss="hinge")


def dense_squared_hinge():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(3, activation="tanh"))
    return compiled(m, optimizers.SGD(learning_rate=0.1, momentum=0.9), loss=keras.losses.SquaredHinge())


def dense_poisson():
    m = seq((10,), layers.Dense(16, activation="tanh"), layers.Dense(3, activation="softplus"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01), loss="poisson")


def dense_log_cosh():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(3))
    return compiled(m, optimizers.SGD(learning_rate=0.1), loss="log_cosh")


def dense_huber():
    """Errors on both sides of delta = 1 (inputs up to 3 in size)."""
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(3))
    return compiled(m, optimizers.SGD(learning_rate=0.05), loss=keras.losses.Huber())


def dense_kl_divergence():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01), loss="kld")


def dense_msle():
    m = seq((10,), layers.Dense(16, activation="tanh"), layers.Dense(3, activation="softplus"))
    return compiled(m, optimizers.SGD(learning_rate=0.5), loss="msle")


def dense_mape():
    m = seq((10,), layers.Dense(16, activation="tanh"), layers.Dense(3))
    return compiled(m, optimizers.SGD(learning_rate=0.001), loss="mape")


def lstm_sequence_mse():
    """A loss over a sequence output: the mean over time steps and units."""
    m = seq((5, 3), layers.LSTM(4, return_sequences=True), layers.TimeDistributed(layers.Dense(2)))
    return compiled(m, optimizers.Adam(learning_rate=0.01), loss="mse")


# ----------------------------------------------------------------- normalization
def dense_batchnorm():
    m = seq((10,), layers.Dense(16), layers.BatchNormalization(), layers.Activation("relu"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def frozen_batchnorm():
    """A frozen base with BatchNormalization (transfer learning in Keras 3): it
    runs in inference mode on its moving statistics (the harness draws them),
    which stay put."""
    base = seq((6, 6, 2), layers.Conv2D(4, (3, 3), use_bias=False), layers.BatchNormalization(),
               layers.Activation("relu"))
    base.trainable = False
    x = keras.Input((6, 6, 2))
    h = layers.BatchNormalization()(base(x))  # a trainable one after the frozen base
    m = keras.Model(x, layers.Dense(3, activation="softmax")(layers.Flatten()(h)))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def conv_batchnorm_adam():
    """No conv bias, as ResNets have it: before a BatchNormalization its exact
    gradient is zero, and Adam would blow float noise in it up to lr-sized steps."""
    m = seq((6, 6, 3), layers.Conv2D(4, (3, 3), use_bias=False), layers.BatchNormalization(momentum=0.9),
            layers.Activation("relu"), layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01))


def conv_batchnorm_channels_first():
    m = seq((3, 6, 6), layers.Conv2D(4, (3, 3), data_format="channels_first"),
            layers.BatchNormalization(axis=1, epsilon=1e-2, center=False),
            layers.Activation("tanh"), layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1, momentum=0.9))


def batchnorm_no_scale_rmsprop():
    m = seq((10,), layers.BatchNormalization(scale=False, momentum=0.5), layers.Dense(8, activation="tanh"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01))


# ---------------------------------------------------------- 1D and global pooling
def conv1d_maxpool1d_global_max():
    m = seq((12, 3), layers.Conv1D(4, 3, activation="relu"), layers.MaxPooling1D(2),
            layers.Conv1D(5, 2, padding="same", dilation_rate=1, activation="tanh"), layers.GlobalMaxPooling1D(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01))


def conv1d_strided_global_average():
    m = seq((11, 2), layers.Conv1D(4, 3, strides=2, activation="relu"), layers.GlobalAveragePooling1D(),
            layers.Dense(3, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def conv1d_causal_dilated():
    """Causal Conv1D (a TCN's block): zeros before the first step, dilated."""
    m = seq((10, 3), layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"),
            layers.Conv1D(5, 2, padding="causal", activation="tanh"), layers.Flatten(),
            layers.Dense(3, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def separable_conv2d():
    """SeparableConv2D: depthwise (multiplier, strides, same) then pointwise, with its regularizer."""
    reg = keras.regularizers
    m = seq((8, 8, 3), layers.SeparableConv2D(6, 3, depth_multiplier=2, padding="same", activation="relu",
                                              pointwise_regularizer=reg.L2(0.01)),
            layers.SeparableConv2D(4, (3, 2), strides=2, activation="tanh"), layers.Flatten(),
            layers.Dense(3, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def conv2d_global_average():
    m = seq((6, 6, 2), layers.Conv2D(4, (3, 3), activation="relu"), layers.GlobalAveragePooling2D(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1, momentum=0.9))


def resnet_block_average_pooling():
    """A ResNet v1 block (Conv+BN+ReLU, Add) ending in AveragePooling2D over the whole map."""
    inputs = keras.Input(shape=(6, 6, 3))
    # No conv biases: before a BatchNormalization their exact gradient is
    # zero, and the comparison of float noise would be meaningless.
    conv = lambda x: layers.Conv2D(4, 3, padding="same", use_bias=False)(x)  # noqa: E731
    x = layers.Activation("relu")(layers.BatchNormalization()(conv(inputs)))
    y = layers.BatchNormalization()(conv(x))
    x = layers.Activation("relu")(layers.Add()([x, y]))
    x = layers.Flatten()(layers.AveragePooling2D(pool_size=6)(x))
    outputs = layers.Dense(5, activation="softmax")(x)
    return compiled(keras.Model(inputs, outputs), optimizers.SGD(learning_rate=0.1))


def zero_padding():
    m = seq((5, 5, 2), layers.ZeroPadding2D(((1, 2), (0, 1))), layers.Conv2D(3, 3, activation="relu"),
            layers.ZeroPadding2D(1), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def zero_padding_1d():
    m = seq((7, 3), layers.ZeroPadding1D((2, 1)), layers.Conv1D(4, 3, activation="tanh"), layers.GlobalMaxPooling1D(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01))


def zero_padding_channels_first():
    m = seq((2, 5, 5), layers.ZeroPadding2D(1, data_format="channels_first"),
            layers.Conv2D(3, 3, activation="relu", data_format="channels_first"), layers.Flatten(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def conv_transpose_upsampling():
    m = seq((6, 6, 2), layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
            layers.UpSampling2D((2, 1)), layers.Conv2DTranspose(2, (3, 2), padding="valid"),
            layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01))


def conv_transpose_valid_strided_channels_first():
    m = seq((2, 4, 3), layers.Conv2DTranspose(3, 3, strides=2, activation="tanh", data_format="channels_first"),
            layers.UpSampling2D(2, data_format="channels_first"), layers.GlobalAveragePooling2D(data_format="channels_first"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def upsampling_1d():
    m = seq((5, 3), layers.Conv1D(4, 2, activation="relu"), layers.UpSampling1D(3), layers.Conv1D(3, 3),
            layers.GlobalMaxPooling1D(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01))


def average_pooling_tiles():
    m = seq((7, 6, 2), layers.Conv2D(3, 2, activation="relu"), layers.AveragePooling2D(2),
            layers.Conv2D(4, 1, activation="tanh"), layers.AveragePooling2D((1, 2), padding="same"),
            layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01))


def average_pooling_1d_cropping():
    m = seq((9, 3), layers.Cropping1D((1, 2)), layers.Conv1D(4, 2, activation="relu"), layers.AveragePooling1D(2),
            layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def cropping_2d_channels_first():
    m = seq((2, 7, 6), layers.Cropping2D(((1, 2), (0, 1)), data_format="channels_first"),
            layers.Conv2D(3, 2, activation="relu", data_format="channels_first"),
            layers.AveragePooling2D(2, data_format="channels_first"), layers.Cropping2D(((0, 0), (1, 0)), data_format="channels_first"),
            layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01))


# ------------------------------------------------------------ losses on logits
def dense_logits_categorical():
    m = seq((6,), layers.Dense(8, activation="tanh"), layers.Dense(5))
    return compiled(m, optimizers.Adam(learning_rate=0.01), loss=keras.losses.CategoricalCrossentropy(from_logits=True))


def dense_logits_sparse():
    m = seq((6,), layers.Dense(8, activation="relu"), layers.Dense(5))
    return compiled(m, optimizers.SGD(learning_rate=0.1), sparse=True,
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


def dense_logits_binary():
    m = seq((6,), layers.Dense(8, activation="relu"), layers.Dense(3))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01), loss=keras.losses.BinaryCrossentropy(from_logits=True))


def depthwise_separable_block():
    """MobileNet's block: DepthwiseConv2D (same, then strided valid with a
    depth multiplier and bias), BatchNorm, ReLU6, pointwise Conv2D."""
    m = seq((9, 9, 3), layers.DepthwiseConv2D(3, padding="same", use_bias=False), layers.BatchNormalization(),
            layers.ReLU(6.0), layers.Conv2D(4, 1), layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2),
            layers.ReLU(), layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01, epsilon=1e-8))


def depthwise_dilated_strided_same():
    """Strided same padding (the smaller half first) and a dilated kernel."""
    m = seq((8, 7, 2), layers.DepthwiseConv2D(3, strides=2, padding="same", activation="tanh"),
            layers.DepthwiseConv2D(3, dilation_rate=2, padding="same", depth_multiplier=3), layers.Flatten(),
            layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1, momentum=0.5))


def rescaling_label_smoothing():
    """Rescaling (scale and offset) at the input; categorical crossentropy
    with label smoothing (accuracy reads the targets as they are)."""
    m = seq((8,), layers.Rescaling(0.25, offset=-0.5), layers.Dense(10, activation="relu"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1),
                    loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.2))


def binary_label_smoothing_logits():
    """Binary crossentropy from logits with label smoothing."""
    m = seq((6,), layers.Dense(8, activation="tanh"), layers.Dense(3))
    return compiled(m, optimizers.Adam(learning_rate=0.01, epsilon=1e-8),
                    loss=keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1))


def conv2d_global_max_channels_first():
    m = seq((2, 6, 6), layers.Conv2D(4, (3, 3), activation="tanh", data_format="channels_first"),
            layers.GlobalMaxPooling2D(data_format="channels_first"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01))


# ------------------------------------------------- merges and activation layers
def merges_two_inputs():
    a, b = keras.Input(shape=(6,)), keras.Input(shape=(6,))
    da, db = layers.Dense(5, activation="tanh")(a), layers.Dense(5, activation="sigmoid")(b)
    merged = layers.Concatenate()([layers.Multiply()([da, db]), layers.Subtract()([da, db]),
                                   layers.Average()([da, db])])
    out = layers.Dense(4, activation="softmax")(merged)
    return compiled(keras.Model([a, b], out), optimizers.Adam(learning_rate=0.01))


def maximum_minimum():
    """Maximum and Minimum merges of three inputs: the gradient goes to the winner."""
    a, b, c = keras.Input(shape=(6,)), keras.Input(shape=(6,)), keras.Input(shape=(6,))
    da, db, dc = (layers.Dense(5, activation=f)(x) for f, x in (("tanh", a), ("sigmoid", b), ("linear", c)))
    merged = layers.Concatenate()([layers.Maximum()([da, db, dc]), layers.Minimum()([da, db, dc])])
    out = layers.Dense(4, activation="softmax")(merged)
    return compiled(keras.Model([a, b, c], out), optimizers.SGD(learning_rate=0.2))


def dot_recommender():
    """Dot of two embeddings (a recommender's user . item score), axes=-1, then a sigmoid."""
    u, i = keras.Input(shape=(1,), dtype="int32"), keras.Input(shape=(1,), dtype="int32")
    eu = layers.Flatten()(layers.Embedding(7, 4)(u))
    ei = layers.Flatten()(layers.Embedding(9, 4)(i))
    score = layers.Dot(axes=-1)([eu, ei])
    out = layers.Dense(1, activation="sigmoid")(score)
    return compiled(keras.Model([u, i], out), optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")


def activation_layers():
    m = seq((8,), layers.Dense(10), layers.ReLU(), layers.Dense(10), layers.ELU(), layers.Dense(5),
            layers.Softmax())
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def relu_variants():
    """Keras's relu with a cap, a leak and a threshold: the ReLU and LeakyReLU
    layers and the relu6 and leaky_relu activations (low caps so some units
    saturate)."""
    m = seq((8,), layers.Dense(10), layers.ReLU(max_value=0.5), layers.Dense(10),
            layers.LeakyReLU(negative_slope=0.2), layers.Dense(10),
            layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.3), layers.Dense(8, activation="relu6"),
            layers.Dense(8, activation="leaky_relu"), layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def nested_models():
    """A frozen functional base and a Sequential head used as layers of a
    functional model (transfer learning's shape): the base's weights stay."""
    base_in = keras.Input((8,))
    base = keras.Model(base_in, layers.Dense(10, activation="relu")(base_in), name="base")
    base.trainable = False
    head = keras.Sequential([keras.Input((10,)), layers.Dense(8, activation="tanh"), layers.Dense(6, activation="relu")],
                            name="head")
    x = keras.Input((8,))
    y = layers.Dense(4, activation="softmax")(head(base(x)))
    return compiled(keras.Model(x, y), optimizers.SGD(learning_rate=0.1, momentum=0.5))


def gated_activations():
    """swish/silu, hard_silu, mish and gelu (exact, erf) activations."""
    m = seq((8,), layers.Dense(10, activation="silu"), layers.Dense(10, activation="hard_silu"),
            layers.Dense(10, activation="mish"), layers.Dense(10), layers.Activation("gelu"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def dense_adamw():
    """AdamW: Keras decays each variable by lr * weight_decay before Adam's step."""
    m = seq((8,), layers.Dense(10, activation="relu"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.AdamW(learning_rate=0.01, weight_decay=0.05, epsilon=1e-8))


def dense_adagrad():
    """Adagrad: the accumulator starts at initial_accumulator_value."""
    m = seq((8,), layers.Dense(10, activation="relu"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.2))


def dense_adam_amsgrad():
    """AMSGrad: Adam dividing by the largest second moment so far (a small
    beta_2, so that v falls below its maximum within the steps)."""
    m = seq((8,), layers.Dense(10, activation="tanh"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01, beta_2=0.5, amsgrad=True))


def dense_lion():
    """Lion: the sign of an interpolated momentum, with weight decay."""
    m = seq((8,), layers.Dense(10, activation="tanh"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Lion(learning_rate=0.01, beta_1=0.8, beta_2=0.95, weight_decay=0.05))


def dense_adamax():
    """Adamax: Adam with an infinity-norm second moment."""
    m = seq((8,), layers.Dense(10, activation="tanh"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adamax(learning_rate=0.02))


def dense_nadam():
    """Nadam: Nesterov momentum with Keras 3's schedule 0.96^t and its running product."""
    m = seq((8,), layers.Dense(10, activation="relu"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Nadam(learning_rate=0.01))


def conv_sgd_clipnorm():
    """clipnorm: each gradient (a 4-D filter among them) scaled to at most that L2 norm."""
    m = seq((6, 6, 2), layers.Conv2D(3, (3, 3), activation="relu"), layers.Flatten(),
            layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.5, clipnorm=0.05))


def dense_global_clipnorm():
    """global_clipnorm: all gradients scaled together by their joint norm."""
    m = seq((8,), layers.Dense(10, activation="relu"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.5, momentum=0.5, global_clipnorm=0.1))


def dense_clipvalue():
    """clipvalue: every gradient element clamped to [-v, v]."""
    m = seq((8,), layers.Dense(10, activation="relu"), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01, clipvalue=0.002))


def l2_regularizers():
    """Keras adds l2 * sum(w^2) of each regularized weight to the loss."""
    reg = keras.regularizers
    m = seq((6, 6, 2), layers.Conv2D(3, (3, 3), activation="relu", kernel_regularizer=reg.L2(0.02)),
            layers.Flatten(),
            layers.Dense(8, activation="tanh", kernel_regularizer=reg.L2(0.01),
                         bias_regularizer=reg.L1L2(l1=0.0, l2=0.05)),
            layers.Dense(5, activation="softmax", kernel_regularizer="l2"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def rmsprop_inverse_time_decay():
    m = seq((10,), layers.Dense(16, activation="relu"), layers.Dense(5, activation="softmax"))
    lr = optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, decay_rate=0.5)
    return compiled(m, optimizers.RMSprop(learning_rate=lr, epsilon=1e-8))


# ------------------------------------------------------------------------------ conv
def conv2d_valid():
    m = seq((8, 8, 3), layers.Conv2D(4, (3, 3), activation="relu"), layers.Flatten(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def conv2d_same_strides2():
    # 8x8 'same' with stride 2: TF-style asymmetric padding (0 before, 1 after).
    m = seq((8, 8, 2), layers.Conv2D(4, (3, 3), strides=2, padding="same", activation="relu"),
            layers.Conv2D(3, (3, 3), padding="same", activation="tanh"), layers.Flatten(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def conv2d_channels_first():
    cf = "channels_first"
    m = seq((3, 9, 9), layers.Conv2D(4, (3, 3), data_format=cf, activation="relu"),
            layers.MaxPooling2D((2, 2), data_format=cf),
            layers.Conv2D(4, (3, 3), padding="same", data_format=cf),
            layers.Flatten(), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1))


def maxpool_dropout_adadelta():
    # 7x7 -> conv 5x5 -> pool 2 (floor) 2x2
    m = seq((7, 7, 2), layers.Conv2D(3, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
            KccDropout(0.25), layers.Flatten(), layers.Dense(16, activation="relu"),
            KccDropout(0.5), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-8))


# ------------------------------------------------------------------------------ LSTM
def lstm_last_sigmoid():
    m = seq((6, 5), layers.LSTM(8), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01, epsilon=1e-8))


def lstm_sequences_hard_sigmoid():
    # Keras 3 hard_sigmoid = clip(x/6 + 0.5, 0, 1); inputs scaled so gates saturate.
    m = seq((6, 5), layers.LSTM(8, return_sequences=True, recurrent_activation="hard_sigmoid"),
            layers.LSTM(7, recurrent_activation="hard_sigmoid"),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01, epsilon=1e-8))


def bidirectional_lstm_concat_sum():
    """A sequence-returning Bidirectional (the backward sequence re-aligned in
    time, concatenated) under one that sums the two last states."""
    m = seq((6, 5), layers.Bidirectional(layers.LSTM(6, return_sequences=True)),
            layers.Bidirectional(layers.LSTM(5), merge_mode="sum"),
            layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01, epsilon=1e-8))


def bidirectional_lstm_ave_mul():
    """merge_mode ave and mul, both over sequences."""
    m = seq((5, 4), layers.Bidirectional(layers.LSTM(6, return_sequences=True), merge_mode="ave"),
            layers.Bidirectional(layers.LSTM(5, return_sequences=True), merge_mode="mul"),
            layers.Flatten(), layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01, epsilon=1e-8))


def gru_sequences_last():
    """Keras's GRU (reset_after): a sequence-returning GRU under one that
    returns its last state, then a GRU reading time backwards."""
    m = seq((6, 5), layers.GRU(8, return_sequences=True), layers.GRU(7, return_sequences=True, go_backwards=True),
            layers.GRU(6), layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.RMSprop(learning_rate=0.01, epsilon=1e-8))


def gru_hard_sigmoid_bidirectional():
    """hard_sigmoid gates driven into saturation, inside a Bidirectional."""
    m = seq((5, 4), layers.Bidirectional(layers.GRU(6, return_sequences=True, recurrent_activation="hard_sigmoid")),
            layers.GRU(5, recurrent_activation="hard_sigmoid"), layers.Dense(4, activation="softmax"))
    return compiled(m, optimizers.Adam(learning_rate=0.01, epsilon=1e-8))


def sequence_tagger_categorical():
    """A crossentropy over every step of a sequence output (a tagger): Keras
    averages over samples and steps."""
    m = seq((6, 4), layers.Conv1D(8, 3, padding="same", activation="relu"), layers.GRU(6, return_sequences=True),
            layers.TimeDistributed(layers.Dense(5, activation="softmax")))
    return compiled(m, optimizers.Adam(learning_rate=0.01, epsilon=1e-8))


def sequence_tagger_sparse_logits():
    """Sparse class ids per step, logits out of a Dense over the sequence."""
    m = seq((5, 3), layers.LSTM(6, return_sequences=True), layers.Dense(4))
    return compiled(m, optimizers.SGD(learning_rate=0.1),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


def time_distributed_lstm():
    x = keras.Input(shape=(4, 5, 3))
    rows = layers.TimeDistributed(layers.LSTM(6))(x)
    y = layers.Dense(5, activation="softmax")(layers.LSTM(6)(rows))
    return compiled(keras.Model(x, y), optimizers.RMSprop(learning_rate=0.01, epsilon=1e-8))


def time_distributed_dense():
    m = seq((5, 6), layers.TimeDistributed(layers.Dense(7, activation="relu")), layers.Flatten(),
            layers.Dense(5, activation="softmax"))
    return compiled(m, optimizers.SGD(learning_rate=0.1, momentum=0.5))


# -------------------------------------------------------------- embedding / merges
def embedding_repeat_add():
    story = keras.Input(shape=(9,), dtype="int32")
    question = keras.Input(shape=(3,), dtype="int32")
    s = layers.Embedding(11, 6)(story)
    q = layers.LSTM(6)(layers.Embedding(11, 6)(question))
    q = layers.RepeatVector(9)(q)
    merged = layers.LSTM(6)(layers.add([s, q]))
    y = layers.Dense(11, activation="softmax")(merged)
    return compiled(keras.Model([story, question], y), optimizers.Adam(learning_rate=0.01))


def concatenate_two_inputs():
    a = keras.Input(shape=(7,))
    b = keras.Input(shape=(4,))
    h = layers.Concatenate()([layers.Dense(5, activation="relu")(a),
                              layers.Dense(6, activation="tanh")(b)])
    y = layers.Dense(3, activation="softmax")(h)
    return compiled(keras.Model([a, b], y), optimizers.SGD(learning_rate=0.1, momentum=0.9,
                                                           nesterov=True), sparse=True)


# ------------------------------------------------------------ the reference models
def _rename_dropout(obj, to):
    """Dropout <-> KccDropout in a Keras 3 config structure (in place)."""
    if isinstance(obj, dict):
        if obj.get("class_name") in ("Dropout", "KccDropout"):
            obj["class_name"] = to
            obj["module"] = "keras.layers" if to == "Dropout" else None
            obj["registered_name"] = None if to == "Dropout" else "KccDropout"
        for v in obj.values():
            _rename_dropout(v, to)
    elif isinstance(obj, list):
        for v in obj:
            _rename_dropout(v, to)
    return obj


def reference_model(name):
    def build():
        with open(os.path.join(KERAS3_MODELS, name + ".json")) as f:
            doc = json.load(f)
        doc.pop("kcc", None)
        _rename_dropout(doc, "KccDropout")
        if keras.config.floatx() != "float32":  # the harness's float64 self-check
            doc = json.loads(json.dumps(doc).replace('"float32"', '"%s"' % keras.config.floatx()))
        # compiled() here, not from "compile_config": it decides run_eagerly
        training = doc.pop("compile_config")
        with keras.saving.custom_object_scope({"KccDropout": KccDropout}):
            model = keras.saving.deserialize_keras_object(doc)
        optimizer = keras.optimizers.deserialize(training["optimizer"])
        return compiled(model, optimizer, sparse=training["loss"].startswith("sparse"))
    return build


CASES = {
    "dense_activations": Case(dense_activations),
    "dense_sgd_momentum": Case(dense_sgd_momentum, steps=3),
    "dense_sgd_nesterov": Case(dense_sgd_nesterov, steps=3),
    "dense_sparse_adam": Case(dense_sparse_adam, steps=3, sparse=True),
    "dense_adamw": Case(dense_adamw, steps=3),
    "dense_adagrad": Case(dense_adagrad, steps=3),
    "dense_adamax": Case(dense_adamax, steps=3),
    "dense_lion": Case(dense_lion, steps=3),
    "dense_adam_amsgrad": Case(dense_adam_amsgrad, steps=4),
    "dense_nadam": Case(dense_nadam, steps=5),
    "conv_sgd_clipnorm": Case(conv_sgd_clipnorm, steps=3),
    "dense_global_clipnorm": Case(dense_global_clipnorm, steps=3),
    "dense_clipvalue": Case(dense_clipvalue, steps=3),
    "activation_layers_rmsprop": Case(activation_layers_rmsprop, steps=2),
    "rmsprop_inverse_time_decay": Case(rmsprop_inverse_time_decay, steps=3),
    "dense_frozen_layer": Case(dense_frozen_layer, steps=2),
    "dense_batchnorm": Case(dense_batchnorm, steps=2),
    "frozen_batchnorm": Case(frozen_batchnorm, steps=3),
    "l2_regularizers": Case(l2_regularizers, steps=2),
    "merges_two_inputs": Case(merges_two_inputs, steps=2),
    "maximum_minimum": Case(maximum_minimum, steps=3),
    "dot_recommender": Case(dot_recommender, steps=3, targets="binary"),
    "activation_layers": Case(activation_layers, steps=2),
    "relu_variants": Case(relu_variants, steps=2, x_scale=4.0),
    "gated_activations": Case(gated_activations, steps=2, x_scale=3.0),
    "nested_models": Case(nested_models, steps=2),
    "conv1d_maxpool1d_global_max": Case(conv1d_maxpool1d_global_max, steps=2),
    "conv1d_causal_dilated": Case(conv1d_causal_dilated, steps=2),
    "separable_conv2d": Case(separable_conv2d, steps=2),
    "conv1d_strided_global_average": Case(conv1d_strided_global_average, steps=2),
    "conv2d_global_average": Case(conv2d_global_average, steps=2),
    "resnet_block_average_pooling": Case(resnet_block_average_pooling, steps=2),
    "zero_padding": Case(zero_padding, steps=2),
    "zero_padding_1d": Case(zero_padding_1d, steps=2),
    "zero_padding_channels_first": Case(zero_padding_channels_first, steps=2),
    "conv_transpose_upsampling": Case(conv_transpose_upsampling, steps=2),
    "conv_transpose_valid_strided_channels_first": Case(conv_transpose_valid_strided_channels_first, steps=2),
    "upsampling_1d": Case(upsampling_1d, steps=2),
    "average_pooling_tiles": Case(average_pooling_tiles, steps=2),
    "average_pooling_1d_cropping": Case(average_pooling_1d_cropping, steps=2),
    "cropping_2d_channels_first": Case(cropping_2d_channels_first, steps=2),
    "dense_logits_categorical": Case(dense_logits_categorical, steps=2),
    "dense_logits_sparse": Case(dense_logits_sparse, steps=2, sparse=True),
    "dense_logits_binary": Case(dense_logits_binary, steps=2, targets="binary"),
    "conv2d_global_max_channels_first": Case(conv2d_global_max_channels_first, steps=2),
    "depthwise_separable_block": Case(depthwise_separable_block, steps=2),
    "rescaling_label_smoothing": Case(rescaling_label_smoothing, steps=2, x_scale=4.0),
    "binary_label_smoothing_logits": Case(binary_label_smoothing_logits, steps=2, targets="binary"),
    "depthwise_dilated_strided_same": Case(depthwise_dilated_strided_same, steps=2),
    "conv_batchnorm_adam": Case(conv_batchnorm_adam, steps=3),
    "conv_batchnorm_channels_first": Case(conv_batchnorm_channels_first, steps=2),
    "batchnorm_no_scale_rmsprop": Case(batchnorm_no_scale_rmsprop, steps=2),
    "dense_binary_crossentropy": Case(dense_binary_crossentropy, steps=2, targets="binary"),
    "dense_one_unit_bce": Case(dense_one_unit_bce, steps=2, targets="binary"),
    "dense_mse_rmsprop": Case(dense_mse_rmsprop, steps=2, targets="real"),
    "dense_mae_sgd": Case(dense_mae_sgd, steps=3, targets="real"),
    "dense_hinge": Case(dense_hinge, steps=3, targets="binary"),
    "dense_squared_hinge": Case(dense_squared_hinge, steps=3, targets="binary"),
    "dense_poisson": Case(dense_poisson, steps=3, targets="real"),
    "dense_log_cosh": Case(dense_log_cosh, steps=3, targets="real"),
    "dense_huber": Case(dense_huber, steps=3, targets="real", x_scale=3.0),
    "dense_kl_divergence": Case(dense_kl_divergence, steps=3, targets="real"),
    "dense_msle": Case(dense_msle, steps=3, targets="real"),
    "dense_mape": Case(dense_mape, steps=3, targets="positive"),
    "lstm_sequence_mse": Case(lstm_sequence_mse, steps=2, batch=4, targets="real"),
    "conv2d_valid": Case(conv2d_valid),
    "conv2d_same_strides2": Case(conv2d_same_strides2),
    "conv2d_channels_first": Case(conv2d_channels_first),
    "maxpool_dropout_adadelta": Case(maxpool_dropout_adadelta, steps=2),
    "lstm_last_sigmoid": Case(lstm_last_sigmoid, steps=2),
    "lstm_sequences_hard_sigmoid": Case(lstm_sequences_hard_sigmoid, steps=2, x_scale=4.0),
    "time_distributed_lstm": Case(time_distributed_lstm, batch=4),
    "bidirectional_lstm_concat_sum": Case(bidirectional_lstm_concat_sum, steps=2, batch=4),
    "bidirectional_lstm_ave_mul": Case(bidirectional_lstm_ave_mul, steps=2, batch=4),
    "gru_sequences_last": Case(gru_sequences_last, steps=2, batch=4),
    "sequence_tagger_categorical": Case(sequence_tagger_categorical, steps=2, batch=4),
    "sequence_tagger_sparse_logits": Case(sequence_tagger_sparse_logits, steps=2, batch=4, sparse=True),
    "gru_hard_sigmoid_bidirectional": Case(gru_hard_sigmoid_bidirectional, steps=2, batch=4, x_scale=4.0),
    "time_distributed_dense": Case(time_distributed_dense, steps=2),
    "embedding_repeat_add": Case(embedding_repeat_add, steps=2),
    "concatenate_two_inputs": Case(concatenate_two_inputs, steps=2, sparse=True),
    "model_mnist_mlp": Case(reference_model("mnist_mlp"), batch=4),
    "model_mnist_cnn": Case(reference_model("mnist_cnn"), batch=4),
    "model_cifar10_cnn": Case(reference_model("cifar10_cnn"), batch=4, steps=2),
    "model_mnist_hierarchical_rnn": Case(reference_model("mnist_hierarchical_rnn"), batch=2),
    "model_babi_rnn": Case(reference_model("babi_rnn"), batch=2),
}


def case_json(model, case):
    """The case's model file: Keras 3 to_json() (with compile_config) + "kcc"."""
    doc = _rename_dropout(json.loads(model.to_json()), "Dropout")
    check_weight_order(model, doc)
    doc["kcc"] = {"batch_size": case.batch}
    return doc


def check_weight_order(model, doc):
    """The contract with krun: get_weights() order == the order of the layers in
    the JSON's config.layers, each layer's weights in Keras creation order (a
    TimeDistributed layer owns its inner layer's weights)."""
    by_name = {layer.name: layer for layer in model.layers}
    names = [entry["config"]["name"] for entry in doc["config"]["layers"]]
    expected = [id(w) for n in names if n in by_name for w in by_name[n].weights]
    if expected != [id(w) for w in model.weights]:
        raise RuntimeError("get_weights() order differs from the JSON layer order %s" % names)
