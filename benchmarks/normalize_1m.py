"""Normalise one million synthetic raw records; print rows per second and peak memory.

Run: ``.venv/bin/python -m benchmarks.normalize_1m [ROWS]``. The input is sampled with a seeded
RNG from realistic raw values (umlauts, titles, particles, ``geb.``, lost letters, every date
layout, street spellings), so the number of distinct values is of register scale.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import polars as pl

from regmod.normalize import normalise

FAMILY_NAMES = np.array(
    [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Bauer",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Schwarz",
        "Zimmermann",
        "Braun",
        "Krüger",
        "Hofmann",
        "Hartmann",
        "Lange",
        "Schmitt",
        "Werner",
        "Schmitz",
        "Krause",
        "Meier",
        "Lehmann",
        "Yılmaz",
        "Kaya",
        "Demir",
        "Şahin",
        "Çelik",
        "Öztürk",
        "Kowalski",
        "Nowak",
        "Ivanov",
        "Nguyen",
        "Weiß",
        "Groß",
        "Jäger",
        "Köhler",
        "Böhm",
        "Vogt",
        "Gärtner",
    ]
)
PARTICLES = np.array(["", "", "", "", "", "", "von ", "von der ", "van ", "de ", "zu "])
TITLES = np.array(
    ["", "", "", "", "", "", "", "", "", "Dr. ", "Prof. Dr. ", "Dr.-Ing. ", "Dipl.-Ing. "]
)
FIRST_NAMES = np.array(
    [
        "Hans",
        "Peter",
        "Anna",
        "Maria",
        "Jürgen",
        "Jörg",
        "Ursula",
        "Günter",
        "Hans-Adolf",
        "Lena",
        "Mehmet",
        "Ayşe",
        "Fatma",
        "Ali",
        "Katharina",
        "Sören",
        "Björn",
        "Zoë",
        "Thomas",
        "Michael",
        "Sabine",
        "Claudia",
        "Karl-Heinz",
        "Sophie",
        "Luca",
        "Emilia",
    ]
)
STREETS = np.array(
    [
        "Hauptstraße",
        "Hauptstr.",
        "Bahnhofstrasse",
        "Bahnhofstr",
        "Schillerstraße",
        "Goethestr.",
        "Marktplatz",
        "Markt-Pl.",
        "Konrad-Adenauer-Straße",
        "Am Anger",
        "Straße des 17. Juni",
        "Lindenallee",
        "Kirchweg",
        "Gartenstraße",
        "Mühlenweg",
    ]
)
CITIES = np.array(["Dresden", "München", "Köln", "Düsseldorf", "Frankfurt am Main", "Görlitz"])
SEXES = np.array(["m", "w", "M", "W", "f", "d", "x", "", "männlich", "weiblich"])
BLOCKS = np.array(["nein", "nein", "nein", "nein", "ja", "", "0", "1", "X"])


def _pick(rng: np.random.Generator, values: np.ndarray, size: int) -> np.ndarray:
    """``size`` values drawn with replacement, as Python strings so that ``+`` concatenates."""
    return values.astype(object)[rng.integers(0, len(values), size)]


def _damage(rng: np.random.Generator, names: np.ndarray, share: float) -> np.ndarray:
    """Replace the second letter of a share of names with '?', as a lossy export does."""
    hit = rng.random(len(names)) < share
    damaged = np.array([name[:1] + "?" + name[2:] for name in names[hit]], dtype=object)
    result = names.copy()
    result[hit] = damaged
    return result


def _dates(rng: np.random.Generator, size: int) -> list[str]:
    year = rng.integers(1920, 2024, size)
    month = rng.integers(1, 13, size)
    day = rng.integers(1, 29, size)
    layout = rng.integers(0, 6, size)
    unknown = rng.random(size)
    day = np.where(unknown < 0.01, 0, day)
    month = np.where(unknown < 0.003, 0, month)
    day = np.where((unknown > 0.998) & (month == 2), 31, day)  # impossible 31.02.
    frame = pl.DataFrame({"y": year, "m": month, "d": day, "layout": layout})
    y, m, d = (pl.col(c).cast(pl.String) for c in ("y", "m", "d"))
    m2, d2 = (c.str.zfill(2) for c in (m, d))
    text = (
        pl.when(pl.col("layout") <= 2)
        .then(pl.concat_str(d2, m2, y, separator="."))
        .when(pl.col("layout") == 3)
        .then(pl.concat_str(y, m2, d2, separator="-"))
        .when(pl.col("layout") == 4)
        .then(pl.concat_str(y, m2, d2))
        .otherwise(pl.concat_str(d, m, y, separator="."))
    )
    return frame.select(text).to_series().to_list()


def raw_records(rows: int, seed: int = 20210401) -> pl.DataFrame:
    """``rows`` raw records in the canonical raw layout, sampled reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    family = _pick(rng, TITLES, rows) + _pick(rng, PARTICLES, rows) + _pick(rng, FAMILY_NAMES, rows)
    double = rng.random(rows) < 0.05
    family[double] += "-" + _pick(rng, FAMILY_NAMES, int(double.sum()))
    married = rng.random(rows) < 0.05
    family[married] += " geb. " + _pick(rng, FAMILY_NAMES, int(married.sum()))
    first = _pick(rng, FIRST_NAMES, rows)
    second = rng.random(rows) < 0.4
    first[second] += " " + _pick(rng, FIRST_NAMES, int(second.sum()))
    house = rng.integers(1, 200, rows).astype(str).astype(object)
    suffix = _pick(rng, np.array(["", "", "", "", "a", " b", "-14", "/1"]), rows)
    idnr = rng.integers(10_000_000_000, 99_999_999_999, rows).astype(str)
    postcode = np.char.zfill(rng.integers(1_000, 99_999, rows).astype(str), 5)
    return pl.DataFrame(
        {
            "record_id": np.arange(rows).astype(str),
            "source_register": ["bench"] * rows,
            "idnr_raw": idnr,
            "family_name_raw": _damage(rng, family, 0.01),
            "first_names_raw": first,
            "sex_raw": _pick(rng, SEXES, rows),
            "birth_date_raw": _dates(rng, rows),
            "birth_place_raw": _pick(rng, CITIES, rows),
            "street_raw": _pick(rng, STREETS, rows),
            "house_number_raw": house + suffix,
            "postcode_raw": postcode,
            "city_raw": _pick(rng, CITIES, rows),
            "information_block_raw": _pick(rng, BLOCKS, rows),
        },
        schema_overrides={name: pl.String for name in ("family_name_raw", "first_names_raw")},
    )


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int) -> None:
    """Build the input, normalise it once, print a small table."""
    raw = raw_records(rows)
    input_rss = _peak_rss_mib()
    distinct = {column: raw[column].n_unique() for column in ("family_name_raw", "idnr_raw")}
    start = time.perf_counter()
    result = normalise(raw)
    seconds = time.perf_counter() - start
    print(f"{'rows':<28}{result.height:>14,}")
    print(f"{'distinct family_name_raw':<28}{distinct['family_name_raw']:>14,}")
    print(f"{'distinct idnr_raw':<28}{distinct['idnr_raw']:>14,}")
    print(f"{'normalise seconds':<28}{seconds:>14.2f}")
    print(f"{'rows per second':<28}{rows / seconds:>14,.0f}")
    print(f"{'peak RSS after input MiB':<28}{input_rss:>14,.0f}")
    print(f"{'peak RSS total MiB':<28}{_peak_rss_mib():>14,.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
