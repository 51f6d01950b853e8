"""The synthetic city (合成城市): a seeded, deterministic Zhangzhou.

``generate(SynthConfig.for_scale("small"), out_dir)`` writes areas, places,
households, people and 14 days of phone stays as Parquet; see ``docs/synth.md``.
"""

from zhanyi.engine.synth.areas import AreaTree, build_areas
from zhanyi.engine.synth.build import FORMAT_VERSION, build_area_tree, generate
from zhanyi.engine.synth.config import SCALES, SynthConfig

__all__ = [
    "FORMAT_VERSION",
    "SCALES",
    "AreaTree",
    "SynthConfig",
    "build_area_tree",
    "build_areas",
    "generate",
]
