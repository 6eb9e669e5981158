"""One look for every chart: Agg backend, fonts, scenario names and colours, saving as PNG (and SVG)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # charts are files; never open a window (also safe in worker processes)
import matplotlib.pyplot as plt  # noqa: E402

BASELINE_COLOUR = "#4d4d4d"
# Colour-blind-safe qualitative palette (Okabe-Ito without black and the too-light yellow), then more.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B",
           "#9467BD", "#17BECF", "#BCBD22", "#1F77B4")
DPI = 110
PNG_COMPRESSION = 3  # zlib level: a third less encoding time than the default 6, files within 1%

plt.rcParams.update({
    "font.size": 10, "axes.titlesize": 11, "axes.titleweight": "bold", "axes.labelsize": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
    "legend.frameon": False, "figure.titlesize": 14, "figure.titleweight": "bold", "svg.fonttype": "none",
    "figure.autolayout": False, "figure.constrained_layout.use": False,  # each chart names its layout
    "axes.titley": 1.0,  # titles at a fixed height: drawing then skips measuring the tick labels to place them
})


def pretty(name: str) -> str:
    """'iron_fist' -> 'iron fist': how scenario names appear to readers."""
    return str(name).replace("_", " ")


def colours(labels: list[str], baselines: set[str]) -> dict[str, str]:
    """A fixed colour per arm label; baseline arms are always dark grey."""
    out, i = {}, 0
    for label in labels:
        if label in baselines:
            out[label] = BASELINE_COLOUR
        else:
            out[label] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def settle(fig: plt.Figure) -> None:
    """Run the figure's layout engine once and then remove it, so that saving draws the figure once: with
    any engine set (even 'none', a placeholder), ``savefig`` first draws the whole figure without output
    only to lay it out. Call it when nothing more will be added that the layout should make room for."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine(None)  # None, not "none" (the rcParams above keep automatic layouts off)


def save(fig: plt.Figure, folder: Path, name: str, svg: bool = True, keep_open: bool = False) -> list[Path]:
    """Write ``name``.png (and ``name``.svg with ``svg``) into ``folder`` and free the figure, unless ``keep_open``
    (it is drawn again, with other data: ``charts.SeriesPanels``).

    The report passes ``svg=False`` unless ``--svg`` is given; the sensitivity charts keep both formats."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.png"]
    own_dpi = fig.dpi
    fig.dpi = max(DPI, own_dpi)  # maps raise their dpi for print width
    settle(fig)
    fig.savefig(paths[0], dpi=fig.dpi, facecolor="white", pil_kwargs={"compress_level": PNG_COMPRESSION})
    if svg:
        paths.append(folder / f"{name}.svg")
        fig.savefig(paths[1], facecolor="white")
    if keep_open:  # measured again for the next drawing: at the dpi it was made with, as a new figure is
        fig.dpi = own_dpi
    else:
        plt.close(fig)
    return paths


def arm_labels(df, params: list[str]):
    """Reader-facing name of each row's arm: the scenario, plus varied parameter values if any."""
    def one(row) -> str:
        extra = ", ".join(f"{p}={row[p]:g}" if isinstance(row[p], float) else f"{p}={row[p]}" for p in params)
        return f"{pretty(row['scenario'])} ({extra})" if extra else pretty(row["scenario"])
    return df.apply(one, axis=1) if len(df) else df["scenario"].astype(str)
