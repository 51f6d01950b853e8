from zhanyi.accounts.models import TaskForce
from zhanyi.command import actions
from zhanyi.people.models import Household, Person


def test_the_home_page_counts_only_the_users_jurisdiction(world, client_for):
    Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.other_village)
    page = client_for(world.tracer).get("/")
    figures = {f["name"]: f["value"] for f in page.context["figures"]}
    assert figures["people.persons"] == 1
    assert figures["places.population"] == world.county.population
    assert [row["area"].name for row in page.context["children"]] == ["东铺头街道"]


def test_the_commander_sees_the_whole_city(world, client_for):
    Person.objects.create(name="张三", village=world.village)
    Person.objects.create(name="李四", village=world.other_village)
    page = client_for(world.commander).get("/")
    figures = {f["name"]: f["value"] for f in page.context["figures"]}
    assert figures["people.persons"] == 2
    assert {row["area"].name for row in page.context["children"]} == {"芗城区", "龙海区"}


def test_an_outsider_gets_a_page_with_no_figures(world, client_for):
    Person.objects.create(name="张三", village=world.village)
    page = client_for(world.outsider).get("/")
    assert page.status_code == 200
    assert page.context["figures"] == []
    assert "张三" not in page.content.decode()


def test_the_figures_fragment_refreshes_by_itself(world, client_for):
    Household.objects.create(address="东铺头1号", village=world.village)
    fragment = client_for(world.village_member).get("/figures/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert 'hx-trigger="every 30s"' in html
    assert 'data-figure="people.households"' in html


def test_the_figures_api_reads_the_same_definitions(world, api_for):
    Person.objects.create(name="张三", village=world.village)
    api = api_for(world.commander)
    everything = {f["name"]: f["value"] for f in api.get("/api/v1/figures/").json()}
    assert everything["people.persons"] == 1
    other = {
        f["name"]: f["value"]
        for f in api.get("/api/v1/figures/", {"area": world.other_county.code}).json()
    }
    assert other["people.persons"] == 0


def test_the_figures_api_refuses_an_area_outside_the_jurisdiction(world, api_for):
    api = api_for(world.tracer)
    assert api.get("/api/v1/figures/", {"area": world.other_county.code}).status_code == 403
    assert api_for(world.outsider).get("/api/v1/figures/").status_code == 403


def test_a_headquarters_gets_the_ten_task_forces(world):
    hq = actions.do_set_up_headquarters(
        acting_user=world.commander, area=world.county, name="芗城区战疫指挥部"
    )
    assert TaskForce.objects.filter(headquarters=hq).count() == 10
    assert {tf.kind for tf in hq.task_forces.all()} >= {"investigation", "testing", "quarantine"}
