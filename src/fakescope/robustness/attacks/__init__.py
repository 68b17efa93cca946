"""Attacks on fakescope's detectors: FGSM, PGD (L-inf, L2), Square (score-only), MultiAttack.

Examples
--------
>>> sorted(ATTACKS)
['fgsm', 'pgd', 'pgd-l2', 'square']
"""

from __future__ import annotations

from fakescope.robustness.attacks.base import Attack, MultiAttack
from fakescope.robustness.attacks.fgsm import FGSM
from fakescope.robustness.attacks.pgd import PGD
from fakescope.robustness.attacks.pgdl2 import PGDL2
from fakescope.robustness.attacks.square import Square

#: name -> class, as ``fakescope robustness --attacks`` spells them
ATTACKS: dict[str, type[Attack]] = {"fgsm": FGSM, "pgd": PGD, "pgd-l2": PGDL2, "square": Square}

__all__ = ["ATTACKS", "FGSM", "PGD", "PGDL2", "Attack", "MultiAttack", "Square"]
