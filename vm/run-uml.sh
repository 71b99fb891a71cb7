#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Boot the User-Mode Linux guest (vm/uml-kernel.sh) with the
# virtio-accel device served by the host daemon and run one command in it.
# Usage: vm/run-uml.sh --help
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=run-common.sh
. "$(dirname "$0")/run-common.sh"

vm_run uml "$@"
