"""Record linkage (记录关联) of pushed lists to the person index, and addresses.

``normalise_records`` puts records in one canonical spelling, ``train_model``
fits a Splink model on the index, ``link`` decides for each record: link to a
person, a new person, or review. ``address.Gazetteer`` resolves addresses to
villages. No Django here: apps convert their querysets at their edge.
"""

from zhanyi.engine.linkage.link import (
    LINK_AT,
    NEW_BELOW,
    LinkageError,
    link,
    load_index,
    prepare_index,
)
from zhanyi.engine.linkage.model import LinkageModel, train_model
from zhanyi.engine.linkage.normalise import RecordError, normalise_records

__all__ = [
    "LINK_AT",
    "NEW_BELOW",
    "LinkageError",
    "LinkageModel",
    "RecordError",
    "link",
    "load_index",
    "normalise_records",
    "prepare_index",
    "train_model",
]
