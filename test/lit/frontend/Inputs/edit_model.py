"""edit_model.py IN OUT STATEMENT: applies a Python statement to the model
JSON `d` and writes OUT, so a lit test states a hostile variant of a real
model in one line. Also bound: `layers` (the layer entries), `run` (the
top-level run-settings block) and `tc` (Keras 2's training_config); lit
would substitute the tool's name if a RUN line spelled the block's key."""
import json
import sys

src, dst, statement = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src) as f:
    d = json.load(f)
config = d["config"]
layers = config if isinstance(config, list) else config["layers"]
exec(statement, {"d": d, "layers": layers, "run": d.setdefault("kcc", {}), "tc": d.get("training_config")})
with open(dst, "w") as f:
    json.dump(d, f)
