import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanyi.settings")
django_application = get_wsgi_application()

# After set-up: the lane uses the models.
from zhanyi.testing.fastpath.lane import ScanLane  # noqa: E402

# The sampling phones' scans, the busiest requests of a testing round, are
# answered in front of the general stack (zhanyi/testing/fastpath/lane.py).
application = ScanLane(django_application)
