"""The two kinds of bad input and the one place messages go (stderr): SchemaError exits 2, InputError exits 1."""

from __future__ import annotations

import sys


class SchemaError(Exception):
    """A results file this script cannot read safely: exit status 2."""


class InputError(Exception):
    """Nothing to plot, or a file that cannot be read: exit status 1."""


def log(message: str) -> None:
    print(message, file=sys.stderr)
