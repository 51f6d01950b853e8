"""Writes of the command app: the headquarters' work."""

from .headquarters import do_set_up_headquarters

__all__ = ["do_set_up_headquarters"]
