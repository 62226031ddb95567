"""How the figures look: colours, line styles, markers, panel size and fonts, element ids, panel titles."""

from __future__ import annotations

from .model import Processor
from .vocabulary import PASS_FAMILIES


DPI = 150


ALGORITHM_COLORS = {"two-pass": "tab:blue", "three-pass-recompute": "tab:orange", "three-pass-reload": "tab:green"}


EXTRA_COLORS = ("tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")


ISA_COLORS = {"avx512f": "tab:red", "avx2": "tab:blue", "portable": "tab:gray"}


PRESET_STYLES = {"blend": "-", "tuned": "--"}


EXTRA_STYLES = (":", "-.")


PASS_MARKERS = "os^Dv<>"


# The bandwidth-bound ideals in the speedup figure: without and with write-allocate.
IDEAL_STYLES = (":", "-.")


REFERENCE_STYLES = {"read": ("black", "v"), "copy": ("0.35", "s"), "copy_nt": ("0.7", "o"), "scale": ("0.55", "D"), "write": ("0.2", "^")}


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 8, "axes.titlesize": 8, "legend.fontsize": 7.5,
        "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "softmax-repro",
    })
    return plt


# Panels sized for one column of a two-column paper (about 3.4 in wide), fonts readable at 100% zoom.
PANEL_WIDTH = 3.4


PANEL_HEIGHT = 2.6


BAND_ALPHA = 0.2


CI_BAND_LABEL = "band: 95% CI of the median"


CLAIM_BOX = {"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75}


def series_style(preset: str, presets: list[str]) -> str:
    if preset in PRESET_STYLES:
        return PRESET_STYLES[preset]
    return EXTRA_STYLES[presets.index(preset) % len(EXTRA_STYLES)] if preset in presets else "-"


def algorithm_color(algorithm: str, algorithms: list[str]) -> str:
    if algorithm in ALGORITHM_COLORS:
        return ALGORITHM_COLORS[algorithm]
    extras = [a for a in algorithms if a not in ALGORITHM_COLORS]
    return EXTRA_COLORS[extras.index(algorithm) % len(EXTRA_COLORS)]


def family_color(family: str) -> str:
    palette = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
               "tab:olive", "tab:cyan")
    i = PASS_FAMILIES.index(family) if family in PASS_FAMILIES else len(PASS_FAMILIES) + sum(map(ord, family)) % 2
    return palette[i % len(palette)]


def element_id(*parts) -> str:
    return "|".join(str(p) for p in parts)


def ordered_presets(presets) -> list[str]:
    return sorted(set(presets), key=lambda p: (p not in PRESET_STYLES, p))


def run_tag(proc: Processor) -> str:
    """The processor in a figure's element ids: `<id>`, or `<id>@reference` for a reference run."""
    return f"{proc.id}@reference" if proc.is_reference else proc.id


def panel_title(proc: Processor, isa: str, extra: str = "") -> str:
    title = f"{proc.id}, {isa}"
    if proc.run_label:
        title += f"\n{proc.run_label}"
    if extra:
        title += f"\n{extra}"
    return title
