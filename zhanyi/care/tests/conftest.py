"""The care app's tests read English messages, whatever the default language.

The fixtures for English messages are zhanyi.core.testing's.
"""

from __future__ import annotations

from zhanyi.core.testing import api_for, client, english  # noqa: F401  (English messages)
