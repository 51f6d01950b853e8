from zhanyi.core.actors import actor_name, actor_user
from zhanyi.core.audit import SystemActor, cli_actor


def test_a_system_actor_is_named_by_its_name_and_has_no_user():
    actor = SystemActor("cli:ops")
    assert actor_name(actor) == "cli:ops"
    assert actor_user(actor) is None
    assert actor_name(cli_actor()).startswith("cli:")


def test_a_user_is_named_by_username_and_is_the_user(world):
    assert actor_name(world.tracer) == world.tracer.get_username()
    assert actor_user(world.tracer) is world.tracer


def test_a_long_name_is_cut_to_what_the_columns_hold():
    assert len(actor_name(SystemActor("x" * 400))) == 150


def test_anything_else_has_no_name_and_no_user():
    assert actor_name(None) == ""
    assert actor_user(None) is None


def test_an_anonymous_user_has_no_name_and_no_user():
    # Testing's copy returned the anonymous user itself, which a foreign key
    # refuses; every caller now stores no user.
    from django.contrib.auth.models import AnonymousUser

    assert actor_name(AnonymousUser()) == ""
    assert actor_user(AnonymousUser()) is None


def test_a_system_actor_is_shown_in_words_and_a_user_as_named():
    from django.utils import translation

    from zhanyi.core.actors import actor_label

    with translation.override("zh-hans"):
        assert actor_label("scheduler") == "定时任务"
        assert actor_label("demo") == actor_label("demo:health_codes") == "演示数据"
        assert actor_label("cli:ops") == "命令行（ops）"
        assert actor_label("task:refresh_codes") == "后台任务"
        assert actor_label("system:screening-escalation") == "系统"
        assert actor_label("bench:report") == "基准测试"
        assert actor_label("tracer") == "tracer"
        assert actor_label("") == ""
