"""The PEP 517 backend of persevere-retry: maturin's, building Linux wheels for manylinux2014.

maturin's own PEP 517 hook builds with ``--compatibility off`` unless told otherwise, which
tags the wheel ``linux_x86_64`` (not uploadable, not installable elsewhere) and ignores
``compatibility`` in pyproject.toml. On Linux this backend passes ``--compatibility
manylinux2014 --zig``: zig (the ``ziglang`` package from PyPI, a build requirement) links
against glibc 2.17's symbols, so the wheel runs on every glibc Linux since CentOS 7 whatever the
build machine's glibc. ``MATURIN_PEP517_ARGS`` or ``--config-settings maturin.build-args=...``
still override this.
"""

import os
import sys

import maturin
from maturin import (  # noqa: F401 (the other hooks are maturin's as they are)
    build_sdist,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_wheel,
)

MANYLINUX_ARGS = "--compatibility manylinux2014 --zig"


def _settings(config_settings):
    settings = dict(config_settings or {})
    user_args = "maturin.build-args" in settings or "build-args" in settings
    if sys.platform.startswith("linux") and not user_args and not os.getenv("MATURIN_PEP517_ARGS"):
        settings["maturin.build-args"] = MANYLINUX_ARGS
    return settings


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return maturin.build_wheel(wheel_directory, _settings(config_settings), metadata_directory)
