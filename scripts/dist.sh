#!/bin/sh
# Builds the `persevere` binary as it is released and measured (scripts/bench.py --cli):
# the `dist` profile (LTO, panic=abort, stripped) and, on Linux with glibc, linked as a
# static PIE.
#
# Why static: a dynamically linked `persevere -- true` spends about 0.4 ms more of its start-up
# in the dynamic loader (loading libc, libm and libgcc_s, 119 symbol lookups, their page
# faults) than GNU `timeout` does in its whole run. A static PIE has none of that and keeps
# address randomisation (docs/benchmarks.md has the figures).
#
# The one difference in behaviour: glibc's own `files` and `dns` sources for host names are
# built into the binary; a system whose /etc/nsswitch.conf names other sources for `hosts`
# (mdns, systemd's `resolve`) has them loaded from its own glibc, which must then be the
# version the binary was built with. Where that is not so, give `--budget-store redis://` an
# IP address, or use `cargo install --path crates/persevere-cli --profile dist` (dynamic).
#
# Usage: scripts/dist.sh [cargo build options, e.g. --no-default-features]
#        prints the path of the binary on its last line;
#        scripts/dist.sh --test [cargo test options]
#        runs the CLI's tests linked the same way (debug profile, target/static), as CI does.
set -eu
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
case "$host" in
    *-linux-gnu*)
        # With an explicit --target, RUSTFLAGS reach only the target's code: build scripts
        # and proc macros (clap's derive) stay dynamic, as they must.
        export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static"
        target="--target $host"
        dir="target/$host/dist"
        ;;
    *)
        target=""
        dir="target/dist"
        ;;
esac
if [ "${1:-}" = "--test" ]; then
    shift
    # shellcheck disable=SC2086 # $target is empty or two words
    exec cargo test -p persevere-cli $target --target-dir target/static "$@"
fi
# shellcheck disable=SC2086
cargo build --profile dist -p persevere-cli $target "$@"
echo "$(pwd)/$dir/persevere"
