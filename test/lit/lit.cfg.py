# lit configuration for kcc: .mlir pass tests run through kcc-opt, .json
# tests through kcc, .test files are shell scripts over the tools.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "kcc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".json", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kcc_tools_dir, "..", "test", "lit")

llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(["FileCheck", "not", "count", "split-file"],
                                   [config.llvm_tools_dir])
# KCC_LIT_TOOLS_DIR puts other builds of the tools first (the sanitizer
# stage runs the runtime tests with its ASan+UBSan krun).
tool_dirs = [d for d in [os.environ.get("KCC_LIT_TOOLS_DIR"), config.kcc_tools_dir] if d]
llvm_config.add_tool_substitutions(["kcc-opt", "kcc", "krun"], tool_dirs)
config.substitutions.append(("%models", os.path.join(config.kcc_source_dir, "models")))
config.environment["KCC_DATA"] = config.kcc_data_dir

# CUDA: kcc --target=cuda emits PTX, which CUDA's ptxas must accept.
ptxas = os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "bin", "ptxas")
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# bf16: kcc --precision bf16 needs a CPU with AVX512-BF16 (or AMX).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = cpuinfo.read()
    if "avx512_bf16" in flags or "amx_bf16" in flags:
        config.available_features.add("cpu-bf16")
except OSError:
    pass
