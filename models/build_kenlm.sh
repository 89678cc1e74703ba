#!/usr/bin/env bash
# Build KenLM's lmplz and build_binary (the estimation tools the `kenlm` wheel lacks) from the kenlm sdist
# on PyPI, and install them into BIN_DIR (default .venv/bin, where train-kenlm looks first). `make kenlm` runs it.
#
# Needs a C++ compiler, cmake and Boost (Debian: libboost-program-options-dev libboost-system-dev
# libboost-thread-dev libboost-test-dev); zlib/bzip2/lzma are optional. About 3 min on 2 cores.
set -euo pipefail

BIN_DIR=${1:-.venv/bin}
PY=${PY:-.venv/bin/python}
VERSION=${KENLM_VERSION:-0.3.0}
WORK=${KENLM_WORK:-build/kenlm}

mkdir -p "$WORK" "$BIN_DIR"
if [ ! -f "$WORK/kenlm-$VERSION.tar.gz" ]; then
  "$PY" -m pip download --quiet --no-deps --no-binary kenlm "kenlm==$VERSION" -d "$WORK"
fi
rm -rf "$WORK/src" && mkdir -p "$WORK/src"
tar xzf "$WORK/kenlm-$VERSION.tar.gz" -C "$WORK/src" --strip-components 1
cmake -S "$WORK/src" -B "$WORK/cmake" -DCMAKE_BUILD_TYPE=Release -DCOMPILE_TESTS=OFF -DENABLE_PYTHON=OFF > "$WORK/cmake.log"
cmake --build "$WORK/cmake" --target lmplz build_binary -j "$(nproc)" > "$WORK/build.log"
install -m 755 "$WORK/cmake/bin/lmplz" "$WORK/cmake/bin/build_binary" "$BIN_DIR/"
"$BIN_DIR/lmplz" --help 2>&1 | head -1 || true
echo "kenlm: lmplz and build_binary in $BIN_DIR"
