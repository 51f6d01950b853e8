import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from zhanyi.accounts.models import Role
from zhanyi.accounts.roles import (
    CAPABILITIES,
    ROLE_CAPABILITIES,
    UnknownCapability,
    capabilities_of,
    has_capability,
    require_capability,
)


def test_commanders_staff_and_admins_see_identity_numbers_but_leaders_and_field_do_not(world):
    assert has_capability(world.commander, "view_identity")
    assert has_capability(world.tracer, "view_identity")
    assert has_capability(world.admin, "view_identity")
    assert not has_capability(world.leader, "view_identity")
    assert not has_capability(world.village_member, "view_identity")


def test_field_members_see_phones_but_leaders_never_do(world):
    assert has_capability(world.village_member, "view_phone")
    assert not has_capability(world.leader, "view_phone")


def test_every_holder_of_view_identity_also_holds_view_phone():
    for caps in ROLE_CAPABILITIES.values():
        if "view_identity" in caps:
            assert "view_phone" in caps


def test_leaders_are_read_only(world):
    writes = {"edit_person", "merge_person", "edit_operations", "approve", "manage_users", "export"}
    assert not capabilities_of(world.leader) & writes
    assert has_capability(world.leader, "view_person")


def test_only_admins_manage_users_and_admins_do_no_case_work(world):
    assert has_capability(world.admin, "manage_users")
    assert [r for r, caps in ROLE_CAPABILITIES.items() if "manage_users" in caps] == [Role.ADMIN]
    assert not has_capability(world.admin, "edit_person")
    assert not has_capability(world.admin, "merge_person")


def test_a_superuser_has_every_capability(world):
    world.leader.is_superuser = True
    assert capabilities_of(world.leader) == frozenset(CAPABILITIES)


def test_an_inactive_or_anonymous_user_has_none(world):
    world.commander.is_active = False
    assert capabilities_of(world.commander) == frozenset()
    assert not has_capability(AnonymousUser(), "view_person")
    assert not has_capability(None, "view_person")


def test_an_unknown_capability_name_raises_instead_of_denying(world):
    with pytest.raises(UnknownCapability):
        has_capability(world.commander, "view_identiy")
    with pytest.raises(UnknownCapability):
        has_capability(None, "edit_persons")


def test_require_capability_raises_permission_denied(world):
    require_capability(world.commander, "approve")
    with pytest.raises(PermissionDenied):
        require_capability(world.tracer, "approve")
    with pytest.raises(PermissionDenied):
        require_capability(world.outsider, "manage_users")
