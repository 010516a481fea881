#!/usr/bin/env python3
"""Write models/keras3/*.json: the five reference models built and compiled
with real Keras 3 and written with `model.to_json()`, plus the same "kcc" run
settings as models/*.json (see models/README.md).

Run inside the test venv (scripts/python-env.sh):
    .venv/bin/python scripts/gen_keras3_models.py [OUTDIR]

Differences from the Keras 2.0.8 originals that are kept on purpose:
  * LSTM recurrent_activation is the Keras 3 default "sigmoid" (Keras 3's
    "hard_sigmoid" is a different function, x/6+0.5, so it is not used);
  * optimizers carry Keras 2.0.8's epsilon 1e-8 explicitly, Adadelta gets
    learning_rate=1.0, and cifar10's decay=1e-6 becomes
    InverseTimeDecay(1e-4, decay_steps=1, decay_rate=1e-6).
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from keras import layers  # noqa: E402

import gen_keras2_models as k2  # noqa: E402  (for the shared "kcc" blocks)


def compile_model(model, optimizer):
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_mlp():
    model = keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax")])
    return compile_model(model, keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-8))


def mnist_cnn():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")])
    return compile_model(model, keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-8))


def cifar10_cnn():
    model = keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(32, (3, 3), padding="same"),
        layers.Activation("relu"),
        layers.Conv2D(32, (3, 3)),
        layers.Activation("relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Conv2D(64, (3, 3), padding="same"),
        layers.Activation("relu"),
        layers.Conv2D(64, (3, 3)),
        layers.Activation("relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(512),
        layers.Activation("relu"),
        layers.Dropout(0.5),
        layers.Dense(10),
        layers.Activation("softmax")])
    lr = keras.optimizers.schedules.InverseTimeDecay(1e-4, decay_steps=1, decay_rate=1e-6)
    return compile_model(model, keras.optimizers.RMSprop(learning_rate=lr, rho=0.9, epsilon=1e-8))


def mnist_hierarchical_rnn():
    x = keras.Input(shape=(28, 28, 1))
    encoded_rows = layers.TimeDistributed(layers.LSTM(128))(x)
    encoded_columns = layers.LSTM(128)(encoded_rows)
    prediction = layers.Dense(10, activation="softmax")(encoded_columns)
    model = keras.Model(x, prediction)
    return compile_model(model, keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-8))


def babi_rnn(vocab_size=36, story_maxlen=552, query_maxlen=5, hidden=50):
    sentence = keras.Input(shape=(story_maxlen,), dtype="int32")
    encoded_sentence = layers.Embedding(vocab_size, hidden)(sentence)
    encoded_sentence = layers.Dropout(0.3)(encoded_sentence)

    question = keras.Input(shape=(query_maxlen,), dtype="int32")
    encoded_question = layers.Embedding(vocab_size, hidden)(question)
    encoded_question = layers.Dropout(0.3)(encoded_question)
    encoded_question = layers.LSTM(hidden)(encoded_question)
    encoded_question = layers.RepeatVector(story_maxlen)(encoded_question)

    merged = layers.add([encoded_sentence, encoded_question])
    merged = layers.LSTM(hidden)(merged)
    merged = layers.Dropout(0.3)(merged)
    preds = layers.Dense(vocab_size, activation="softmax")(merged)
    model = keras.Model([sentence, question], preds)
    return compile_model(model, keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9,
                                                      beta_2=0.999, epsilon=1e-8))


BUILDERS = {"mnist_mlp": mnist_mlp, "mnist_cnn": mnist_cnn, "cifar10_cnn": cifar10_cnn,
            "mnist_hierarchical_rnn": mnist_hierarchical_rnn, "babi_rnn": babi_rnn}


def build(name):
    """Build and compile one model in a fresh Keras session (so names restart)."""
    keras.backend.clear_session()
    return BUILDERS[name]()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "models", "keras3")
    os.makedirs(out, exist_ok=True)
    for name in BUILDERS:
        model = build(name)
        expected = k2.MODELS[name][1]
        assert model.count_params() == expected, (name, model.count_params(), expected)
        doc = json.loads(model.to_json())
        doc["kcc"] = k2.build(name)[0]["kcc"]
        path = os.path.join(out, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("%-24s %9d params  keras %s -> %s" % (name, model.count_params(),
                                                    keras.__version__, os.path.normpath(path)))


if __name__ == "__main__":
    main()
