#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The demo's classifier and data, cached: scripts/fashion-model.sh [DIR]
# (default $BUILD/demo/fashion). Unpacks Debian's Fashion-MNIST
# (/usr/share/datasets/fashion-mnist, package dataset-fashion-mnist) into
# DIR and trains DIR/model.pt with tools/fashion-train (libtorch, ~10 s)
# unless both are already there. DIR/model.pt.predictions holds libtorch's
# own predictions for the 10000 test images (the reference the guest's must
# equal). Progress on stdout, the training log in DIR/train.log.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${1:-$BUILD/demo/fashion}
SRC=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
TRAIN=$BUILD/tools/fashion-train/fashion-train

case "${1:-}" in -h | --help) sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
mkdir -p "$DIR"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
	t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
	[ -s "$DIR/$f" ] && continue
	[ -r "$SRC/$f.gz" ] || {
		echo "fashion-model: $SRC/$f.gz missing (apt-get install dataset-fashion-mnist)" >&2
		exit 1
	}
	gzip -dc "$SRC/$f.gz" >"$DIR/$f.tmp" && mv "$DIR/$f.tmp" "$DIR/$f"
done
if [ -s "$DIR/model.pt" ] && [ -s "$DIR/model.pt.predictions" ]; then
	echo "fashion-model: cached model $DIR/model.pt"
	exit 0
fi
[ -x "$TRAIN" ] || {
	echo "fashion-model: $TRAIN not built (the torch plugin needs libtorch-dev)" >&2
	exit 1
}
echo "fashion-model: training the classifier on 60000 images with libtorch (first run only, ~15 s)"
rm -f "$DIR/model.pt" "$DIR/model.pt.predictions"
if ! "$TRAIN" "$DIR" "$DIR/model.pt.tmp" >"$DIR/train.log" 2>&1; then
	tail -5 "$DIR/train.log" >&2
	exit 1
fi
mv "$DIR/model.pt.tmp.predictions" "$DIR/model.pt.predictions"
mv "$DIR/model.pt.tmp" "$DIR/model.pt"
grep 'accuracy' "$DIR/train.log" | sed 's/^/fashion-model: /'
