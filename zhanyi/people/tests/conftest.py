"""The person index's tests read English messages, whatever the default language.

The fixtures are zhanyi.core.testing's (the language, the page and API clients).
"""

from zhanyi.core.testing import api_for, client, english  # noqa: F401

from .code_facts import facts  # noqa: F401  (the health-fact contributor for tests)
