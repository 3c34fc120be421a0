"""Excel's CONVERT(number, from_unit, to_unit): the units of Microsoft's CONVERT page.

Owns the unit table — each unit's quantity (mass, distance, …), its size in the quantity's base unit
(gram, metre, second, pascal, newton, joule, watt, tesla, kelvin, cubic metre, square metre, bit,
metre per second) and whether it takes a prefix — the decimal prefixes (Y … y, "da" and "e" for deka)
and the binary ones (ki … Yi, on bit and byte only). Unit names are case-sensitive; a name that is a unit
itself is never read as prefix + unit ("pc" is a parsec, "Pa" a pascal). A prefix on a square or cubic
metre counts twice or three times (1 km2 is 10^6 m2). Temperatures convert by their offsets. Sizes are
the definitions (1 in = 0.0254 m exactly) and, for the physical constants, the values Excel uses.
Units of two quantities, or a name no table knows, give #N/A.
"""
from __future__ import annotations

from typing import Any

from cellrules.recalc.values.scalars import err
from cellrules.recalc.values.signature import excel

_INCH = 0.0254
_PICA_POINT = _INCH / 72
_MILE = 1609.344
_LIGHT_YEAR = 9460730472580800.0
_US_GALLON = 231 * _INCH ** 3

# quantity -> {unit: (size in the base unit, takes a prefix)}; several names of one unit share its entry
_UNITS: dict[str, dict[str, tuple[float, bool]]] = {
    "mass": {"g": (1.0, True), "sg": (14593.9029372064, False), "lbm": (453.59237, False),
             "u": (1.660538782e-24, True), "ozm": (28.349523125, False), "grain": (0.06479891, False),
             "cwt": (45359.237, False), "shweight": (45359.237, False), "uk_cwt": (50802.34544, False),
             "lcwt": (50802.34544, False), "hweight": (50802.34544, False), "stone": (6350.29318, False),
             "ton": (907184.74, False), "uk_ton": (1016046.9088, False), "LTON": (1016046.9088, False),
             "brton": (1016046.9088, False)},
    "distance": {"m": (1.0, True), "mi": (_MILE, False), "Nmi": (1852.0, False), "in": (_INCH, False),
                 "ft": (12 * _INCH, False), "yd": (36 * _INCH, False), "ang": (1e-10, True),
                 "ell": (45 * _INCH, False), "ly": (_LIGHT_YEAR, True), "parsec": (30856775812815500.0, True),
                 "pc": (30856775812815500.0, True), "Picapt": (_PICA_POINT, False), "Pica": (_PICA_POINT, False),
                 "pica": (_INCH / 6, False), "survey_mi": (1609.34721869444, False)},
    "time": {"yr": (31557600.0, False), "day": (86400.0, False), "d": (86400.0, False), "hr": (3600.0, False),
             "mn": (60.0, False), "min": (60.0, False), "sec": (1.0, True), "s": (1.0, True)},
    "pressure": {"Pa": (1.0, True), "p": (1.0, True), "atm": (101325.0, True), "at": (101325.0, True),
                 "mmHg": (133.322, True), "psi": (6894.75729316836, False), "Torr": (133.322368421053, False)},
    "force": {"N": (1.0, True), "dyn": (1e-5, True), "dy": (1e-5, True), "lbf": (4.4482216152605, False),
              "pond": (0.00980665, True)},
    "energy": {"J": (1.0, True), "e": (1e-7, True), "c": (4.184, True), "cal": (4.1868, True),
               "eV": (1.602176487e-19, True), "ev": (1.602176487e-19, True), "HPh": (2684519.53769617, False),
               "hh": (2684519.53769617, False), "Wh": (3600.0, True), "wh": (3600.0, True),
               "flb": (1.3558179483314, False), "BTU": (1055.05585262, False), "btu": (1055.05585262, False)},
    "power": {"HP": (745.69987158227, False), "h": (745.69987158227, False), "PS": (735.49875, False),
              "W": (1.0, True), "w": (1.0, True)},
    "magnetism": {"T": (1.0, True), "ga": (1e-4, True)},
    "temperature": {"C": (1.0, False), "cel": (1.0, False), "F": (1.0, False), "fah": (1.0, False),
                    "K": (1.0, True), "kel": (1.0, True), "Rank": (1.0, False), "Reau": (1.0, False)},
    "volume": {"tsp": (_US_GALLON / 768, False), "tspm": (5e-6, False), "tbs": (_US_GALLON / 256, False),
               "oz": (_US_GALLON / 128, False), "cup": (_US_GALLON / 16, False), "pt": (_US_GALLON / 8, False),
               "us_pt": (_US_GALLON / 8, False), "uk_pt": (0.00056826125, True), "qt": (_US_GALLON / 4, False),
               "uk_qt": (0.0011365225, False), "gal": (_US_GALLON, False), "uk_gal": (0.00454609, False),
               "l": (0.001, True), "L": (0.001, True), "lt": (0.001, True), "barrel": (42 * _US_GALLON, False),
               "bushel": (0.03523907016688, False), "MTON": (1.13267386368, False),
               "GRT": (2.8316846592, False), "regton": (2.8316846592, False)},
    "area": {"uk_acre": (4046.8564224, False), "us_acre": (4046.87260987425, False), "ar": (100.0, True),
             "ha": (10000.0, False), "Morgen": (2500.0, False)},
    "information": {"bit": (1.0, True), "byte": (8.0, True)},
    "speed": {"admkn": (0.514773333333333, False), "kn": (1852 / 3600, False), "m/h": (1 / 3600, True),
              "m/hr": (1 / 3600, True), "m/s": (1.0, True), "m/sec": (1.0, True), "mph": (_MILE / 3600, True)},
}
_POWERS = {"m": (1.0, True), "mi": (_MILE, False), "Nmi": (1852.0, False), "in": (_INCH, False),
           "ft": (12 * _INCH, False), "yd": (36 * _INCH, False), "ang": (1e-10, True), "ly": (_LIGHT_YEAR, False),
           "Picapt": (_PICA_POINT, False), "Pica": (_PICA_POINT, False)}  # lengths that are squared and cubed
