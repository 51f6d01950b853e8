from zhanyi.core.testing import api_for, client, english  # noqa: F401
