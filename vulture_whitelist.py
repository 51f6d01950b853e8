"""Names vulture cannot see used, kept short; `make lint` runs vulture with it.

The names Django reaches by introspection (model fields, choices, serializer
and form fields, app configs, middleware) are listed by
scripts/vulture_entry_points.py at lint time; decorators that register a
function (figures, periodic jobs, fact providers, tasks, template filters,
admin, fixtures) and framework hook names are in [tool.vulture] in pyproject.
"""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Management commands dispatch their subcommands with getattr by name.
_.handle_create, _.handle_list, _.handle_set_role, _.handle_set_jurisdiction
_.handle_set_task_force, _.handle_deactivate, _.handle_reactivate
_.handle_reset_password, _.handle_token  # accounts: zhanyi user …
_.handle_import, _.handle_password_link, _.handle_deactivate_staff, _.handle_reset_2fa
_.handle_pushlist, _.handle_escalate  # screening: zhanyi import …
_._show, _._refresh, _._recompute  # people: zhanyi codes …
_._round, _._schedule, _._site, _._lab, _._results, _._samples, _._pool_size  # zhanyi testing …
_.do_ingest, _.do_find, _.do_purge, _.do_feed, _.do_feeds  # tracing: zhanyi companions …
_._exposure, _._expand, _._contacts, _._companions, _._current_cases, _._protocol  # zhanyi trace …

# Read by Django or DRF from the object they are set on.
_.area_suggestions  # a form's, read by accounts/user_form.html
_.main_fields, _.map_fields  # the upload form's, read by screening/upload.html
_.disabled, _.help_text, _.default  # form and serializer fields' options
_.patch  # an APIView's handler for PATCH
_.adding, _._query  # Django's model state and a compiled query's cache
_.writeable  # numpy's array flags
_.data_type, _.quotePrefix  # openpyxl's cell, read when the sheet is written
_.THOUSAND_SEPARATOR, _.NUMBER_GROUPING  # a format module, read by Django by name

# Test helpers: used by tests only, on purpose.
_.build_world  # zhanyi.accounts.testing: the shared personas
_.copy_to  # zhanyi.core.processes_testing: a test copies the migrated database
_.tracer, _.village_member, _.leader, _.other_county_staff
_.random_stays, _.as_tuples  # zhanyi.engine.companions.testing
_.reference_companions  # the plain reference implementation the fast engines are tested against
_.case_person_id, _.companion_person_id, _.overlap_s, _.case_dwell_s, _.companion_dwell_s
_.MIDDLEWARE_IN_THE_LANE  # compared with settings.MIDDLEWARE by the lane's test
_.figures_of  # screening: the figures of one group, what each breakdown row is tested against
_.read_stays  # the synthetic city's stays as Arrow (docs/synth.md), read back by its tests
_.is_sqlite  # core.db.dialect: how tests ask, since only core.db may read the vendor

# Data, not code: fields and constants kept with what they describe.
_.spill_rows, _.dwell_rows  # a companion ingest day's report
_.division_code  # a parsed identity number's part
_.LOCATION_RECORDS  # the schema of raw location records for outside loaders
_.locked_waits, _.restarts  # the worker's counters (zhanyi.core.worker), not yet read
# zhanyi.engine.release: the [release] rules, for the quarantine app (issue #17) to apply.
_.release_check, _.may_release, _.managed_as
# prometheus_client calls a collector's describe; where it keeps values is its ValueClass.
_.describe, _.ValueClass
# OR-Tools calls these and reads these parameters (zhanyi.engine.allocation).
_.on_solution_callback, _.max_time_in_seconds, _.num_workers, _.first_solution_strategy
_.case_visible  # tracing.queries.contacts_by_person: read by the contacts table's template
_.checked_today  # zhanyi.care.queries.MonitoringRow: read by the care desk template
_.gcj02_to_bd09  # zhanyi.engine.coords: Baidu's forward shift, the inverse's test reference
_.sections  # command.models.PlanVersion: read by the plan's page
_.text_x, _.text_y, _.label_x, _.label_y, _.workflow_label  # command.plan_charts: the SVG template
_.function  # command.workflows.Step: the action that makes it, checked by test_workflows
_.unreachable  # zhanyi.engine.flowcharts: tested; for a plan editor to warn with
_.load_city, _.load_demo  # command.drills: scenarios, found in the registry by name
_.validators  # a DRF serializer's Meta (command.api.drills: the action names a taken name)
_.StoppedDrillMiddleware  # zhanyi.core.drill_mode: in MIDDLEWARE only in a drill's process
