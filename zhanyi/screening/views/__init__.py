"""Pages of the screening app (协查/人员排查), one module per topic: the desk,
intake, review, tasks and campaigns.

Deny by default: each view checks a capability and reads only through
``queries``, which apply the jurisdiction. A village team sees its village's
tasks; a township sees its villages' and its manual queue. HTMX requests get
fragments (templates starting with ``_``).
"""
