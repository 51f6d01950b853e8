"""Traffic checkpoints (交通查验站): plates and the decision at a check, framework-free.

``plates.parse_plate`` reads a licence plate as an officer types it;
``decision.decide`` turns the facts of one check (health-code colour, the
age of the negative test, the risk tiers of origin and destination) into an
outcome by the ``[checkpoints]`` rules of the protocol file (``CheckpointRule``).
"""

from .decision import Decision, Facts, Outcome, Reason, decide
from .plates import Plate, PlateError, parse_plate
from .rules import CheckpointRule

__all__ = [
    "CheckpointRule",
    "Decision",
    "Facts",
    "Outcome",
    "Plate",
    "PlateError",
    "Reason",
    "decide",
    "parse_plate",
]
