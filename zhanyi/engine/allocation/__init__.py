"""Placement of people in quarantine rooms (集中隔离 安置): the planner.

``model`` has the problem's records (households, sites and their vacant rooms)
and the rule that turns a household into room needs (adults one to a room, a
child under the protocol's age with one parent in a family room);
``planner`` solves it: every household in one site, own county first, then
its twinned county, then anywhere, least total travel, and the most people
placed when rooms are short. OR-Tools' CP-SAT solves it exactly (its bound,
or a min-cost-flow relaxation's, says how far from the optimum a plan can
be); ``greedy`` is the fallback and the yardstick.
"""

from .model import Household, Member, Plan, PlanRules, RoomNeed, SiteRooms, room_needs
from .planner import greedy_plan, plan_placements

__all__ = [
    "Household",
    "Member",
    "Plan",
    "PlanRules",
    "RoomNeed",
    "SiteRooms",
    "greedy_plan",
    "plan_placements",
    "room_needs",
]
