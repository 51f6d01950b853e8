"""Pages of the tracing workbench (流调工作台): cases, a case's investigation,
contacts, the chains of transmission; one module each.

Deny by default: each view checks its capability and reaches cases and
contacts only through ``queries``, which apply the jurisdiction. Views parse
input, call one action or query and render.
"""
