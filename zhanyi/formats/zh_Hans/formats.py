"""Number formats for Simplified Chinese: group thousands with commas, as the
government's statistical bulletins print figures (1,083,000)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