for _name, (_size, _prefix) in _POWERS.items():
    for _power, _quantity in ((2, "area"), (3, "volume")):
        for _spelling in (f"{_name}{_power}", f"{_name}^{_power}"):
            _UNITS[_quantity][_spelling] = (_size ** _power, _prefix)

_DECIMAL = {"Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3, "h": 1e2,
            "da": 1e1, "e": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12, "f": 1e-15,
            "a": 1e-18, "z": 1e-21, "y": 1e-24}
_BINARY = {"Yi": 2.0 ** 80, "Zi": 2.0 ** 70, "Ei": 2.0 ** 60, "Pi": 2.0 ** 50, "Ti": 2.0 ** 40, "Gi": 2.0 ** 30,
           "Mi": 2.0 ** 20, "ki": 2.0 ** 10}
_BY_NAME = {name: (quantity, size, prefix) for quantity, table in _UNITS.items()
            for name, (size, prefix) in table.items()}


def units(name: str) -> list[tuple[str, str, float]]:
    """Each reading of a unit name as (quantity, unit, size in the quantity's base unit): the unit itself, and
    every prefix + unit that takes a prefix ("pc" is a parsec and a pico-calorie; CONVERT keeps the reading
    whose quantity the other unit shares). Binary prefixes go on bits and bytes only."""
    found = []
    if name in _BY_NAME:
        quantity, size, _ = _BY_NAME[name]
        found.append((quantity, name, size))
    for prefixes in (_BINARY, _DECIMAL):
        for head, scale in prefixes.items():
            rest = name[len(head):]
            if not name.startswith(head) or rest not in _BY_NAME:
                continue
            quantity, size, takes = _BY_NAME[rest]
            if not takes or prefixes is _BINARY and quantity != "information":
                continue
            power = 3 if rest.endswith("3") else 2 if rest.endswith("2") else 1
            found.append((quantity, rest, size * scale ** power))
    return found


def _kelvin(x: float, name: str, scale: float) -> float:
    x = x * scale
    return {"C": x + 273.15, "cel": x + 273.15, "F": (x + 459.67) * 5 / 9, "fah": (x + 459.67) * 5 / 9,
            "Rank": x * 5 / 9, "Reau": x * 5 / 4 + 273.15}.get(name, x)


def _from_kelvin(k: float, name: str, scale: float) -> float:
    out = {"C": k - 273.15, "cel": k - 273.15, "F": k * 9 / 5 - 459.67, "fah": k * 9 / 5 - 459.67,
           "Rank": k * 9 / 5, "Reau": (k - 273.15) * 4 / 5}.get(name, k)
    return out / scale


@excel("number", "text", "text", toolpak=True)
def CONVERT(x: float, source: str, target: str) -> Any:
    """Excel's CONVERT(number, from_unit, to_unit): a measure in another unit of the same quantity."""
    a, b = units(source), units(target)
    if not a or not b:
        return err("#N/A", f"'{source if not a else target}' is not a unit CONVERT knows")
    pair = next(((x, y) for x in a for y in b if x[0] == y[0]), None)
    if pair is None:
        return err("#N/A", f"'{source}' ({a[0][0]}) and '{target}' ({b[0][0]}) measure different things")
    (quantity, name_a, size_a), (_, name_b, size_b) = pair
    if quantity == "temperature":
        return _from_kelvin(_kelvin(x, name_a, size_a), name_b, size_b)
    return x * size_a / size_b if size_a != size_b else float(x)
