"""The workforce app's tests read English messages, whatever the default language.

The fixtures are zhanyi.core.testing's (the language, the page and API clients).
"""

from zhanyi.core.testing import api_for, client, english  # noqa: F401
