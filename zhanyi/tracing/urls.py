from django.urls import path

from . import views

app_name = "tracing"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/update/", views.case_update, name="case-update"),
    path("cases/<int:case_id>/trajectory/", views.trajectory_add, name="trajectory-add"),
    path("cases/<int:case_id>/interviews/", views.interview_add, name="interview-add"),
    path("cases/<int:case_id>/exposures/", views.exposure_add, name="exposure-add"),
    path("cases/<int:case_id>/expand/", views.expand, name="expand"),
    path("cases/<int:case_id>/complete/", views.complete, name="complete"),
    path("contacts/", views.contacts, name="contacts"),
    path(
        "contacts/<int:contact_id>/quarantined/",
        views.contact_quarantined,
        name="contact-quarantined",
    ),
    path("contacts/<int:contact_id>/release/", views.contact_release, name="contact-release"),
    path("graph/", views.graph, name="graph"),
    path("graph.json", views.graph_data, name="graph-data"),
]
