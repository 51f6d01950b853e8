from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("lists/<int:list_id>/", views.push_list, name="list"),
    path("lists/<int:list_id>/errors.xlsx", views.error_file, name="errors"),
    path("sources/new/", views.source_edit, name="source-new"),
    path("sources/<int:source_id>/", views.source_edit, name="source-edit"),
    path("sources/<int:source_id>/reply.xlsx", views.reply_list, name="reply"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:record_id>/", views.review_record, name="review-record"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:task_id>/", views.task_detail, name="task"),
    path("supervision/", views.supervision, name="supervision"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path(
        "campaigns/<int:campaign_id>/households/<int:household_id>/",
        views.visit,
        name="visit",
    ),
]
