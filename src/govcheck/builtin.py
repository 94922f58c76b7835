"""Where the built-in packs and schemas live: inside the wheel, or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_dir(name: str) -> Path:
    """`policies` or `schemas`: the installed copy, else the checkout's top-level folder."""
    installed = Path(__file__).parent / "_data" / name
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[2] / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"govcheck's built-in {name} are missing from this installation")


def pack_files() -> dict[str, Path]:
    """Built-in pack name -> policy file."""
    return {p.stem: p for p in sorted(data_dir("policies").glob("*.yaml"))}


def schema_file(name: str) -> Path:
    return data_dir("schemas") / f"{name}.schema.json"


def schema_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".schema.json") for p in data_dir("schemas").glob("*.schema.json")
    )
