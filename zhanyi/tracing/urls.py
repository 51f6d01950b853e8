from django.urls import path

from .views import cases, contacts, feeds, graph

app_name = "tracing"

urlpatterns = [
    path("", cases.home, name="home"),
    path("cases/new/", cases.case_create, name="case-create"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("cases/<int:case_id>/update/", cases.case_update, name="case-update"),
    path("cases/<int:case_id>/trajectory/", cases.trajectory_add, name="trajectory-add"),
    path("cases/<int:case_id>/interviews/", cases.interview_add, name="interview-add"),
    path("cases/<int:case_id>/exposures/", cases.exposure_add, name="exposure-add"),
    path("cases/<int:case_id>/expand/", cases.expand, name="expand"),
    path("cases/<int:case_id>/complete/", cases.complete, name="complete"),
    path("cases/<int:case_id>/void/", cases.case_void, name="case-void"),
    path("cases/<int:case_id>/assign/", cases.case_assign, name="case-assign"),
    path("cases/<int:case_id>/source/", cases.case_source, name="case-source"),
    path("contacts/", contacts.contacts, name="contacts"),
    path(
        "contacts/<int:contact_id>/quarantined/",
        contacts.contact_quarantined,
        name="contact-quarantined",
    ),
    path("contacts/<int:contact_id>/release/", contacts.contact_release, name="contact-release"),
    path("graph/", graph.graph, name="graph"),
    path("feeds/", feeds.feeds, name="feeds"),
    path("graph.json", graph.graph_data, name="graph-data"),
]
